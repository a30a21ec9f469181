// Postgis on its own, as another project uses it: no GeoStack around it, no stack config, only the args it is given.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Postgis, POSTGIS_SPEC } from "../../components";
import { installMocks, type ProviderMocks, reveal, settle } from "../../tools/render/mocks";
import { attempt, expectRefusal, type RefusalCase, registrationsDone, titleOf, uncovered } from "../support/refusals";
import { CONTAINER, NETWORK, VOLUME } from "../support/resources";

let mocks: ProviderMocks;
let appdb: Postgis;
let published: Postgis;

beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    mocks = installMocks("some-other-project", "staging");
    appdb = new Postgis("appdb", { networkName: "app-net" });
    new Postgis("db", {
        namePrefix: "app-test",
        networkName: "app-net",
        image: "postgis/postgis:18-3.6",
        protectData: true,
        extensions: ["postgis_topology", "postgis_raster", "postgis_topology"],
    });
    new Postgis("small", { networkName: "app-net", image: "postgis/postgis:17-3.5-alpine" });
    new Postgis("routing", { networkName: "app-net", image: "pgrouting/pgrouting:17-3.5-3.8", extensions: ["pgrouting"] });
    published = new Postgis("laptop", { networkName: "app-net", publishPort: 15432 });
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

describe("Postgis given only a network", () => {
    it("creates only its own passwords, volume and container, named after the component", async () => {
        expect(await children(appdb)).toEqual([
            "docker:index/container:Container appdb",
            "docker:index/remoteImage:RemoteImage appdb-image",
            "docker:index/volume:Volume appdb-data-pg17",
            "random:index/randomPassword:RandomPassword appdb-geoserver-password",
            "random:index/randomPassword:RandomPassword appdb-monitor-password",
            "random:index/randomPassword:RandomPassword appdb-superuser-password",
        ]);
        expect(mocks.get(CONTAINER, "appdb").inputs.name).toBe("appdb-postgis");
        expect(mocks.get(VOLUME, "appdb-data-pg17").inputs.name).toBe("appdb-postgis17-data");
    });

    it("joins the given network as `postgis` and publishes nothing", () => {
        const container = mocks.get(CONTAINER, "appdb");
        expect(reveal(container.inputs.networksAdvanced)).toEqual([{ name: "app-net", aliases: ["postgis"] }]);
        expect(container.inputs.ports).toEqual([]);
    });

    it("runs as the image's postgres user with no capability, its password files readable by that user alone", () => {
        for (const [name, id] of [
            ["appdb", "999"],
            ["small", "70"],
        ]) {
            const container = mocks.get(CONTAINER, name);
            expect(container.inputs.user, name).toBe(`${id}:${id}`);
            expect(container.inputs.capabilities, name).toEqual({ drops: ["ALL"] });
            const secrets = reveal<any[]>(container.inputs.uploads).filter((u) => u.file.startsWith("/run/secrets/"));
            expect(
                secrets.map((u) => `${u.file} ${u.owner}:${u.group} ${u.permissions}`),
                name,
            ).toEqual([
                `/run/secrets/postgres-password ${id}:${id} 0400`,
                `/run/secrets/geoserver-db-password ${id}:${id} 0400`,
                `/run/secrets/monitor-db-password ${id}:${id} 0400`,
            ]);
        }
    });

    it("does not protect its data unless asked", () => {
        expect(mocks.get(VOLUME, "appdb-data-pg17").options).toMatchObject({ protect: false, retainOnDelete: false });
    });

    it("outputs the connection, the passwords secret", async () => {
        expect((await settle(appdb.host)).value).toBe("postgis");
        expect((await settle(appdb.port)).value).toBe(5432);
        expect((await settle(appdb.database)).value).toBe("gis");
        expect((await settle(appdb.username)).value).toBe("geoserver");
        expect((await settle(appdb.password)).secret).toBe(true);
        expect((await settle(appdb.superuserPassword)).secret).toBe(true);
        expect((await settle(appdb.publishedAddress)).value).toBe("");
    });

    it("names nothing after the project or stack it runs in", () => {
        for (const r of mocks.resources) expect(JSON.stringify(reveal(r.inputs))).not.toMatch(/some-other-project|staging/);
    });

    it("creates no optional extension: no extensions script is uploaded", () => {
        const files = reveal<{ file: string }[]>(mocks.get(CONTAINER, "appdb").inputs.uploads).map((u) => u.file);
        expect(files).toContain("/docker-entrypoint-initdb.d/20-geostack.sh");
        expect(files).not.toContain("/docker-entrypoint-initdb.d/30-extensions.sh");
    });
});

