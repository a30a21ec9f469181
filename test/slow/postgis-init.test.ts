// Runs the PostGIS first-init script against a real, throwaway PostgreSQL
// cluster, the way the postgis/postgis image's entrypoint would (as the postgres
// OS user, the password in a 0400 file), then tries, over password-checked TCP,
// everything the geoserver role must be able to do and everything it must not.
// The cluster logs every statement and every failed one, so the test can also
// check that no password reaches the server log or any command line.
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
import {
    GEOSERVER_CONNECTION_LIMIT,
    GEOSERVER_DB_PASSWORD_FILE_ENV,
    GEOSERVER_DB_ROLE,
    GIS_DATABASE,
    GIS_OWNER_ROLE,
    POSTGIS_INIT_SCRIPT_PATH,
    postgisInitScript,
} from "../../components/postgis/init-script";

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

    it("reads the password inside psql from the file, and lets psql quote it", () => {
        const sql = script.slice(script.indexOf("<<'SQL'"));
        expect(sql).toContain('\\set geoserver_password `cat "$GEOSTACK_PASSWORD_FILE"`');
        expect(sql).toContain("PASSWORD :'geoserver_password'");
        // The only shell expansion in the quoted heredoc is the file's path, inside psql's backquotes.
        expect(sql.match(/\$/g)).toHaveLength(1);
        expect(script).not.toMatch(/-v\s+geoserver_password/);
    });
});

// ---------------------------------------------------------------- against a real server

