// Runs the PostGIS first-init script against a real, throwaway PostgreSQL
// cluster, the way the postgis/postgis image's entrypoint would, then checks
// what the geoserver role can and cannot do over password-checked TCP.
//
// Needs PostgreSQL server binaries and the PostGIS extension (see
// .ci/install-postgres.sh). Without them the suite is skipped with a warning,
// unless GEOSTACK_REQUIRE_POSTGRES=1 (CI), where it fails instead.
// GEOSTACK_PG_BINDIR=<dir> forces the server binary directory.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { GEOSERVER_DB_PASSWORD_ENV, GEOSERVER_DB_ROLE, GIS_DATABASE, POSTGIS_INIT_SCRIPT_PATH, postgisInitScript } from "../../components/postgis/init-script";

// ---------------------------------------------------------------- processes

interface RunOptions {
    env?: NodeJS.ProcessEnv;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
    /** uid/gid to drop to (PostgreSQL refuses to run as root). */
    asUser?: { uid: number; gid: number };
}

interface RunResult {
    command: string;
    status: number | null;
    stdout: string;
    stderr: string;
}

function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
    const r = spawnSync(cmd, args, {
        encoding: "utf8",
        env: opts.env ?? process.env,
        input: opts.input,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 30_000,
        killSignal: "SIGKILL",
        uid: opts.asUser?.uid,
        gid: opts.asUser?.gid,
    });
    const command = [cmd, ...args].join(" ");
    if (r.error) throw new Error(`${command}: ${r.error.message}\n${r.stderr ?? ""}`);
    return { command, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function describeFailure(r: RunResult): string {
    return `${r.command}\nexit status: ${r.status}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

function runOk(cmd: string, args: string[], opts: RunOptions = {}): string {
    const r = run(cmd, args, opts);
    if (r.status !== 0) throw new Error(`command failed: ${describeFailure(r)}`);
    return r.stdout;
}

function tryOutput(cmd: string, args: string[]): string | undefined {
    try {
        const r = run(cmd, args, { timeoutMs: 10_000 });
        return r.status === 0 ? r.stdout.trim() : undefined;
    } catch {
        return undefined;
    }
}

// ---------------------------------------------------------------- discovery

const SERVER_BINARIES = ["initdb", "pg_ctl", "postgres", "psql"];

type PgLookup = { ok: true; bindir: string; sharedir: string; pgUser?: { uid: number; gid: number } } | { ok: false; missing: string };

function hasServerBinaries(dir: string): boolean {
    return SERVER_BINARIES.every((b) => fs.existsSync(path.join(dir, b)));
}

function debianBindirs(): string[] {
    const base = "/usr/lib/postgresql";
    if (!fs.existsSync(base)) return [];
    return fs
        .readdirSync(base)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => parseFloat(b) - parseFloat(a))
        .map((v) => path.join(base, v, "bin"));
}

function findSharedir(bindir: string): string | undefined {
    const ownPgConfig = path.join(bindir, "pg_config");
    if (fs.existsSync(ownPgConfig)) {
        const dir = tryOutput(ownPgConfig, ["--sharedir"]);
        if (dir) return dir;
    }
    if (tryOutput("pg_config", ["--bindir"]) === bindir) {
        const dir = tryOutput("pg_config", ["--sharedir"]);
        if (dir) return dir;
    }
    const version = tryOutput(path.join(bindir, "postgres"), ["--version"]);
    const major = version?.match(/(\d+)(?:\.\d+)?/)?.[1];
    return major ? `/usr/share/postgresql/${major}` : undefined;
}

function findPostgres(): PgLookup {
    const forced = process.env.GEOSTACK_PG_BINDIR;
    const candidates = forced ? [forced] : [tryOutput("pg_config", ["--bindir"]), ...debianBindirs()].filter((d): d is string => !!d);
    const bindir = candidates.find(hasServerBinaries);
    if (!bindir) {
        return {
            ok: false,
            missing: `PostgreSQL server binaries (${SERVER_BINARIES.join(", ")}) in ${
                candidates.length ? candidates.join(", ") : "pg_config --bindir or /usr/lib/postgresql/*/bin"
            }`,
        };
    }
    const sharedir = findSharedir(bindir);
    const control = sharedir && path.join(sharedir, "extension", "postgis.control");
    if (!control || !fs.existsSync(control)) {
        return { ok: false, missing: `the PostGIS extension (${control || `no sharedir found for ${bindir}`})` };
    }
    if (process.getuid?.() !== 0) return { ok: true, bindir, sharedir: sharedir as string };
    const uid = Number(tryOutput("id", ["-u", "postgres"]));
    const gid = Number(tryOutput("id", ["-g", "postgres"]));
    if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
        return { ok: false, missing: "an OS user 'postgres' to run the server as (running as root)" };
    }
    return { ok: true, bindir, sharedir: sharedir as string, pgUser: { uid, gid } };
}

const REQUIRE_POSTGRES = process.env.GEOSTACK_REQUIRE_POSTGRES === "1";
const pg = findPostgres();
const skipReal = !pg.ok && !REQUIRE_POSTGRES;
if (!pg.ok) {
    console.warn(
        REQUIRE_POSTGRES
            ? `[postgis-init.test] GEOSTACK_REQUIRE_POSTGRES=1 but missing ${pg.missing}: the suite will FAIL.`
            : `[postgis-init.test] SKIPPING the real-PostgreSQL suite: missing ${pg.missing}. ` +
                  `Run .ci/install-postgres.sh as root; set GEOSTACK_REQUIRE_POSTGRES=1 to fail instead.`,
    );
}

// ---------------------------------------------------------------- the script as text

describe("postgisInitScript (text)", () => {
    const script = postgisInitScript();

    it("is a strict bash script for the initdb.d path", () => {
        expect(POSTGIS_INIT_SCRIPT_PATH).toBe("/docker-entrypoint-initdb.d/20-geostack.sh");
        expect(script.startsWith("#!/usr/bin/env bash\n")).toBe(true);
        expect(script).toContain("set -euo pipefail");
    });

    it("passes the password only as a psql variable inside a quoted heredoc", () => {
        expect(script).toContain(`-v geoserver_password="$${GEOSERVER_DB_PASSWORD_ENV}" <<'SQL'`);
        const sql = script.slice(script.indexOf("<<'SQL'"));
        expect(sql).toContain("PASSWORD :'geoserver_password'");
        expect(sql).not.toContain("$");
    });
});

// ---------------------------------------------------------------- against a real server

describe.skipIf(skipReal)("postgis init script against a real PostgreSQL + PostGIS", () => {
    const password = `it's "q" \\ $(false) ${randomBytes(12).toString("hex")}`;
    let tmp = "";
    let dataDir = "";
    let port = 0;
    let started = false;
    let scriptFile = "";

    const bin = (name: string): string => (pg.ok ? path.join(pg.bindir, name) : name);

    /** Environment without the caller's PG* settings or password, and never a .pgpass file. */
    function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(process.env)) {
            if (!k.startsWith("PG") && k !== GEOSERVER_DB_PASSWORD_ENV) env[k] = v;
        }
        return { ...env, PGPASSFILE: path.join(tmp, "no-such-pgpass"), PGCONNECT_TIMEOUT: "10", ...extra };
    }

    /** psql as the superuser over the unix socket (trust), like the entrypoint. */
    function superPsql(db: string, sql: string): string {
        return runOk(bin("psql"), ["-X", "-v", "ON_ERROR_STOP=1", "-w", "-tA", "-h", tmp, "-p", String(port), "-U", "postgres", "-d", db, "-c", sql], {
            env: cleanEnv({}),
        }).trim();
    }

    /** psql over TCP with password auth (scram-sha-256). */
    function tcpPsql(user: string, pass: string, db: string, sql: string): RunResult {
        return run(bin("psql"), ["-X", "-v", "ON_ERROR_STOP=1", "-w", "-tA", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db, "-c", sql], {
            env: cleanEnv({ PGPASSWORD: pass }),
        });
    }

    function asGeoserver(sql: string): string {
        const r = tcpPsql(GEOSERVER_DB_ROLE, password, GIS_DATABASE, sql);
        if (r.status !== 0) throw new Error(`geoserver query failed: ${describeFailure(r)}`);
        return r.stdout.trim();
    }

    function runInitScript(extraEnv: Record<string, string>): RunResult {
        return run("bash", [scriptFile], {
            env: cleanEnv({ POSTGRES_USER: "postgres", POSTGRES_DB: "postgres", PGHOST: tmp, PGPORT: String(port), ...extraEnv }),
        });
    }

    function freePort(): Promise<number> {
        return new Promise((resolve, reject) => {
            const srv = net.createServer();
            srv.once("error", reject);
            srv.listen(0, "127.0.0.1", () => {
                const addr = srv.address();
                srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
            });
        });
    }

    beforeAll(async () => {
        if (!pg.ok) throw new Error(`GEOSTACK_REQUIRE_POSTGRES=1 but missing ${pg.missing}`);
        const user = pg.pgUser;

        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-pg-"));
        if (user) fs.chownSync(tmp, user.uid, user.gid);
        dataDir = path.join(tmp, "data");
        const pwfile = path.join(tmp, "superuser-password");
        fs.writeFileSync(pwfile, `${randomBytes(16).toString("hex")}\n`, { mode: 0o600 });
        if (user) fs.chownSync(pwfile, user.uid, user.gid);

        runOk(
            bin("initdb"),
            [
                "-D",
                dataDir,
                "--username=postgres",
                `--pwfile=${pwfile}`,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            { asUser: user, cwd: tmp, timeoutMs: 60_000 },
        );
        // Settings go into the config file rather than pg_ctl -o, which pg_ctl hands to a shell.
        const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
        for (let attempt = 1; ; attempt++) {
            port = await freePort();
            fs.appendFileSync(
                path.join(dataDir, "postgresql.conf"),
                [
                    "",
                    "listen_addresses = '127.0.0.1'",
                    `port = ${port}`,
                    `unix_socket_directories = ${quote(tmp)}`,
                    "fsync = off",
                    "synchronous_commit = off",
                    "full_page_writes = off",
                    "",
                ].join("\n"),
            );
            const r = run(bin("pg_ctl"), ["-D", dataDir, "-l", path.join(tmp, "server.log"), "-w", "-t", "30", "start"], {
                asUser: user,
                cwd: tmp,
                timeoutMs: 40_000,
            });
            if (r.status === 0) break;
            const log = fs.existsSync(path.join(tmp, "server.log")) ? fs.readFileSync(path.join(tmp, "server.log"), "utf8") : "";
            if (attempt >= 3 || !/could not bind|address already in use/i.test(log)) {
                throw new Error(`pg_ctl start failed: ${describeFailure(r)}\n--- server.log ---\n${log}`);
            }
        }
        started = true;

        // What the image's 10_postgis.sh does for $POSTGRES_DB before our script runs.
        superPsql("postgres", "CREATE EXTENSION IF NOT EXISTS postgis;");

        scriptFile = path.join(tmp, path.basename(POSTGIS_INIT_SCRIPT_PATH));
        fs.writeFileSync(scriptFile, postgisInitScript(), { mode: 0o755 });
        const r = runInitScript({ [GEOSERVER_DB_PASSWORD_ENV]: password });
        if (r.status !== 0) throw new Error(`init script failed: ${describeFailure(r)}`);
    }, 90_000);

    afterAll(() => {
        if (started && pg.ok) {
            run(bin("pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"], { asUser: pg.pgUser, cwd: tmp, timeoutMs: 30_000 });
        }
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }, 40_000);

    it("creates geoserver as a plain login role with a scram-sha-256 password", () => {
        expect(
            superPsql(
                "postgres",
                "SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) " +
                    `FROM pg_roles WHERE rolname = '${GEOSERVER_DB_ROLE}'`,
            ),
        ).toBe("t,f,f,f,f,f");
        expect(superPsql("postgres", `SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = '${GEOSERVER_DB_ROLE}'`)).toBe("SCRAM-SHA-256$");
        // No membership either: a predefined role (pg_read_all_data, pg_write_server_files...) would widen it silently.
        expect(
            superPsql("postgres", `SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = '${GEOSERVER_DB_ROLE}'`),
        ).toBe("0");
    });

    it("creates gis owned by geoserver, with PostGIS and no CONNECT/TEMP for PUBLIC", () => {
        expect(superPsql("postgres", `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${GIS_DATABASE}'`)).toBe(GEOSERVER_DB_ROLE);
        expect(superPsql(GIS_DATABASE, "SELECT extname FROM pg_extension WHERE extname = 'postgis'")).toBe("postgis");
        expect(
            superPsql(
                "postgres",
                `SELECT concat_ws(',', has_database_privilege('public', '${GIS_DATABASE}', 'CONNECT'), ` +
                    `has_database_privilege('public', '${GIS_DATABASE}', 'TEMP'))`,
            ),
        ).toBe("f,f");

        superPsql("postgres", "CREATE ROLE outsider LOGIN PASSWORD 'outsider-pw'");
        const r = tcpPsql("outsider", "outsider-pw", GIS_DATABASE, "SELECT 1");
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/permission denied for database "?gis"?/);
    });

    it("lets geoserver log in over TCP with its password and use geometry in gis", () => {
        expect(asGeoserver("SELECT current_user || '@' || current_database()")).toBe(`${GEOSERVER_DB_ROLE}@${GIS_DATABASE}`);
        asGeoserver("CREATE TABLE public.places (id serial PRIMARY KEY, name text, geom geometry(Point, 4326))");
        asGeoserver("INSERT INTO public.places (name, geom) VALUES ('Berlin', ST_SetSRID(ST_MakePoint(13.4, 52.52), 4326))");
        expect(asGeoserver("SELECT ST_AsText(geom) || '|' || ST_X(geom) || '|' || ST_SRID(geom) FROM public.places")).toBe("POINT(13.4 52.52)|13.4|4326");
        // What GeoServer reads to publish a layer.
        expect(asGeoserver("SELECT type || ',' || srid FROM geometry_columns WHERE f_table_name = 'places'")).toBe("POINT,4326");
        expect(asGeoserver("SELECT count(*) FROM spatial_ref_sys WHERE srid = 4326")).toBe("1");
    });

    it("rejects a wrong password", () => {
        const r = tcpPsql(GEOSERVER_DB_ROLE, `${password}-wrong`, GIS_DATABASE, "SELECT 1");
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`password authentication failed for user "${GEOSERVER_DB_ROLE}"`);
    });

    it("does not let geoserver create roles or databases", () => {
        const role = tcpPsql(GEOSERVER_DB_ROLE, password, GIS_DATABASE, "CREATE ROLE sneaky LOGIN");
        expect(role.status).not.toBe(0);
        expect(role.stderr).toContain("permission denied to create role");

        const db = tcpPsql(GEOSERVER_DB_ROLE, password, GIS_DATABASE, "CREATE DATABASE sneaky");
        expect(db.status).not.toBe(0);
        expect(db.stderr).toContain("permission denied to create database");
    });

    it("fails clearly, before touching the server, when the password env var is empty or unset", () => {
        const cases: Record<string, string>[] = [{ [GEOSERVER_DB_PASSWORD_ENV]: "" }, {}];
        for (const env of cases) {
            const r = runInitScript(env);
            expect(r.status).toBe(1);
            expect(r.stderr).toContain(`${GEOSERVER_DB_PASSWORD_ENV} is empty or unset`);
            expect(r.stderr).not.toContain("psql");
        }
    });
});
