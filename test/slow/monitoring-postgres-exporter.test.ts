// Debian's postgres_exporter against a real, throwaway PostgreSQL + PostGIS set up by GeoStack's own first-init
// steps (20-geostack.sh, then 30-geostack-monitor.sh, as the image's entrypoint runs them), logged in as the monitor
// role with its password in a file, exactly as the Monitoring component configures it: it reads the statistics
// (pg_up 1) and nothing else (no gis table, no connection to gis, no catalog of passwords).
// Skipped without PostgreSQL/PostGIS or the exporter, unless GEOSTACK_REQUIRE_POSTGRES=1 and GEOSTACK_REQUIRE_MONITORING=1.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresExporterEnv } from "../../components/monitoring/config";
import { GEOSERVER_DB_PASSWORD_FILE_ENV, GEOSERVER_DB_ROLE, GIS_DATABASE, postgisInitScript } from "../../components/postgis/init-script";
import { MONITOR_DATABASE, MONITOR_DB_PASSWORD_FILE_ENV, MONITOR_DB_ROLE, monitorRoleScript } from "../../components/postgis/monitor-role";

const bindir = fs.existsSync("/usr/lib/postgresql")
    ? fs
          .readdirSync("/usr/lib/postgresql")
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
          .find((d) => fs.existsSync(`${d}/initdb`))
    : undefined;
const exporter = "/usr/bin/prometheus-postgres-exporter";
const pgUid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout);
const pgGid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout);
const ready = bindir !== undefined && fs.existsSync(exporter) && process.getuid?.() === 0 && pgUid > 0;
if (!ready && (process.env.GEOSTACK_REQUIRE_POSTGRES === "1" || process.env.GEOSTACK_REQUIRE_MONITORING === "1")) {
    throw new Error("PostgreSQL, PostGIS, prometheus-postgres-exporter and root are required: .ci/install-postgres.sh, .ci/install-monitoring.sh");
}

const asPostgres = { uid: pgUid, gid: pgGid };
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, asUser = true) {
    const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH, ...env }, ...(asUser ? asPostgres : {}) });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

describe.skipIf(!ready)("postgres_exporter as the monitor role, on a cluster set up by GeoStack's init steps", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-pgmon-"));
    const data = path.join(tmp, "data");
    const monitorPassword = randomBytes(16).toString("hex");
    let port = 0;
    let metricsPort = 0;
    let exporterProcess: ChildProcess | undefined;
    const bin = (name: string) => `${bindir}/${name}`;
    const file = (name: string, content: string, mode: number) => {
        const p = path.join(tmp, name);
        fs.writeFileSync(p, content, { mode });
        fs.chownSync(p, pgUid, pgGid);
        return p;
    };
    const superSql = (db: string, sql: string) =>
        run(bin("psql"), ["-X", "-tA", "-v", "ON_ERROR_STOP=1", "-h", tmp, "-p", String(port), "-U", "postgres", "-d", db, "-c", sql]);
    const monitorSql = (db: string, sql: string) =>
        run(bin("psql"), ["-X", "-tA", "-w", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", MONITOR_DB_ROLE, "-d", db, "-c", sql], {
            PGPASSWORD: monitorPassword,
        });

    beforeAll(async () => {
        fs.chownSync(tmp, pgUid, pgGid);
        const pw = file("superuser-password", randomBytes(16).toString("hex"), 0o600);
        expect(
            run(bin("initdb"), ["-D", data, "-U", "postgres", `--pwfile=${pw}`, "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"]).status,
        ).toBe(0);
        port = await freePort();
        fs.appendFileSync(
            path.join(data, "postgresql.conf"),
            `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${tmp}'\nfsync = off\n`,
        );
        const started = run(bin("pg_ctl"), ["-D", data, "-l", path.join(tmp, "log"), "-w", "start"]);
        expect(started.status, started.out).toBe(0);
        // What the image's 10_postgis.sh does first, then our two steps in the entrypoint's order.
        superSql("postgres", "CREATE DATABASE template_postgis IS_TEMPLATE true");
        superSql("postgres", "CREATE EXTENSION IF NOT EXISTS postgis");
        const env = { POSTGRES_USER: "postgres", POSTGRES_DB: "postgres", PGHOST: tmp, PGPORT: String(port) };
        const first = run("bash", [file("20-geostack.sh", postgisInitScript(), 0o555)], {
            ...env,
            [GEOSERVER_DB_PASSWORD_FILE_ENV]: file("geoserver-password", randomBytes(16).toString("hex"), 0o400),
        });
        expect(first.status, first.out).toBe(0);
        const second = run("bash", [file("30-geostack-monitor.sh", monitorRoleScript(), 0o555)], {
            ...env,
            [MONITOR_DB_PASSWORD_FILE_ENV]: file("monitor-password", monitorPassword, 0o400),
        });
        expect(second.status, second.out).toBe(0);
        // A table of the GIS team's, as GeoServer's role creates it.
        expect(
            superSql(GIS_DATABASE, `SET ROLE ${GEOSERVER_DB_ROLE}; CREATE TABLE parcels (id int, geom geometry); INSERT INTO parcels VALUES (1, NULL)`).status,
        ).toBe(0);

        metricsPort = await freePort();
        // The component's environment, with the host and the password file's path of this machine.
        const exporterEnv = Object.fromEntries(
            postgresExporterEnv({ host: `127.0.0.1:${port}`, passwordFile: file("exporter-password", monitorPassword, 0o400) }).map((e) =>
                e.split(/=(.*)/s).slice(0, 2),
            ),
        );
        exporterProcess = spawn(exporter, [`--web.listen-address=127.0.0.1:${metricsPort}`], {
            env: { PATH: process.env.PATH, ...exporterEnv },
            ...asPostgres,
            stdio: "ignore",
        });
    }, 120_000);

    afterAll(() => {
        exporterProcess?.kill("SIGTERM");
        if (bindir) run(bin("pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    async function metrics(): Promise<string> {
        for (let i = 0; ; i++) {
            try {
                return await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
            } catch (error) {
                if (i > 50) throw error;
                await new Promise((r) => setTimeout(r, 100));
            }
        }
    }

    it("reads the cluster's statistics: pg_up 1 and per-database counters", async () => {
        const text = await metrics();
        expect(text).toMatch(/^pg_up 1$/m);
        expect(text).toMatch(new RegExp(`^pg_stat_database_xact_commit\\{datid="\\d+",datname="${GIS_DATABASE}"`, "m"));
    });

    it("reads what pg_monitor grants: other sessions' activity and the settings", () => {
        expect(monitorSql(MONITOR_DATABASE, "SELECT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')").out.trim()).toBe("t");
        expect(monitorSql(MONITOR_DATABASE, "SHOW data_directory").status).toBe(0);
    });

    it("reads nothing else: no connection to gis, no table, no password hashes, no writes", () => {
        const gis = monitorSql(GIS_DATABASE, "SELECT count(*) FROM parcels");
        expect(gis.status).not.toBe(0);
        expect(gis.out).toMatch(/permission denied for database "gis"/);
        expect(monitorSql(MONITOR_DATABASE, "SELECT rolpassword FROM pg_authid").out).toMatch(/permission denied for table pg_authid/);
        expect(monitorSql(MONITOR_DATABASE, "CREATE TABLE t (i int)").out).toMatch(/permission denied for schema public/);
        expect(monitorSql("template1", "SELECT 1").out).toMatch(/permission denied for database "template1"/);
    });
});