describe.skipIf(skipReal)("postgis init script against a real PostgreSQL + PostGIS", () => {
    const password = randomBytes(16).toString("hex");
    let tmp = "";
    let dataDir = "";
    let port = 0;
    let started = false;
    let scriptFile = "";
    let passwordFile = "";
    let shimLog = "";
    let shimDir = "";
    let serverLog = "";

    const bin = (name: string): string => (pg.ok ? path.join(pg.bindir, name) : name);
    const user = () => (pg.ok ? pg.pgUser : undefined);

    /** Environment without the caller's PG* settings, and never a .pgpass file. */
    function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(process.env)) {
            if (!k.startsWith("PG") && !k.startsWith("GEOSERVER_")) env[k] = v;
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
    function tcpPsql(role: string, pass: string, db: string, sql: string): RunResult {
        return run(bin("psql"), ["-X", "-v", "ON_ERROR_STOP=1", "-w", "-tA", "-h", "127.0.0.1", "-p", String(port), "-U", role, "-d", db, "-c", sql], {
            env: cleanEnv({ PGPASSWORD: pass }),
        });
    }

    function asGeoserver(sql: string): string {
        const r = tcpPsql(GEOSERVER_DB_ROLE, password, GIS_DATABASE, sql);
        if (r.status !== 0) throw new Error(`geoserver query failed: ${describeFailure(r)}`);
        return r.stdout.trim();
    }

    /** The script as the entrypoint runs it: as the postgres OS user (the container's user), psql and cat recorded. */
    function runInitScript(extraEnv: Record<string, string>): RunResult {
        return run("bash", [scriptFile], {
            asUser: user(),
            cwd: tmp,
            env: cleanEnv({
                PATH: `${shimDir}:${process.env.PATH}`,
                GEOSTACK_SHIM_LOG: shimLog,
                POSTGRES_USER: "postgres",
                POSTGRES_DB: "postgres",
                PGHOST: tmp,
                PGPORT: String(port),
                ...extraEnv,
            }),
        });
    }

    const log = () => fs.readFileSync(serverLog, "utf8");

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

    /** A file owned by the postgres OS user (when the test runs as root), as the upload is in the container. */
    function ownedFile(file: string, content: string, mode: number): string {
        fs.writeFileSync(file, content, { mode });
        fs.chmodSync(file, mode);
        const u = user();
        if (u) fs.chownSync(file, u.uid, u.gid);
        return file;
    }

    beforeAll(async () => {
        if (!pg.ok) throw new Error(`GEOSTACK_REQUIRE_POSTGRES=1 but missing ${pg.missing}`);
        const u = pg.pgUser;

        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-pg-"));
        if (u) fs.chownSync(tmp, u.uid, u.gid);
        dataDir = path.join(tmp, "data");
        serverLog = path.join(tmp, "server.log");
        const pwfile = ownedFile(path.join(tmp, "superuser-password"), `${randomBytes(16).toString("hex")}\n`, 0o600);

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
            { asUser: u, cwd: tmp, timeoutMs: 60_000 },
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
                    // As loud as a server can be configured: every statement, every failed one with its text.
                    "log_statement = 'all'",
                    "log_min_duration_statement = 0",
                    "log_min_error_statement = 'error'",
                    "",
                ].join("\n"),
            );
            const r = run(bin("pg_ctl"), ["-D", dataDir, "-l", serverLog, "-w", "-t", "30", "start"], { asUser: u, cwd: tmp, timeoutMs: 40_000 });
            if (r.status === 0) break;
            const text = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, "utf8") : "";
            if (attempt >= 3 || !/could not bind|address already in use/i.test(text)) {
                throw new Error(`pg_ctl start failed: ${describeFailure(r)}\n--- server.log ---\n${text}`);
            }
        }
        started = true;

        // What the image's 10_postgis.sh does before our script runs: a template_postgis database, and PostGIS in
        // $POSTGRES_DB.
        superPsql("postgres", "CREATE DATABASE template_postgis IS_TEMPLATE true");
        superPsql("postgres", "CREATE EXTENSION IF NOT EXISTS postgis");

        // Every psql and cat the script starts writes its arguments and environment here first.
        shimDir = path.join(tmp, "shims");
        fs.mkdirSync(shimDir);
        shimLog = ownedFile(path.join(tmp, "shim.log"), "", 0o600);
        for (const [name, real] of [
            ["psql", bin("psql")],
            ["cat", "/bin/cat"],
        ]) {
            fs.writeFileSync(
                path.join(shimDir, name),
                `#!/bin/sh\n{ printf '%s' "${name}"; printf ' %s' "$@"; printf '\\n'; env; } >> "$GEOSTACK_SHIM_LOG"\nexec ${real} "$@"\n`,
                { mode: 0o755 },
            );
        }

        scriptFile = ownedFile(path.join(tmp, path.basename(POSTGIS_INIT_SCRIPT_PATH)), postgisInitScript(), 0o555);
        passwordFile = ownedFile(path.join(tmp, "geoserver-db-password"), password, 0o400);
        const r = runInitScript({ [GEOSERVER_DB_PASSWORD_FILE_ENV]: passwordFile });
        if (r.status !== 0) throw new Error(`init script failed: ${describeFailure(r)}\n--- server.log ---\n${log()}`);
    }, 90_000);

    afterAll(() => {
        if (started && pg.ok) {
            run(bin("pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"], { asUser: pg.pgUser, cwd: tmp, timeoutMs: 30_000 });
        }
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }, 40_000);

    it("creates geoserver as a plain login role with a scram-sha-256 password and a connection limit", () => {
        expect(
            superPsql(
                "postgres",
                "SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolconnlimit) " +
                    `FROM pg_roles WHERE rolname = '${GEOSERVER_DB_ROLE}'`,
            ),
        ).toBe(`t,f,f,f,f,f,${GEOSERVER_CONNECTION_LIMIT}`);
        expect(superPsql("postgres", `SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = '${GEOSERVER_DB_ROLE}'`)).toBe("SCRAM-SHA-256$");
        // No membership either: gis_owner or a predefined role (pg_read_all_data, pg_write_server_files...) would widen it.
        expect(
            superPsql("postgres", `SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = '${GEOSERVER_DB_ROLE}'`),
        ).toBe("0");
    });

    it("gives gis, its schema public and PostGIS to gis_owner, which cannot log in and has no members", () => {
        expect(
            superPsql(
                "postgres",
                "SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) " +
                    `FROM pg_roles WHERE rolname = '${GIS_OWNER_ROLE}'`,
            ),
        ).toBe("f,f,f,f,f,f");
        expect(superPsql("postgres", `SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE r.rolname = '${GIS_OWNER_ROLE}'`)).toBe(
            "0",
        );
        expect(superPsql("postgres", `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${GIS_DATABASE}'`)).toBe(GIS_OWNER_ROLE);
        expect(superPsql(GIS_DATABASE, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'")).toBe(GIS_OWNER_ROLE);
        expect(superPsql(GIS_DATABASE, "SELECT pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'postgis'")).toBe(GIS_OWNER_ROLE);
        expect(superPsql(GIS_DATABASE, "SELECT tableowner FROM pg_tables WHERE tablename = 'spatial_ref_sys'")).toBe(GIS_OWNER_ROLE);
    });

    it("leaves every other database to the superuser: PUBLIC cannot connect to any", () => {
        const others = superPsql("postgres", `SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname <> '${GIS_DATABASE}'`);
        expect(others.split(",")).toEqual(expect.arrayContaining(["postgres", "template1", "template_postgis"]));
        for (const db of others.split(",")) {
            expect(superPsql("postgres", `SELECT has_database_privilege('public', '${db}', 'CONNECT')`), db).toBe("f");
        }
        for (const db of ["postgres", "template1", "template_postgis"]) {
            const r = tcpPsql(GEOSERVER_DB_ROLE, password, db, "SELECT 1");
            expect(r.status, db).not.toBe(0);
            expect(r.stderr, db).toMatch(/permission denied for database/);
        }
        superPsql("postgres", "CREATE ROLE outsider LOGIN PASSWORD 'outsider-pw'");
        const r = tcpPsql("outsider", "outsider-pw", GIS_DATABASE, "SELECT 1");
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/permission denied for database "?gis"?/);
    });

    it("lets geoserver load, publish and edit data: a table with a geometry, an index, insert, select, update, delete", () => {
        expect(asGeoserver("SELECT current_user || '@' || current_database()")).toBe(`${GEOSERVER_DB_ROLE}@${GIS_DATABASE}`);
        // What ogr2ogr does when it loads a layer.
        asGeoserver("CREATE TABLE public.places (id serial PRIMARY KEY, name text, geom geometry(Point, 4326))");
        asGeoserver("CREATE INDEX places_geom_idx ON public.places USING gist (geom)");
        asGeoserver(
            "INSERT INTO public.places (name, geom) VALUES ('Berlin', ST_SetSRID(ST_MakePoint(13.4, 52.52), 4326)), ('Paris', 'SRID=4326;POINT(2.35 48.86)')",
        );
        // What GeoServer reads to publish a layer, and a WFS-T transaction.
        expect(asGeoserver("SELECT type || ',' || srid FROM geometry_columns WHERE f_table_name = 'places'")).toBe("POINT,4326");
        expect(asGeoserver("SELECT count(*) FROM spatial_ref_sys WHERE srid = 4326")).toBe("1");
        asGeoserver("UPDATE public.places SET geom = ST_Translate(geom, 0.1, 0) WHERE name = 'Berlin'");
        asGeoserver("DELETE FROM public.places WHERE name = 'Paris'");
        expect(asGeoserver("SELECT ST_AsText(geom) || '|' || ST_SRID(geom) FROM public.places")).toBe("POINT(13.5 52.52)|4326");
        expect(asGeoserver("SELECT ST_AsText(ST_Transform(geom, 3857)) IS NOT NULL FROM public.places")).toBe("t");
        // Reloading a layer: its own tables it may change and drop.
        asGeoserver("ALTER TABLE public.places ADD COLUMN population integer");
        asGeoserver("CREATE TABLE public.scratch (id int)");
        asGeoserver("DROP TABLE public.scratch");
    });

    /** Each is what a compromised GeoServer (or a stolen password) would try; each must fail and change nothing. */
    const FORBIDDEN: [string, RegExp][] = [
        ["DROP SCHEMA public CASCADE", /must be owner of schema public/],
        ["DROP DATABASE gis", /must be owner of database gis/],
        ["DROP EXTENSION postgis CASCADE", /must be owner of extension postgis/],
        ["ALTER EXTENSION postgis UPDATE", /must be owner of extension postgis/],
        ["ALTER DATABASE gis OWNER TO geoserver", /must be owner of database gis/],
        ["ALTER SCHEMA public OWNER TO geoserver", /must be owner of schema public/],
        ["ALTER SCHEMA public RENAME TO gone", /must be owner of schema public/],
        ["DROP TABLE spatial_ref_sys", /must be owner of table spatial_ref_sys/],
        ["DELETE FROM spatial_ref_sys", /permission denied for table spatial_ref_sys/],
        ["UPDATE spatial_ref_sys SET srtext = ''", /permission denied for table spatial_ref_sys/],
        ["DROP FUNCTION st_intersects(geometry, geometry)", /must be owner of function st_intersects/],
        ["SELECT * FROM someone_elses", /permission denied for table someone_elses/],
        ["DROP TABLE someone_elses", /must be owner of table someone_elses/],
        ["CREATE SCHEMA mine", /permission denied for database gis/],
        ["CREATE EXTENSION hstore", /permission denied to create extension|must be owner of database|permission denied for database/],
        ["CREATE TEMPORARY TABLE t (x int)", /permission denied to create temporary tables in database "?gis"?/],
        ["CREATE ROLE sneaky LOGIN", /permission denied to create role/],
        ["CREATE DATABASE sneaky", /permission denied to create database/],
        ["ALTER ROLE geoserver SUPERUSER", /permission denied|must be superuser/],
        ["ALTER ROLE geoserver CREATEDB", /permission denied/],
        ["ALTER ROLE geoserver CONNECTION LIMIT -1", /permission denied/],
        ["GRANT gis_owner TO geoserver", /permission denied|must have admin option/],
        ["SET ROLE gis_owner", /permission denied to set role/],
        ["SET ROLE postgres", /permission denied to set role/],
        ["DROP ROLE gis_owner", /permission denied/],
        ["COPY places TO PROGRAM 'id'", /permission denied to COPY to or from an external program|must be superuser/],
        ["COPY places FROM '/etc/passwd'", /permission denied to COPY from a file|must be superuser/],
        ["SELECT pg_read_file('/etc/passwd')", /permission denied for function pg_read_file/],
        ["SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'postgres'", /permission denied|must be a (superuser|member)/],
        ["ALTER SYSTEM SET log_statement = 'none'", /permission denied|must be superuser/],
        ["SET log_statement = 'none'", /permission denied to set parameter/],
    ];

    it.each(FORBIDDEN)("refuses geoserver: %s", (sql, error) => {
        superPsql(GIS_DATABASE, "CREATE TABLE IF NOT EXISTS public.someone_elses (id int)");
        const r = tcpPsql(GEOSERVER_DB_ROLE, password, GIS_DATABASE, sql);
        expect(r.status, r.stdout).not.toBe(0);
        expect(r.stderr).toMatch(error);
    });

    it("still has its schema, PostGIS, the superuser-only databases and the owners after all of that", () => {
        expect(superPsql(GIS_DATABASE, "SELECT count(*) FROM pg_namespace WHERE nspname = 'public'")).toBe("1");
        expect(superPsql(GIS_DATABASE, "SELECT extname || ' ' || pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'postgis'")).toBe(
            `postgis ${GIS_OWNER_ROLE}`,
        );
        expect(superPsql(GIS_DATABASE, "SELECT count(*) > 8000 FROM spatial_ref_sys")).toBe("t");
        expect(superPsql("postgres", `SELECT rolsuper FROM pg_roles WHERE rolname IN ('${GEOSERVER_DB_ROLE}', '${GIS_OWNER_ROLE}')`)).toBe("f\nf");
    });

    it("rejects a wrong password", () => {
        const r = tcpPsql(GEOSERVER_DB_ROLE, `${password}-wrong`, GIS_DATABASE, "SELECT 1");
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`password authentication failed for user "${GEOSERVER_DB_ROLE}"`);
    });

    it("puts the password in no command line and no environment of any process it starts", () => {
        const recorded = fs.readFileSync(shimLog, "utf8");
        expect(recorded).toMatch(/^psql /m);
        expect(recorded).toMatch(/^cat .*geoserver-db-password$/m);
        expect(recorded).not.toContain(password);
    });

    it("keeps the password out of the server log, though it logs every statement, even when CREATE ROLE fails", () => {
        // The server does log statements, and would log this one: a CREATE ROLE with a literal password, failing.
        const control = randomBytes(8).toString("hex");
        const failing = run(
            bin("psql"),
            ["-X", "-w", "-h", tmp, "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", `CREATE ROLE geoserver PASSWORD '${control}'`],
            {
                env: cleanEnv({}),
            },
        );
        expect(failing.status).not.toBe(0);
        expect(log()).toContain(control);
        expect(log()).toContain(`CREATE DATABASE ${GIS_DATABASE}`);

        // Our script again on the same cluster: its CREATE ROLE fails (the role exists), and is not logged.
        const again = runInitScript({ [GEOSERVER_DB_PASSWORD_FILE_ENV]: passwordFile });
        expect(again.status).not.toBe(0);
        expect(again.stderr).toContain(`role "${GEOSERVER_DB_ROLE}" already exists`);
        expect(log()).toContain(`role "${GEOSERVER_DB_ROLE}" already exists`);
        expect(log()).not.toContain(password);
        expect(again.stdout + again.stderr).not.toContain(password);
    });

    it("fails clearly, before touching the server, without a readable non-empty password file", () => {
        const empty = ownedFile(path.join(tmp, "empty-password"), "", 0o400);
        const cases: Record<string, string>[] = [
            {},
            { [GEOSERVER_DB_PASSWORD_FILE_ENV]: "" },
            { [GEOSERVER_DB_PASSWORD_FILE_ENV]: path.join(tmp, "no-such-file") },
            { [GEOSERVER_DB_PASSWORD_FILE_ENV]: empty },
        ];
        for (const env of cases) {
            fs.writeFileSync(shimLog, "");
            const r = runInitScript(env);
            expect(r.status, JSON.stringify(env)).toBe(1);
            expect(r.stderr).toContain(`${GEOSERVER_DB_PASSWORD_FILE_ENV} must name a readable, non-empty file`);
            expect(fs.readFileSync(shimLog, "utf8")).not.toMatch(/^psql /m);
        }
    });
});
