// Each component on its own, as another project would use it: no GeoStack around it, no stack config,
// only the args it is given. Names come from the component name, never from the project or stack.
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { GeoServer, GeoStack, Postgis, TraefikProxy } from "../components";
import { InvalidInputError } from "../components/helpers/validation";
import { envOf, installMocks, isSecret, labelsOf, ProviderMocks, RegisteredResource, reveal, settle } from "../render/mocks";

const CONTAINER = "docker:index/container:Container";

let mocks: ProviderMocks;
let postgis: Postgis;
let geoserver: GeoServer;
let traefik: TraefikProxy;
let stack: GeoStack;

beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    mocks = installMocks("some-other-project", "staging");
    postgis = new Postgis("appdb", { networkName: "app-net" });
    geoserver = new GeoServer("maps", {
        domain: "maps.example.org",
        proxyNetworkName: "edge",
        databaseHost: "db.internal.example.org",
        databaseName: "gisdata",
        databaseUser: "reader",
        databasePassword: pulumi.secret("s3cret-from-elsewhere"),
    });
    traefik = new TraefikProxy("edge", { proxyNetworkName: "edge" });
    stack = new GeoStack("gs", { domain: "gs.example.org" });
    await Promise.all(
        [postgis.containerName, postgis.password, geoserver.containerName, geoserver.adminPassword, traefik.containerName, stack.containerNames].map((o) => settle<unknown>(o)),
    );
});

/** `<type> <name>` of the resources the component created directly. */
async function children(component: pulumi.ComponentResource): Promise<string[]> {
    const urn = (await settle(component.urn)).value;
    return mocks.resources.filter((r) => r.options.parent === urn).map((r) => `${r.type} ${r.name}`).sort();
}
const container = (name: string): RegisteredResource => mocks.get(CONTAINER, name);

describe("Postgis alone, given only a network", () => {
    it("creates only its own passwords, volume and container, named after the component", async () => {
        expect(await children(postgis)).toEqual([
            "docker:index/container:Container appdb",
            "docker:index/remoteImage:RemoteImage appdb-image",
            "docker:index/volume:Volume appdb-data-pg17",
            "random:index/randomPassword:RandomPassword appdb-geoserver-password",
            "random:index/randomPassword:RandomPassword appdb-superuser-password",
        ]);
        expect(container("appdb").inputs.name).toBe("appdb-postgis");
        expect(mocks.get("docker:index/volume:Volume", "appdb-data-pg17").inputs.name).toBe("appdb-postgis17-data");
    });

    it("joins the given network as `postgis` and publishes nothing", () => {
        expect(reveal(container("appdb").inputs.networksAdvanced)).toEqual([{ name: "app-net", aliases: ["postgis"] }]);
        expect(container("appdb").inputs.ports).toEqual([]);
    });

    it("outputs the connection, the password secret", async () => {
        expect((await settle(postgis.host)).value).toBe("postgis");
        expect((await settle(postgis.port)).value).toBe(5432);
        expect((await settle(postgis.database)).value).toBe("gis");
        expect((await settle(postgis.username)).value).toBe("geoserver");
        expect((await settle(postgis.password)).secret).toBe(true);
        expect((await settle(postgis.publishedAddress)).value).toBe("");
    });
});

describe("GeoServer alone, against any PostGIS and an existing traefik network", () => {
    it("creates only its own password, volume and container", async () => {
        expect(await children(geoserver)).toEqual([
            "docker:index/container:Container maps",
            "docker:index/remoteImage:RemoteImage maps-image",
            "docker:index/volume:Volume maps-data",
            "random:index/randomPassword:RandomPassword maps-admin-password",
        ]);
        expect(container("maps").inputs.name).toBe("maps-geoserver");
    });

    it("connects to the database it is given, keeping the password secret", () => {
        const maps = container("maps");
        expect(isSecret(maps.inputs.envs)).toBe(true);
        expect(envOf(maps)).toMatchObject({
            POSTGRES_HOST: "db.internal.example.org",
            POSTGRES_PORT: "5432",
            POSTGRES_DB: "gisdata",
            POSTGRES_USERNAME: "reader",
            POSTGRES_PASSWORD: "s3cret-from-elsewhere",
        });
    });

    it("joins only the traefik network when no backend network is given, and routes through it", () => {
        const maps = container("maps");
        expect(reveal(maps.inputs.networksAdvanced)).toEqual([{ name: "edge" }]);
        expect(labelsOf(maps)).toMatchObject({ "traefik.enable": "true", "traefik.docker.network": "edge" });
        expect(labelsOf(maps)["traefik.http.routers.maps-geoserver-public.rule"]).toMatch(/^Host\(`maps\.example\.org`\) && /);
    });

    it("outputs its URL and the generated admin password, secret", async () => {
        expect((await settle(geoserver.url)).value).toBe("http://maps.example.org/geoserver/");
        expect((await settle(geoserver.adminUser)).value).toBe("admin");
        expect((await settle(geoserver.adminPassword)).secret).toBe(true);
    });
});

describe("TraefikProxy alone", () => {
    it("creates its container and its Docker socket proxy, routing on the given network", async () => {
        expect(await children(traefik)).toEqual([
            "docker:index/container:Container edge",
            "docker:index/remoteImage:RemoteImage edge-image",
            "geostack:index:DockerSocketProxy edge-docker-socket-proxy",
        ]);
        expect(container("edge").inputs.name).toBe("edge-traefik");
        expect(container("edge").inputs.command).toContain("--providers.docker.network=edge");
        expect(reveal(container("edge").inputs.networksAdvanced)).toEqual([{ name: "edge" }, { name: "edge-docker-api" }]);
    });
});

describe("GeoStack given only a domain", () => {
    it("prefixes every name with the component name", async () => {
        expect((await settle(stack.containerNames)).value).toEqual(["gs-postgis", "gs-geoserver", "gs-traefik", "gs-docker-socket-proxy"]);
        expect((await settle(stack.url)).value).toBe("http://gs.example.org/geoserver/");
    });
});

describe("no hidden dependency on the stack", () => {
    it("names nothing after the project or stack it runs in", () => {
        const names = mocks.resources.map((r) => JSON.stringify(reveal(r.inputs)));
        for (const n of names) expect(n).not.toMatch(/some-other-project|staging/);
    });

    it("rejects a name prefix Docker cannot use, naming the arg", () => {
        expect(() => new TraefikProxy("bad name", { proxyNetworkName: "edge" })).toThrow(InvalidInputError);
        expect(() => new TraefikProxy("bad name", { proxyNetworkName: "edge" })).toThrow(/namePrefix = "bad name": expected a prefix for Docker names/);
        expect(() => new Postgis("ok", { namePrefix: "-x", networkName: "n" })).toThrow(/namePrefix = "-x"/);
    });
});
