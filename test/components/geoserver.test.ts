// GeoServer on its own, against any PostgreSQL and an existing traefik network: no GeoStack, no stack config.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { GeoServer, GEOSERVER_SPEC, type GeoServerArgs } from "../../components";
import { installMocks, type ProviderMocks, reveal, settle } from "../../tools/render/mocks";
import { attempt, expectRefusal, type RefusalCase, registrationsDone, titleOf, uncovered } from "../support/refusals";
import { ROOT } from "../support/harness";
import { CONTAINER, envOf, labelsOf, networksOf, REMOTE_IMAGE, uploadOf, VOLUME } from "../support/resources";

const DATABASE = {
    databaseHost: "db.internal.example.org",
    databaseName: "gisdata",
    databaseUser: "reader",
} satisfies Partial<GeoServerArgs>;

let mocks: ProviderMocks;
let maps: GeoServer;

beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    mocks = installMocks("some-other-project", "staging");
    maps = new GeoServer("maps", {
        domain: "maps.example.org",
        proxyNetworkName: "edge",
        ...DATABASE,
        databasePassword: pulumi.secret("s3cret-from-elsewhere"),
    });
    new GeoServer("wired", {
        namePrefix: "other",
        domain: "maps.example.org",
        image: "sha256:0123456789abcdef",
        // As GeoStack's image, which runs as 999 from the start.
        imageStartsAsRoot: false,
        backendNetworkName: pulumi.output("db-net"),
        proxyNetworkName: pulumi.output("traefik_default"),
        ...DATABASE,
        // An output of another resource, as GeoStack passes Postgis's port.
        databasePort: pulumi.output(6543),
        databasePassword: pulumi.secret("s3cret"),
        protectData: true,
        workspace: "city",
        store: "roads",
        corsAllowedOrigins: [],
        tileCacheQuotaMb: 0,
    });
    await registrationsDone();
});

