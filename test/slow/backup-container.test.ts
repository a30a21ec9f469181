// The backup container exactly as the Backup component declares it, on a real Docker Engine. Its inputs come from the
// component under the provider mocks; they are created through the Engine API as the provider creates containers
// (uploads: a tar extracted at `/`), on an image of this machine's PostgreSQL + PostGIS packages shaped like
// postgis/postgis (user postgres 999, its data directory a VOLUME, STOPSIGNAL SIGINT). A server container of that
// image, set up by GeoStack's real init script, is what it backs up, over the internal network.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backup } from "../../components";
import { postgisInitScript } from "../../components/postgis/init-script";
import { installMocks, reveal } from "../../tools/render/mocks";
import { Dockerd, dockerAvailable, hostImage } from "../support/docker";
import { findPostgres, runOk } from "../support/pg-cluster";
import { registrationsDone } from "../support/refusals";
import { CONTAINER, VOLUME } from "../support/resources";

const REQUIRE = process.env.GEOSTACK_REQUIRE_POSTGRES === "1";
const pg = findPostgres();
const available = dockerAvailable && pg.ok;
if (!available) console.warn(`[backup-container.test] ${REQUIRE ? "FAILING" : "SKIPPING"}: needs root, docker.io and PostgreSQL + PostGIS`);

const IMAGE = "geostack-facts:postgis-like";
const SUPERUSER_PASSWORD = "superuser-password-of-this-test";
// What geostack-backup calls besides PostgreSQL's programs, all in the Debian-based postgis/postgis images.
const TOOLS =
    "env bash sh tar gzip cat cp mv rm ln mkdir rmdir ls date sha256sum stat sort cut tr du tail readlink dirname sleep touch chmod sync cmp find sed grep awk flock seq true";

let tmp = "";
let dockerd: Dockerd;
let backup: any;
let started = 0;

