import { describe, expect, it } from "vitest";
import { geoserverEnv, jvmMemory } from "../../../components/geoserver/env";

describe("GeoServer environment", () => {
    const env = geoserverEnv({
        publicUrl: "https://maps.example.org",
        domain: "maps.example.org",
        adminUser: "admin",
        database: { host: "postgis", port: 5432, name: "gis", user: "geoserver" },
        memoryMb: 2048,
    });

    it("points GeoServer at its public URL and the database over JNDI, the passwords as files", () => {
        expect(env).toEqual(
            expect.arrayContaining([
                "PROXY_BASE_URL=https://maps.example.org/geoserver",
                "GEOSERVER_CSRF_WHITELIST=maps.example.org",
                "POSTGRES_HOST=postgis",
                "POSTGRES_PORT=5432",
                "POSTGRES_DB=gis",
                "POSTGRES_USERNAME=geoserver",
                "POSTGRES_PASSWORD_FILE=/opt/geostack/secrets/database-password",
                "GEOSERVER_ADMIN_USER=admin",
                "GEOSERVER_ADMIN_PASSWORD_FILE=/opt/geostack/secrets/geoserver-admin-password",
                "SKIP_DEMO_DATA=true",
            ]),
        );
        // No password in the environment `docker inspect` shows, and no switch the entrypoint decides itself.
        expect(env.filter((e) => /^(POSTGRES_PASSWORD|GEOSERVER_ADMIN_PASSWORD|RUN_UNPRIVILEGED)=/.test(e))).toEqual([]);
    });

    it("sizes the JVM to the container's limit instead of the image's fixed -Xmx, and makes it exit when out of memory", () => {
        expect(env.find((e) => e.startsWith("EXTRA_JAVA_OPTS="))).toBe(
            "EXTRA_JAVA_OPTS=-Xmx1024m -XX:MaxMetaspaceSize=256m -XX:MaxDirectMemorySize=204m -XX:+ExitOnOutOfMemoryError",
        );
    });

    it("leaves the JVM room beyond its heap, metaspace and direct buffers at every allowed limit", () => {
        for (const limit of [1024, 1536, 2048, 3072, 4096, 8192, 16384, 65536]) {
            const { heap, metaspace, directMemory } = jvmMemory(limit);
            expect(heap, `${limit}`).toBeGreaterThanOrEqual(limit / 2);
            // Compiled code, thread stacks, the collector and native code need the rest: at least 150 MiB.
            expect(limit - heap - metaspace - directMemory, `${limit}`).toBeGreaterThanOrEqual(150);
        }
    });

    it("installs no extension at start: they are baked into the image", () => {
        expect(env.filter((e) => /INSTALL_EXTENSIONS|STABLE_EXTENSIONS/.test(e))).toEqual([]);
    });
});