/** `<type> <name>` of the resources the component registered directly. */
async function children(component: pulumi.ComponentResource): Promise<string[]> {
    const urn = (await settle(component.urn)).value;
    return mocks.resources
        .filter((r) => r.options.parent === urn)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

describe("GeoServer given only a domain, a traefik network and a database", () => {
    it("creates only its own password, volume and container, named after the component", async () => {
        expect(await children(maps)).toEqual([
            "docker:index/container:Container maps",
            "docker:index/remoteImage:RemoteImage maps-image",
            "docker:index/volume:Volume maps-data",
            "docker:index/volume:Volume maps-tiles",
            "random:index/randomPassword:RandomPassword maps-admin-password",
        ]);
        expect(mocks.get(CONTAINER, "maps").inputs.name).toBe("maps-geoserver");
        expect(mocks.get(VOLUME, "maps-data").inputs.name).toBe("maps-geoserver-data");
    });

    it("runs the official image at GeoStack's pinned version, by the pulled image's ID", () => {
        const official = mocks.get(REMOTE_IMAGE, "maps-image");
        expect(official.inputs.name).toBe("docker.osgeo.org/geoserver:2.28.4");
        expect(mocks.get(CONTAINER, "maps").inputs.image).toBe(official.state.imageId);
    });

    it("connects to the database it is given on 5432, its password a secret file and in no environment variable", () => {
        const container = mocks.get(CONTAINER, "maps");
        expect(envOf(container)).toMatchObject({
            POSTGRES_HOST: "db.internal.example.org",
            POSTGRES_PORT: "5432",
            POSTGRES_DB: "gisdata",
            POSTGRES_USERNAME: "reader",
            POSTGRES_PASSWORD_FILE: "/opt/geostack/secrets/database-password",
        });
        expect(JSON.stringify(reveal(container.inputs.envs))).not.toContain("s3cret-from-elsewhere");
        expect(uploadOf(container, "/opt/geostack/secrets/database-password")).toEqual({ content: "s3cret-from-elsewhere", secret: true, permissions: "0444" });
    });

    it("starts through GeoStack's entrypoint, uploaded, whatever image it runs (here the official one)", () => {
        const container = mocks.get(CONTAINER, "maps");
        expect(container.inputs.entrypoints).toEqual(["bash", "/opt/geostack/entrypoint.sh"]);
        const entrypoint = uploadOf(container, "/opt/geostack/entrypoint.sh");
        expect(entrypoint.permissions).toBe("0755");
        expect(entrypoint.content).toBe(fs.readFileSync(path.join(ROOT, "images/geoserver/geostack-entrypoint.sh"), "utf8"));
    });

    it("keeps only the capabilities the official image needs to step down from root to 999, none of Docker's others", () => {
        expect(mocks.get(CONTAINER, "maps").inputs.capabilities).toEqual({
            drops: ["ALL"],
            adds: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"],
        });
        expect(mocks.get(CONTAINER, "maps").inputs.securityOpts).toEqual(["no-new-privileges:true"]);
    });

    it("hands the generated administrator password over as a secret file", async () => {
        const upload = uploadOf(mocks.get(CONTAINER, "maps"), "/opt/geostack/secrets/geoserver-admin-password");
        expect(upload).toMatchObject({ secret: true, permissions: "0444" });
        expect(upload.content).toBe((await settle(maps.adminPassword)).value);
    });

    it("joins only the traefik network when no backend network is given, and is routed through it", () => {
        const container = mocks.get(CONTAINER, "maps");
        expect(networksOf(container)).toEqual([{ name: "edge" }]);
        expect(labelsOf(container)).toMatchObject({ "traefik.enable": "true", "traefik.docker.network": "edge" });
        expect(labelsOf(container)["traefik.http.routers.maps-geoserver-public.rule"]).toMatch(/^Host\(`maps\.example\.org`\) && /);
    });

    it("does not protect its data directory unless asked", () => {
        expect(mocks.get(VOLUME, "maps-data").options).toMatchObject({ protect: false, retainOnDelete: false });
    });

    it("outputs its URL and the generated admin password, secret", async () => {
        expect((await settle(maps.url)).value).toBe("http://maps.example.org/geoserver/");
        expect((await settle(maps.adminUser)).value).toBe("admin");
        expect((await settle(maps.adminPassword)).secret).toBe(true);
    });

    it("uploads a new data directory's catalog: workspace gis, its PostGIS store over the JNDI pool, the service rules, the disk quota", () => {
        const container = mocks.get(CONTAINER, "maps");
        expect(envOf(container).GEOSTACK_SEED).toBe("/opt/geostack/seed");
        const seeds = reveal<{ file: string; permissions: string }[]>(container.inputs.uploads).filter((u) => u.file.startsWith("/opt/geostack/seed/"));
        expect(seeds.map((u) => u.file).sort()).toEqual([
            "/opt/geostack/seed/geowebcache-diskquota.xml",
            "/opt/geostack/seed/new-data-dir/logging.xml",
            "/opt/geostack/seed/new-data-dir/workspaces/default.xml",
            "/opt/geostack/seed/new-data-dir/workspaces/gis/namespace.xml",
            "/opt/geostack/seed/new-data-dir/workspaces/gis/postgis/datastore.xml",
            "/opt/geostack/seed/new-data-dir/workspaces/gis/workspace.xml",
            "/opt/geostack/seed/services.properties",
        ]);
        // Readable by the unprivileged server, which copies them; nobody writes them in place.
        for (const upload of seeds) expect(upload.permissions, upload.file).toBe("0444");
        expect(uploadOf(container, "/opt/geostack/seed/new-data-dir/workspaces/gis/namespace.xml").content).toContain(
            "<uri>http://maps.example.org/geoserver/gis</uri>",
        );
        expect(uploadOf(container, "/opt/geostack/seed/geowebcache-diskquota.xml").content).toContain("<value>10240</value>");
    });

    it("keeps GeoWebCache's tiles on a volume of their own, never protected, and its configuration in the data directory", () => {
        const container = mocks.get(CONTAINER, "maps");
        expect(container.inputs.volumes).toContainEqual({ volumeName: "maps-geoserver-tiles", containerPath: "/var/cache/geowebcache" });
        expect(envOf(container)).toMatchObject({ GEOWEBCACHE_CACHE_DIR: "/var/cache/geowebcache", GEOWEBCACHE_CONFIG_DIR: "/opt/geoserver_data/gwc" });
        expect(mocks.get(VOLUME, "maps-tiles").inputs.name).toBe("maps-geoserver-tiles");
    });

    it("answers cross-origin reads of the public paths through traefik, any origin by default, with the image's own CORS off", () => {
        const container = mocks.get(CONTAINER, "maps");
        expect(envOf(container).CORS_ENABLED).toBe("false");
        expect(labelsOf(container)["traefik.http.middlewares.maps-geoserver-cors.headers.accesscontrolalloworiginlist"]).toBe("*");
        expect(labelsOf(container)["traefik.http.routers.maps-geoserver-public.middlewares"].split(",")).toContain("maps-geoserver-cors");
    });

    it("names nothing after the project or stack it runs in", () => {
        for (const r of mocks.resources) expect(JSON.stringify(reveal(r.inputs))).not.toMatch(/some-other-project|staging/);
    });
});

describe("GeoServer wired to other resources' outputs", () => {
    it("runs the image it is given and pulls nothing", () => {
        expect(mocks.get(CONTAINER, "wired").inputs.image).toBe("sha256:0123456789abcdef");
        expect(mocks.ofType(REMOTE_IMAGE).map((r) => r.name)).not.toContain("wired-image");
    });

    it("keeps no capability when its image runs as 999 from the start", () => {
        expect(mocks.get(CONTAINER, "wired").inputs.capabilities).toEqual({ drops: ["ALL"] });
    });

    it("joins the backend network before the proxy network", () => {
        expect(networksOf(mocks.get(CONTAINER, "wired"))).toEqual([{ name: "db-net" }, { name: "traefik_default" }]);
        expect(labelsOf(mocks.get(CONTAINER, "wired"))["traefik.docker.network"]).toBe("traefik_default");
    });

    it("connects on the database port it is given as an output", () => {
        expect(envOf(mocks.get(CONTAINER, "wired"))).toMatchObject({ POSTGRES_PORT: "6543" });
        expect(uploadOf(mocks.get(CONTAINER, "wired"), "/opt/geostack/secrets/database-password").content).toBe("s3cret");
    });

    it("protects the data directory from destroy and keeps it when deleted, with protectData, but never the tile cache", () => {
        expect(mocks.get(VOLUME, "wired-data").options).toMatchObject({ protect: true, retainOnDelete: true });
        expect(mocks.get(VOLUME, "wired-tiles").options).toMatchObject({ protect: false, retainOnDelete: false });
    });

    it("takes the names, origins and quota it is given", () => {
        const container = mocks.get(CONTAINER, "wired");
        const files = reveal<{ file: string }[]>(container.inputs.uploads).map((u) => u.file);
        expect(files).toContain("/opt/geostack/seed/new-data-dir/workspaces/city/roads/datastore.xml");
        // No quota: GeoStack writes no geowebcache-diskquota.xml, and GeoServer's settings rule.
        expect(files.filter((f) => f.includes("diskquota"))).toEqual([]);
        const labels = labelsOf(container);
        expect(Object.keys(labels).filter((k) => k.includes("accesscontrol"))).toEqual([]);
        expect(labels["traefik.http.routers.other-geoserver-public.middlewares"]).not.toContain("cors");
    });
});

describe("GeoServer refuses bad args before registering anything", () => {
    const context = 'Invalid arguments for GeoServer "bad"';
    const base = { domain: "maps.example.org", proxyNetworkName: "edge", ...DATABASE, databasePassword: "pw" };
    const cases: RefusalCase[] = [
        { args: { namePrefix: "-x" } },
        { args: { domain: "http://maps.example.org" } },
        { args: { domain: undefined } },
        { args: { adminUser: "1admin" } },
        { args: { memoryMb: 512 } },
        { args: { cpus: "0" } },
        { args: { adminAllowlist: ["10.0.0.0/33"] } },
        { args: { rateLimitAverage: 0 } },
        { args: { rateLimitBurst: 1.5 } },
        { args: { httpPort: 1.5 } },
        { args: { httpsPort: -1 } },
        { args: { workspace: "web" } },
        { args: { store: "../postgis" } },
        { args: { corsAllowedOrigins: ["https://maps.example.org/"] } },
        { args: { tileCacheQuotaMb: 10 } },
        { args: { tls: true, httpPort: 8443, httpsPort: 8443 }, message: /^httpsPort = 8443: expected another port than httpPort \(8443\)/ },
        {
            args: { tls: true, domain: "maps.local" },
            message: /^domain = "maps\.local": expected a public DNS name Let's Encrypt can certify .*, since tls is true; set tls to false/,
        },
    ];

    it("has a case for every arg with a check and every rule", () => {
        expect(uncovered(GEOSERVER_SPEC, base, cases)).toEqual({ args: [], rules: [] });
    });

    it.each(cases.map((c) => [titleOf(c), c] as const))("%s", (_, refusal) =>
        expectRefusal(GEOSERVER_SPEC, context, base, refusal, (args) => new GeoServer("bad", args as any)),
    );

    it("takes the component name as the name prefix only if Docker can use it", async () => {
        const { error, registered } = await attempt(() => new GeoServer("bad name", base));
        expect((error as Error).message).toMatch(/namePrefix = "bad name": expected a prefix of lower-case letters/);
        expect(registered).toEqual([]);
    });
});
