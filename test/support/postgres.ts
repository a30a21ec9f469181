// Throwaway PostgreSQL + PostGIS clusters from Debian's packages (.ci/install-postgres.sh), for the tests that run our
// scripts against a real server. Without the binaries a suite using this is skipped with a warning, unless
// GEOSTACK_REQUIRE_POSTGRES=1 (CI), where it fails. GEOSTACK_PG_BINDIR=<dir> forces the server binary directory.
import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { GEOSERVER_DB_PASSWORD_ENV, postgisInitScript } from "../../components/postgis/init-script";

export interface RunResult {
    command: string;
    status: number | null;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    env?: NodeJS.ProcessEnv;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
    /** PostgreSQL refuses to run as root: the tests run the server, and our scripts, as the OS user postgres. */
    asUser?: { uid: number; gid: number };
}

export function run(command: string, args: string[], opts: RunOptions = {}): RunResult {
    const options: SpawnSyncOptions = {
        encoding: "utf8",
        env: opts.env ?? process.env,
        input: opts.input,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 60_000,
        killSignal: "SIGKILL",
        uid: opts.asUser?.uid,
        gid: opts.asUser?.gid,
    };
    const r = spawnSync(command, args, options);
    const line = [command, ...args].join(" ");
    if (r.error) throw new Error(`${line}: ${r.error.message}\n${r.stderr ?? ""}`);
    return { command: line, status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function describeRun(r: RunResult): string {
    return `${r.command}\nexit status: ${r.status}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

export function runOk(command: string, args: string[], opts: RunOptions = {}): string {
    const r = run(command, args, opts);
    if (r.status !== 0) throw new Error(`command failed: ${describeRun(r)}`);
    return r.stdout;
}

function tryOutput(command: string, args: string[]): string | undefined {
    try {
        const r = run(command, args, { timeoutMs: 10_000 });
        return r.status === 0 ? r.stdout.trim() : undefined;
    } catch {
        return undefined;
    }
}

const SERVER_BINARIES = ["initdb", "pg_ctl", "postgres", "psql", "pg_dump", "pg_dumpall", "pg_restore", "pg_isready"];

export type PgLookup = { ok: true; bindir: string; pgUser?: { uid: number; gid: number } } | { ok: false; missing: string };

export function findPostgres(): PgLookup {
    const base = "/usr/lib/postgresql";
    const debian = fs.existsSync(base)
        ? fs
              .readdirSync(base)
              .filter((v) => /^\d+$/.test(v))
              .sort((a, b) => Number(b) - Number(a))
              .map((v) => path.join(base, v, "bin"))
        : [];
    const forced = process.env.GEOSTACK_PG_BINDIR;
    const candidates = forced ? [forced] : [tryOutput("pg_config", ["--bindir"]), ...debian].filter((d): d is string => !!d);
    const bindir = candidates.find((dir) => SERVER_BINARIES.every((b) => fs.existsSync(path.join(dir, b))));
    if (!bindir) return { ok: false, missing: `PostgreSQL server binaries (${SERVER_BINARIES.join(", ")}) in ${candidates.join(", ") || base}` };
    const major = tryOutput(path.join(bindir, "postgres"), ["--version"])?.match(/(\d+)(?:\.\d+)?/)?.[1];
    if (!major || !fs.existsSync(`/usr/share/postgresql/${major}/extension/postgis.control`)) {
        return { ok: false, missing: `the PostGIS extension for PostgreSQL ${major ?? "?"}` };
    }
    if (process.getuid?.() !== 0) return { ok: true, bindir };
    const uid = Number(tryOutput("id", ["-u", "postgres"]));
    const gid = Number(tryOutput("id", ["-g", "postgres"]));
    if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) return { ok: false, missing: "an OS user 'postgres' to run the server as" };
    return { ok: true, bindir, pgUser: { uid, gid } };
}

export const REQUIRE_POSTGRES = process.env.GEOSTACK_REQUIRE_POSTGRES === "1";

/** The lookup, and whether a suite needing it should be skipped (warned about once per file). */
export function postgresForTests(suite: string): { pg: PgLookup; skip: boolean } {
    const pg = findPostgres();
    if (!pg.ok) {
        console.warn(
            REQUIRE_POSTGRES
                ? `[${suite}] GEOSTACK_REQUIRE_POSTGRES=1 but missing ${pg.missing}: the suite will FAIL.`
                : `[${suite}] SKIPPING: missing ${pg.missing}. Run .ci/install-postgres.sh as root; GEOSTACK_REQUIRE_POSTGRES=1 fails instead.`,
        );
    }
    return { pg, skip: !pg.ok && !REQUIRE_POSTGRES };
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/** A directory the OS user postgres may write (and root, the test runner). */
export function sharedTempDir(prefix: string, pg: PgLookup): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.chmodSync(dir, 0o755);
    if (pg.ok && pg.pgUser) fs.chownSync(dir, pg.pgUser.uid, pg.pgUser.gid);
    return dir;
}

/** The environment of a child without the caller's PG* settings, so nothing but its arguments picks the server. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG") && k !== GEOSERVER_DB_PASSWORD_ENV) env[k] = v;
    return { ...env, PGCONNECT_TIMEOUT: "10", ...extra };
}

/**
 * A cluster listening on a free 127.0.0.1 port with scram-sha-256 over TCP and trust on its socket, as the postgis
 * image sets it up; `geostack()` then runs GeoStack's real first-init script on it, as the image's entrypoint does.
 */
export class Cluster {
    readonly dir: string;
    readonly superuserPassword = randomBytes(16).toString("hex");
    port = 0;
    private started = false;

    constructor(
        readonly pg: Extract<PgLookup, { ok: true }>,
        readonly name: string,
        parent: string,
    ) {
        this.dir = path.join(parent, name);
        fs.mkdirSync(this.dir, { mode: 0o755 });
        if (pg.pgUser) fs.chownSync(this.dir, pg.pgUser.uid, pg.pgUser.gid);
    }

    bin(name: string): string {
        return path.join(this.pg.bindir, name);
    }

    get socketDir(): string {
        return this.dir;
    }

    async start(): Promise<void> {
        const user = this.pg.pgUser;
        const pwfile = path.join(this.dir, "superuser-password");
        fs.writeFileSync(pwfile, `${this.superuserPassword}\n`, { mode: 0o600 });
        if (user) fs.chownSync(pwfile, user.uid, user.gid);
        runOk(
            this.bin("initdb"),
            [
                "-D",
                path.join(this.dir, "data"),
                "--username=postgres",
                `--pwfile=${pwfile}`,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            { asUser: user, cwd: this.dir, timeoutMs: 60_000 },
        );
        for (let attempt = 1; ; attempt++) {
            this.port = await freePort();
            fs.appendFileSync(
                path.join(this.dir, "data", "postgresql.conf"),
                `\nlisten_addresses = '127.0.0.1'\nport = ${this.port}\nunix_socket_directories = '${this.dir}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n`,
            );
            const r = run(this.bin("pg_ctl"), ["-D", path.join(this.dir, "data"), "-l", path.join(this.dir, "server.log"), "-w", "-t", "30", "start"], {
                asUser: user,
                cwd: this.dir,
                timeoutMs: 40_000,
            });
            if (r.status === 0) break;
            const log = fs.existsSync(path.join(this.dir, "server.log")) ? fs.readFileSync(path.join(this.dir, "server.log"), "utf8") : "";
            if (attempt >= 3 || !/could not bind|address already in use/i.test(log)) throw new Error(`pg_ctl start failed: ${describeRun(r)}\n${log}`);
        }
        this.started = true;
    }

    stop(): void {
        if (!this.started) return;
        run(this.bin("pg_ctl"), ["-D", path.join(this.dir, "data"), "-m", "immediate", "-w", "stop"], { asUser: this.pg.pgUser, timeoutMs: 30_000 });
        this.started = false;
    }

    /** psql as the superuser on the socket (trust), tuples only. */
    sql(db: string, sql: string): string {
        return runOk(this.bin("psql"), ["-X", "-v", "ON_ERROR_STOP=1", "-w", "-tA", "-h", this.dir, "-p", String(this.port), "-U", "postgres", "-d", db], {
            env: cleanEnv(),
            input: sql,
        }).trim();
    }

    /** psql over TCP with a password (scram-sha-256). */
    tcp(user: string, password: string, db: string, sql: string): RunResult {
        return run(this.bin("psql"), ["-X", "-v", "ON_ERROR_STOP=1", "-w", "-tA", "-h", "127.0.0.1", "-p", String(this.port), "-U", user, "-d", db], {
            env: cleanEnv({ PGPASSWORD: password }),
            input: sql,
        });
    }

    /** What a first `up` leaves: the image's 10_postgis.sh for POSTGRES_DB, then GeoStack's init script, the real one. */
    geostack(geoserverPassword: string): void {
        this.sql("postgres", "CREATE EXTENSION IF NOT EXISTS postgis;");
        const script = path.join(this.dir, "20-geostack.sh");
        fs.writeFileSync(script, postgisInitScript(), { mode: 0o755 });
        runOk("bash", [script], {
            env: cleanEnv({
                POSTGRES_USER: "postgres",
                POSTGRES_DB: "postgres",
                PGHOST: this.dir,
                PGPORT: String(this.port),
                [GEOSERVER_DB_PASSWORD_ENV]: geoserverPassword,
            }),
        });
    }
}
