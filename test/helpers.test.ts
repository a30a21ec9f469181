import { describe, expect, it } from "vitest";
import { instanceLabels, toLabelList, withContainerDefaults } from "../components/helpers/container-defaults";
import { geoserverEnv } from "../components/helpers/geoserver-env";
import { parseImageReference, postgresDataPath, postgresMajorOf, traefikVersionOf } from "../components/helpers/images";
import { isDomain, isSupportedTraefik, requireValid } from "../components/helpers/validation";

describe("image references", () => {
    it("parses repository, tag and digest", () => {
        expect(parseImageReference("postgis/postgis:17-3.5")).toEqual({ repository: "postgis/postgis", tag: "17-3.5", digest: undefined });
        expect(parseImageReference("localhost:5000/geo/server")).toEqual({ repository: "localhost:5000/geo/server", tag: undefined, digest: undefined });
        const digest = `sha256:${"a".repeat(64)}`;
        expect(parseImageReference(`ghcr.io/acme/geoserver:2.28.4@${digest}`)).toEqual({ repository: "ghcr.io/acme/geoserver", tag: "2.28.4", digest });
        for (const bad of ["", "UPPER/case:1", "name:", "name::tag", "a@sha256:short", "name:tag with space"]) expect(parseImageReference(bad), bad).toBeUndefined();
    });

    it("finds the PostgreSQL major and its data path", () => {
        expect(postgresMajorOf("postgis/postgis:17-3.5")).toBe(17);
        expect(postgresMajorOf("postgis/postgis:18-3.6-alpine")).toBe(18);
        expect(postgresMajorOf("postgis/postgis:latest")).toBeUndefined();
        expect(postgresDataPath(17)).toBe("/var/lib/postgresql/data");
        expect(postgresDataPath(18)).toBe("/var/lib/postgresql");
    });

    it("accepts only traefik v3.6.1 and later, pinned to a patch", () => {
        expect(traefikVersionOf("traefik:v3.6.26")).toEqual([3, 6, 26]);
        expect(isSupportedTraefik("traefik:v3.6.1")).toBeUndefined();
        expect(isSupportedTraefik("traefik:3.7.0")).toBeUndefined();
        for (const bad of ["traefik:v3.6.0", "traefik:v2.11.31", "traefik:v3.6", "traefik:latest", "traefik"]) expect(isSupportedTraefik(bad), bad).toBeDefined();
    });
});

describe("validation", () => {
    it("accepts DNS names only", () => {
        for (const ok of ["geostack.localhost", "maps.example.org", "a-b.c-d.example"]) expect(isDomain(ok), ok).toBeUndefined();
        for (const bad of ["localhost", "Maps.example.org", "maps.example.org:8080", "maps.example.org/geo", "10.0.0.1", "-a.example.org", "a..example.org"])
            expect(isDomain(bad), bad).toBeDefined();
    });

    it("throws one error listing every problem", () => {
        expect(() => requireValid("ctx", [undefined, "a = 1: expected b", "c = 2: expected d"])).toThrow("ctx:\n  - a = 1: expected b\n  - c = 2: expected d");
        expect(() => requireValid("ctx", [undefined])).not.toThrow();
    });
});

describe("container defaults", () => {
    it("names, limits, hardens and labels every container the same way", () => {
        const args = withContainerDefaults({ namePrefix: "geostack-dev", role: "postgis", memoryMb: 512 }, { image: "postgis/postgis:17-3.5" });
        expect(args).toMatchObject({
            image: "postgis/postgis:17-3.5",
            name: "geostack-dev-postgis",
            restart: "unless-stopped",
            logDriver: "json-file",
            logOpts: { "max-size": "10m", "max-file": "5" },
            memory: 512,
            memorySwap: 512,
            securityOpts: ["no-new-privileges:true"],
        });
        expect(instanceLabels("geostack-dev", "postgis")).toEqual({ "geostack.instance": "geostack-dev", "geostack.role": "postgis" });
    });

    it("sorts labels so diffs only show real changes", () => {
        expect(toLabelList({ b: "2", a: "1" })).toEqual([
            { label: "a", value: "1" },
            { label: "b", value: "2" },
        ]);
    });
});

describe("GeoServer environment", () => {
    it("points GeoServer at its public URL and the database over JNDI", () => {
        const env = geoserverEnv({
            publicUrl: "https://maps.example.org",
            domain: "maps.example.org",
            adminUser: "admin",
            adminPassword: "pw",
            database: { host: "postgis", port: 5432, name: "gis", user: "geoserver", password: "dbpw" },
            maxRamPercentage: 75,
        });
        expect(env).toEqual(
            expect.arrayContaining([
                "PROXY_BASE_URL=https://maps.example.org/geoserver",
                "GEOSERVER_CSRF_WHITELIST=maps.example.org",
                "POSTGRES_HOST=postgis",
                "POSTGRES_PASSWORD=dbpw",
                "GEOSERVER_ADMIN_PASSWORD=pw",
                "SKIP_DEMO_DATA=true",
                "RUN_UNPRIVILEGED=true",
            ]),
        );
        expect(env.find((e) => e.startsWith("EXTRA_JAVA_OPTS="))).toMatch(/-XX:MaxRAMPercentage=75/);
        expect(env.filter((e) => /INSTALL_EXTENSIONS|STABLE_EXTENSIONS/.test(e))).toEqual([]);
    });
});