describe("Postgis on PostgreSQL 18, protected", () => {
    it("mounts the cluster one level up, in a volume named for major 18", () => {
        expect(mocks.get(CONTAINER, "db").inputs.volumes).toEqual([{ volumeName: "app-test-postgis18-data", containerPath: "/var/lib/postgresql" }]);
    });

    it("protects the data volume from destroy and keeps it when deleted", () => {
        expect(mocks.get(VOLUME, "db-data-pg18").options).toMatchObject({ protect: true, retainOnDelete: true });
    });

    it("creates the extensions it is asked for on first init, after gis exists, each once", () => {
        const uploads = reveal<{ file: string; content: string; permissions: string }[]>(mocks.get(CONTAINER, "db").inputs.uploads);
        const init = uploads.find((u) => u.file === "/docker-entrypoint-initdb.d/20-geostack.sh")!;
        const extensions = uploads.find((u) => u.file === "/docker-entrypoint-initdb.d/30-extensions.sh")!;
        // The image's entrypoint runs /docker-entrypoint-initdb.d/ in name order: after the script that makes gis.
        expect([init.file, extensions.file].sort()).toEqual([init.file, extensions.file]);
        // Executable, like 20-geostack.sh: the entrypoint (running as postgres) executes it.
        expect(extensions.permissions).toBe(init.permissions);
        expect(extensions.content.match(/CREATE EXTENSION IF NOT EXISTS \w+/g)).toEqual([
            "CREATE EXTENSION IF NOT EXISTS postgis_raster",
            "CREATE EXTENSION IF NOT EXISTS postgis_topology",
        ]);
    });
});

describe("Postgis on a pgRouting image", () => {
    it("creates pgrouting, which that image has", () => {
        const uploads = reveal<{ file: string; content: string }[]>(mocks.get(CONTAINER, "routing").inputs.uploads);
        expect(uploads.find((u) => u.file === "/docker-entrypoint-initdb.d/30-extensions.sh")?.content).toContain(
            "CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE;",
        );
    });
});

describe("Postgis with a published port", () => {
    it("publishes 5432 on the loopback address only", async () => {
        expect(mocks.get(CONTAINER, "laptop").inputs.ports).toEqual([{ internal: 5432, external: 15432, ip: "127.0.0.1" }]);
        expect((await settle(published.publishedAddress)).value).toBe("127.0.0.1:15432");
    });

    // Docker publishes no port of a container that is only on internal networks (GeoStack's backend is internal).
    it("also joins a network of its own, which is not internal", () => {
        expect(reveal(mocks.get(CONTAINER, "laptop").inputs.networksAdvanced)).toEqual([
            { name: "app-net", aliases: ["postgis"] },
            { name: "laptop-postgis-publish" },
        ]);
        expect(mocks.get(NETWORK, "laptop-publish").inputs).toMatchObject({ name: "laptop-postgis-publish", driver: "bridge" });
        expect(mocks.get(NETWORK, "laptop-publish").inputs.internal).toBeUndefined();
    });
});

describe("Postgis refuses bad args before registering anything", () => {
    const context = 'Invalid arguments for Postgis "bad"';
    const base = { networkName: "app-net" };
    const cases: RefusalCase[] = [
        { args: { namePrefix: "-x" } },
        { args: { image: "postgres:17" } },
        { args: { image: "postgis/postgis:13-3.5" } },
        { args: { memoryMb: 10 } },
        { args: { cpus: "12" } },
        { args: { publishPort: 99999 } },
        { args: { extensions: ["postgis_raster", "h3"] } },
        {
            args: { image: "postgis/postgis:17-3.5", extensions: ["pgrouting"] },
            message:
                /^image = "postgis\/postgis:17-3\.5": expected an image with pgRouting for pgrouting: postgis\/postgis images have no pgRouting; pgrouting\/pgrouting's/,
        },
    ];

    it("has a case for every arg with a check", () => {
        expect(uncovered(POSTGIS_SPEC, base, cases)).toEqual({ args: [], rules: [] });
    });

    it.each(cases.map((c) => [titleOf(c), c] as const))("%s", (_, refusal) =>
        expectRefusal(POSTGIS_SPEC, context, base, refusal, (args) => new Postgis("bad", args as any)),
    );

    it("lists every problem in one error, each with the arg, the value and what is expected", async () => {
        const { error } = await attempt(
            () => new Postgis("bad", { namePrefix: "p", networkName: "n", image: "postgres:17", memoryMb: 10, publishPort: 99999 }),
        );
        expect((error as Error).message).toMatch(
            /^Invalid arguments for Postgis "bad" \(nothing was created\):\n {2}- image = "postgres:17": expected a postgis\/postgis image.*\n {2}- memoryMb = 10: expected .*at least 256\n {2}- publishPort = 99999: expected an integer TCP port.*$/,
        );
    });

    it("takes the component name as the name prefix only if Docker can use it", async () => {
        const { error, registered } = await attempt(() => new Postgis("bad name", { networkName: "n" }));
        expect((error as Error).message).toMatch(/namePrefix = "bad name": expected a prefix of lower-case letters/);
        expect(registered).toEqual([]);
    });
});
