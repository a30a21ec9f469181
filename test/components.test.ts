import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { GeoServer, Postgis, TraefikProxy } from "../components";
import { installMocks, isSecret, ProviderMocks, reveal, settle } from "../render/mocks";

const CONTAINER = "docker:index/container:Container";
// One engine for the file: registrations of one test must not land on another test's mocks.
let mocks: ProviderMocks;
beforeAll(() => {
    mocks = installMocks("geostack", "components");
});
const registeredNamed = (prefix: string) => mocks.resources.filter((r) => r.name.startsWith(prefix));

describe("Postgis", () => {
    it("mounts a PostgreSQL 18 cluster one level up, in a volume named for major 18", async () => {
        const postgis = new Postgis("db", { namePrefix: "app-test", networkName: "app-net", image: "postgis/postgis:18-3.6", protectData: true });
        await settle(postgis.containerName);
        const container = mocks.get(CONTAINER, "db");
        expect(container.inputs.volumes).toEqual([{ volumeName: "app-test-postgis18-data", containerPath: "/var/lib/postgresql" }]);
        expect(mocks.get("docker:index/volume:Volume", "db-data-pg18").options).toMatchObject({ protect: true, retainOnDelete: true });
        expect(reveal(container.inputs.networksAdvanced)).toEqual([{ name: "app-net", aliases: ["postgis"] }]);
        expect(container.inputs.ports).toEqual([]);
        expect((await settle(postgis.password)).secret).toBe(true);
    });

    it("rejects bad args before creating anything", () => {
        expect(() => new Postgis("baddb", { namePrefix: "p", networkName: "n", image: "postgres:17", memoryMb: 10, publishPort: 99999 })).toThrow(
            /Invalid arguments for Postgis "baddb":\n  - image = "postgres:17": expected a postgis\/postgis image.*\n  - memoryMb = 10: expected .*at least 256\n  - publishPort = 99999: expected an integer TCP port/,
        );
        expect(registeredNamed("baddb")).toEqual([]);
    });
});

describe("GeoServer", () => {
    it("works with any PostGIS connection and an existing traefik network", async () => {
        const geoserver = new GeoServer("maps", {
            namePrefix: "other",
            domain: "maps.example.org",
            backendNetworkName: "db-net",
            proxyNetworkName: "traefik_default",
            databaseHost: "db.internal",
            databaseName: "gisdata",
            databaseUser: "reader",
            databasePassword: pulumi.secret("s3cret"),
        });
        await settle(geoserver.containerName);
        const container = mocks.get(CONTAINER, "maps");
        expect(isSecret(container.inputs.envs)).toBe(true);
        const env = reveal<string[]>(container.inputs.envs);
        expect(env).toEqual(expect.arrayContaining(["POSTGRES_HOST=db.internal", "POSTGRES_DB=gisdata", "POSTGRES_USERNAME=reader", "POSTGRES_PASSWORD=s3cret"]));
        const official = mocks.get("docker:index/remoteImage:RemoteImage", "maps-image");
        expect(official.inputs.name).toBe("docker.osgeo.org/geoserver:2.28.4");
        expect(container.inputs.image).toBe(official.state.imageId);
        expect(reveal<{ label: string; value: string }[]>(container.inputs.labels)).toContainEqual({ label: "traefik.docker.network", value: "traefik_default" });
        expect(mocks.get("docker:index/volume:Volume", "maps-data").options.protect).toBe(false);
    });

    it("rejects a domain with a scheme", () => {
        expect(
            () =>
                new GeoServer("badmaps", {
                    namePrefix: "p",
                    domain: "http://maps.example.org",
                    backendNetworkName: "a",
                    proxyNetworkName: "b",
                    databaseHost: "h",
                    databaseName: "d",
                    databaseUser: "u",
                    databasePassword: "p",
                }),
        ).toThrow(/domain = "http:\/\/maps\.example\.org": expected a lower-case DNS name/);
        expect(registeredNamed("badmaps")).toEqual([]);
    });
});

describe("TraefikProxy", () => {
    it("stands alone on a given network and publishes only port 80", async () => {
        const traefik = new TraefikProxy("edge", { namePrefix: "solo", proxyNetworkName: "web" });
        await settle(traefik.containerName);
        const container = mocks.get(CONTAINER, "edge");
        expect(container.inputs.name).toBe("solo-traefik");
        expect(container.inputs.ports).toEqual([{ internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" }]);
        expect(container.inputs.command).toContain("--providers.docker.network=web");
    });

    it("keeps the certificates volume when deleted even where data is not protected (Let's Encrypt rate limits)", async () => {
        const traefik = new TraefikProxy("tlsedge", { namePrefix: "t", proxyNetworkName: "web", tls: true, acmeEmail: "ops@example.org", protectData: false });
        await settle(traefik.containerName);
        expect(mocks.get("docker:index/volume:Volume", "tlsedge-acme").options).toMatchObject({ protect: false, retainOnDelete: true });
    });

    it("refuses a traefik that cannot talk to Docker Engine 29", () => {
        expect(() => new TraefikProxy("oldedge", { namePrefix: "p", proxyNetworkName: "web", image: "traefik:v2.10" })).toThrow(/image = "traefik:v2\.10"/);
        expect(registeredNamed("oldedge")).toEqual([]);
    });
});
