import { describe, expect, it } from "vitest";
import { geoserverEnv } from "../../../components/geoserver/env";

describe("GeoServer environment", () => {
    const env = geoserverEnv({
        publicUrl: "https://maps.example.org",
        domain: "maps.example.org",
        adminUser: "admin",
        adminPassword: "pw",
        database: { host: "postgis", port: 5432, name: "gis", user: "geoserver", password: "dbpw" },
        maxRamPercentage: 75,
    });

    it("points GeoServer at its public URL and the database over JNDI", () => {
        expect(env).toEqual(
            expect.arrayContaining([
                "PROXY_BASE_URL=https://maps.example.org/geoserver",
                "GEOSERVER_CSRF_WHITELIST=maps.example.org",
                "POSTGRES_JNDI_ENABLED=true",
                "POSTGRES_HOST=postgis",
                "POSTGRES_PORT=5432",
                "POSTGRES_DB=gis",
                "POSTGRES_USERNAME=geoserver",
                "POSTGRES_PASSWORD=dbpw",
                "GEOSERVER_ADMIN_USER=admin",
                "GEOSERVER_ADMIN_PASSWORD=pw",
                "SKIP_DEMO_DATA=true",
                "RUN_UNPRIVILEGED=true",
            ]),
        );
    });

    it("sizes the heap from the container's memory limit instead of the image's fixed -Xmx", () => {
        expect(env.find((e) => e.startsWith("EXTRA_JAVA_OPTS="))).toMatch(/-XX:MaxRAMPercentage=75/);
    });

    it("installs no extension at start: they are baked into the image", () => {
        expect(env.filter((e) => /INSTALL_EXTENSIONS|STABLE_EXTENSIONS/.test(e))).toEqual([]);
    });
});