/** "30s", "1m0s" as the Engine wants durations: nanoseconds. */
const nanoseconds = (duration: string) =>
    [...duration.matchAll(/(\d+)(h|m|s)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * { h: 3600, m: 60, s: 1 }[unit as "h" | "m" | "s"], 0) * 1e9;

/**
 * The Engine API's create request for provider inputs. Two differences: the provider creates a container on the
 * default bridge and moves it to its networks before starting it, and this engine runs without the default bridge, so
 * the container is created on its (single) network directly; and `docker import` cannot give an image a STOPSIGNAL,
 * so postgis/postgis's, SIGINT, is the container's (the component sets none: the image's applies).
 */
function createRequest(inputs: any): unknown {
    const network = inputs.networksAdvanced?.[0];
    expect(inputs.stopSignal).toBeUndefined();
    return {
        Image: inputs.image,
        StopSignal: "SIGINT",
        User: inputs.user,
        Env: inputs.envs,
        Entrypoint: inputs.entrypoints,
        Cmd: inputs.command,
        Labels: Object.fromEntries((inputs.labels ?? []).map((l: any) => [l.label, l.value])),
        StopTimeout: inputs.stopTimeout,
        Healthcheck: inputs.healthcheck && {
            Test: inputs.healthcheck.tests,
            Interval: nanoseconds(inputs.healthcheck.interval),
            Timeout: nanoseconds(inputs.healthcheck.timeout),
            StartPeriod: nanoseconds(inputs.healthcheck.startPeriod),
            Retries: inputs.healthcheck.retries,
        },
        HostConfig: {
            Binds: (inputs.volumes ?? []).map((v: any) => `${v.volumeName}:${v.containerPath}${v.readOnly ? ":ro" : ""}`),
            ReadonlyRootfs: Boolean(inputs.readOnly),
            Init: inputs.init,
            Tmpfs: inputs.tmpfs,
            CapDrop: inputs.capabilities?.drops,
            CapAdd: inputs.capabilities?.adds,
            SecurityOpt: inputs.securityOpts,
            Memory: inputs.memory ? inputs.memory * 1024 * 1024 : undefined,
            MemorySwap: inputs.memorySwap ? inputs.memorySwap * 1024 * 1024 : undefined,
            RestartPolicy: { Name: inputs.restart },
            NetworkMode: network?.name ?? "none",
        },
        NetworkingConfig: network ? { EndpointsConfig: { [network.name]: { Aliases: network.aliases ?? [] } } } : undefined,
    };
}

/**
 * One upload as the provider sends it: a tar of the file at its full path, extracted at `/`, with its mode, and its
 * owner and group in the tar header when given (root's otherwise).
 */
function uploadTar(file: string, content: string, mode: string, owner = "0", group = "0"): Buffer {
    const dir = fs.mkdtempSync(path.join(tmp, "upload-"));
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
    fs.chmodSync(path.join(dir, file), Number.parseInt(mode, 8));
    const tar = path.join(dir, "upload.tar");
    runOk("tar", ["--create", "--file", tar, "--directory", dir, "--numeric-owner", `--owner=${owner}`, `--group=${group}`, file.replace(/^\//, "")]);
    return fs.readFileSync(tar);
}

async function provide(inputs: any, start: boolean): Promise<string> {
    const created = await dockerd.api("POST", `/containers/create?name=${inputs.name}`, createRequest(inputs));
    if (created.status !== 201) throw new Error(`create ${inputs.name}: ${created.status} ${created.body}`);
    const id = JSON.parse(created.body).Id;
    for (const upload of inputs.uploads ?? []) {
        const put = await dockerd.api(
            "PUT",
            `/containers/${id}/archive?path=/`,
            uploadTar(upload.file, upload.content, upload.permissions, upload.owner, upload.group),
            "application/x-tar",
        );
        if (put.status !== 200) throw new Error(`upload ${upload.file} into ${inputs.name}: ${put.status} ${put.body}`);
    }
    if (start) {
        const r = await dockerd.api("POST", `/containers/${id}/start`);
        if (r.status !== 204) throw new Error(`start ${inputs.name}: ${r.status} ${r.body}`);
    }
    return id;
}

const SERVER_START = `set -euo pipefail
data=/var/lib/postgresql/data/pgdata
if [ ! -s "$data/PG_VERSION" ]; then
  printf %s "$SUPERUSER_PASSWORD" > /tmp/pw
  initdb -D "$data" -U postgres --pwfile=/tmp/pw --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C > /dev/null
  printf "listen_addresses = '*'\\nunix_socket_directories = '/tmp'\\n" >> "$data/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$data/pg_hba.conf"
  pg_ctl -D "$data" -o "-c listen_addresses=''" -w start > /dev/null
  export PGHOST=/tmp POSTGRES_USER=postgres POSTGRES_DB=postgres
  psql -X -q -v ON_ERROR_STOP=1 -U postgres -d postgres -c 'CREATE EXTENSION postgis'
  bash /init/20-geostack.sh
  psql -X -q -v ON_ERROR_STOP=1 -U postgres -d gis -c "CREATE TABLE public.sites AS SELECT g AS id, ST_SetSRID(ST_MakePoint(g, g), 4326) AS geom FROM generate_series(1, 500) g"
  pg_ctl -D "$data" -m fast -w stop > /dev/null
fi
exec postgres -D "$data"
`;

beforeAll(async () => {
    if (!available) {
        if (REQUIRE) throw new Error("GEOSTACK_REQUIRE_POSTGRES=1 but root, docker.io or PostgreSQL is missing");
        return;
    }
    if (!pg.ok) return;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-container-"));
    dockerd = new Dockerd(tmp);
    await dockerd.start();
    const lib = path.dirname(pg.bindir);
    const major = Number(path.basename(lib));
    hostImage(dockerd, IMAGE, {
        tools: TOOLS.split(" "),
        trees: [lib, `/usr/share/postgresql/${major}`, "/usr/share/zoneinfo"],
        // LLVM for JIT compilation (a hundred megabytes): without it PostgreSQL simply does not compile queries.
        leaveOut: ["llvmjit*", "bitcode"],
        dirs: {
            "var/lib/postgresql": [999, 999, 0o1777],
            "var/lib/postgresql/data": [999, 999, 0o1777],
            "var/run/postgresql": [999, 999, 0o3777],
        },
        files: {
            "etc/passwd": "root:x:0:0:root:/root:/bin/bash\npostgres:x:999:999::/var/lib/postgresql:/bin/bash\n",
            "etc/group": "root:x:0:\npostgres:x:999:\n",
        },
        changes: ["VOLUME /var/lib/postgresql/data", `ENV PATH=${pg.bindir}:/usr/bin`],
    });
    const imageId = dockerd.ok(["image", "inspect", "--format", "{{.Id}}", IMAGE]);

    // GeoStack's backend network is internal.
    dockerd.ok(["network", "create", "--internal", "ct-backend"]);
    dockerd.ok(["volume", "create", "ct-pgdata"]);
    const server = dockerd.ok([
        "create",
        "--name",
        "ct-postgis",
        "--network",
        "ct-backend",
        "--network-alias",
        "postgis",
        "--user",
        "999:999",
        "--volume",
        "ct-pgdata:/var/lib/postgresql/data",
        "--env",
        `SUPERUSER_PASSWORD=${SUPERUSER_PASSWORD}`,
        "--env",
        "GEOSERVER_DB_PASSWORD_FILE=/init/geoserver-db-password",
        IMAGE,
        "bash",
        "/init/start.sh",
    ]);
    await dockerd.api("PUT", `/containers/${server}/archive?path=/`, uploadTar("/init/start.sh", SERVER_START, "0755"), "application/x-tar");
    await dockerd.api("PUT", `/containers/${server}/archive?path=/`, uploadTar("/init/20-geostack.sh", postgisInitScript(), "0755"), "application/x-tar");
    const geoserverPassword = uploadTar("/init/geoserver-db-password", "geoserver-pw", "0400", "999", "999");
    await dockerd.api("PUT", `/containers/${server}/archive?path=/`, geoserverPassword, "application/x-tar");
    dockerd.ok(["start", "ct-postgis"]);
    const ready = () => dockerd.cli(["exec", "ct-postgis", "pg_isready", "-q", "-h", "127.0.0.1"]).status === 0;
    for (let i = 0; i < 600 && !ready(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!ready()) {
        const logs = dockerd.cli(["logs", "ct-postgis"]);
        const state = dockerd.cli(["inspect", "--format", "{{.State.Status}} exit {{.State.ExitCode}} {{.State.Error}}", "ct-postgis"]);
        throw new Error(`the server container did not start (${state.stdout.trim()}):\n${logs.stdout}${logs.stderr}`);
    }

    dockerd.ok(["volume", "create", "ct-geoserver-data"]);
    const data = dockerd.mountpoint("ct-geoserver-data");
    fs.mkdirSync(path.join(data, "workspaces/gis"), { recursive: true });
    fs.writeFileSync(path.join(data, "workspaces/gis/workspace.xml"), "<workspace/>");
    runOk("chown", ["-R", "999:999", data]);

    pulumi.runtime.setAllConfig({});
    const mocks = installMocks("geostack", "container-test");
    new Backup("ct", {
        namePrefix: "ct",
        networkName: "ct-backend",
        image: imageId,
        postgresMajor: major,
        databaseHost: "postgis",
        superuserPassword: pulumi.secret(SUPERUSER_PASSWORD),
        geoserverDataVolumeName: "ct-geoserver-data",
    });
    await registrationsDone();
    for (const volume of mocks.ofType(VOLUME)) dockerd.ok(["volume", "create", reveal(volume.inputs.name)]);
    await provide(reveal(mocks.get(CONTAINER, "ct-files").inputs), false);
    backup = reveal(mocks.get(CONTAINER, "ct").inputs);
    started = Date.now();
    await provide(backup, true);
}, 240_000);

afterAll(async () => {
    await dockerd?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!available && !REQUIRE)("the backup container on a real Docker Engine, as the component declares it", () => {
    it("takes its first backup as soon as it starts, and drills it, on a read-only root as postgres", async () => {
        const backups = dockerd.mountpoint("ct-backups");
        const manifest = () => path.join(backups, "latest", "manifest.json");
        const failed = () => fs.existsSync(path.join(backups, ".status", "last-run")) && !fs.existsSync(manifest());
        for (let i = 0; i < 1200 && !fs.existsSync(manifest()) && !failed(); i++) await new Promise((r) => setTimeout(r, 100));
        const logs = dockerd.cli(["logs", "ct-backup"]);
        const status = path.join(backups, ".status", "last-run");
        expect(
            fs.existsSync(manifest()),
            `${logs.stdout}${logs.stderr}${fs.existsSync(status) ? fs.readFileSync(status, "utf8") : ""}${runOk("ls", ["-lnR", dockerd.mountpoint("ct-backup-files")])}`,
        ).toBe(true);
        const written = JSON.parse(fs.readFileSync(manifest(), "utf8"));
        expect(written.drill).toMatchObject({ result: "passed", check: { problems: [] } });
        expect(written.tables.find((t: any) => t.table === "sites")).toMatchObject({ rows: 500, owner: "postgres" });
        expect(written.geoserverData).toMatchObject({ attempts: 1 });
        expect(fs.statSync(path.join(backups, written.name, "gis.dump")).uid).toBe(999);
        expect(dockerd.ok(["inspect", "--format", "{{.HostConfig.ReadonlyRootfs}} {{.Config.User}} {{.HostConfig.Init}}", "ct-backup"])).toBe(
            "true 999:999 true",
        );
        expect(Date.now() - started).toBeLessThan(120_000);
    }, 150_000);

    it("answers the documented commands through docker exec, and its health command says healthy", () => {
        expect(dockerd.ok(["exec", "ct-backup", "/opt/geostack/geostack-backup", "list"])).toMatch(/^\d{8}T\d{6}Z +passed /m);
        expect(dockerd.ok(["exec", "ct-backup", ...backup.healthcheck.tests.slice(1)])).toMatch(/^healthy: backup \d{8}T\d{6}Z passed its drill/);
        // The password reached it as a file of its own user's alone, never through its environment.
        expect(dockerd.ok(["inspect", "--format", "{{json .Config.Env}}", "ct-backup"])).not.toContain(SUPERUSER_PASSWORD);
        const password = fs.statSync(path.join(dockerd.mountpoint("ct-backup-files"), "db-password"));
        expect([password.uid, password.gid, (password.mode & 0o777).toString(8)]).toEqual([999, 999, "400"]);
    });

    it("stops on the image's stop signal at once, cleanly", () => {
        const before = Date.now();
        dockerd.ok(["stop", "ct-backup"]);
        expect(Date.now() - before).toBeLessThan(10_000);
        expect(dockerd.ok(["inspect", "--format", "{{.State.ExitCode}}", "ct-backup"])).toBe("0");
    }, 60_000);
});
