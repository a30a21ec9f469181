/**
 * A throwaway PostgreSQL cluster from Debian's server binaries, set up the way the postgis/postgis image's entrypoint
 * sets one up on first init: initdb (trust on the unix socket, scram-sha-256 over TCP), PostGIS in the maintenance
 * database (the image's 10_postgis.sh), then GeoStack's real init scripts run by bash as the postgres OS user, over
 * the socket. `.ci/install-postgres.sh` installs the binaries; without them `findPostgres` says what is missing.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

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
    /** uid/gid to drop to (PostgreSQL refuses to run as root). */
    asUser?: { uid: number; gid: number };
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
    const r = spawnSync(cmd, args, {
        encoding: "utf8",
        env: opts.env ?? process.env,
        input: opts.input,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 30_000,
        killSignal: "SIGKILL",
        uid: opts.asUser?.uid,
        gid: opts.asUser?.gid,
        maxBuffer: 64 * 1024 * 1024,
    });
    const command = [cmd, ...args].join(" ");
    if (r.error) throw new Error(`${command}: ${r.error.message}\n${r.stderr ?? ""}`);
    return { command, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function describeFailure(r: RunResult): string {
    return `${r.command}\nexit status: ${r.status}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

export function runOk(cmd: string, args: string[], opts: RunOptions = {}): string {
    const r = run(cmd, args, opts);
    if (r.status !== 0) throw new Error(`command failed: ${describeFailure(r)}`);
    return r.stdout;
}

function output(cmd: string, args: string[]): string | undefined {
    try {
        const r = run(cmd, args, { timeoutMs: 10_000 });
        return r.status === 0 ? r.stdout.trim() : undefined;
    } catch {
        return undefined;
    }
}

export type PgLookup = { ok: true; bindir: string; sharedir: string; pgUser?: { uid: number; gid: number } } | { ok: false; missing: string };

const SERVER_BINARIES = ["initdb", "pg_ctl", "postgres", "psql"];

/** Debian's newest server binaries (GEOSTACK_PG_BINDIR forces a folder), PostGIS, and the OS user to run them as. */
export function findPostgres(): PgLookup {
    const debian = fs.existsSync("/usr/lib/postgresql")
        ? fs
              .readdirSync("/usr/lib/postgresql")
              .filter((v) => /^\d+$/.test(v))
              .sort((a, b) => Number(b) - Number(a))
              .map((v) => `/usr/lib/postgresql/${v}/bin`)
        : [];
    const candidates = process.env.GEOSTACK_PG_BINDIR ? [process.env.GEOSTACK_PG_BINDIR] : debian;
    const bindir = candidates.find((dir) => SERVER_BINARIES.every((b) => fs.existsSync(path.join(dir, b))));
    if (!bindir)
        return { ok: false, missing: `PostgreSQL server binaries (${SERVER_BINARIES.join(", ")}) in ${candidates.join(", ") || "/usr/lib/postgresql/*/bin"}` };
    const major = output(path.join(bindir, "postgres"), ["--version"])?.match(/(\d+)(?:\.\d+)?/)?.[1];
    const sharedir = output(path.join(bindir, "pg_config"), ["--sharedir"]) ?? `/usr/share/postgresql/${major}`;
    if (!fs.existsSync(path.join(sharedir, "extension", "postgis.control")))
        return { ok: false, missing: `the PostGIS extension (${sharedir}/extension/postgis.control)` };
    if (process.getuid?.() !== 0) return { ok: true, bindir, sharedir };
    const uid = Number(output("id", ["-u", "postgres"]));
    const gid = Number(output("id", ["-g", "postgres"]));
    if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0)
        return { ok: false, missing: "an OS user 'postgres' to run the server as (running as root)" };
    return { ok: true, bindir, sharedir, pgUser: { uid, gid } };
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

export interface Cluster {
    /** The folder holding the cluster, its socket and the scratch files; removed by `stop`. */
    dir: string;
    port: number;
    bin(name: string): string;
    /** The environment of a client: none of the caller's PG* settings, no .pgpass. */
    env(extra?: Record<string, string>): NodeJS.ProcessEnv;
    /** psql as the superuser over the unix socket (trust), like the image's init scripts; throws on failure. */
    superPsql(database: string, sql: string): string;
    /** psql over TCP with a password (scram-sha-256), as a client of the published port. */
    tcpPsql(role: string, password: string, database: string, sql: string): RunResult;
    /** Runs an init script with bash as the postgres OS user, with what the image's entrypoint exports. */
    runInitScript(file: string, env?: Record<string, string>): RunResult;
    /** A file only the postgres OS user may read, as the image's entrypoint finds its secrets. */
    ownedFile(name: string, content: string): string;
    stop(): void;
}

export async function startCluster(pg: Extract<PgLookup, { ok: true }>): Promise<Cluster> {
    const user = pg.pgUser;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-pg-"));
    if (user) fs.chownSync(dir, user.uid, user.gid);
    const data = path.join(dir, "data");
    const bin = (name: string) => path.join(pg.bindir, name);
    const ownedFile = (name: string, content: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, content, { mode: 0o400 });
        if (user) fs.chownSync(file, user.uid, user.gid);
        return file;
    };
    const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
        const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PG")));
        return { ...clean, PGPASSFILE: path.join(dir, "no-such-pgpass"), PGCONNECT_TIMEOUT: "10", ...extra };
    };
    const pwfile = ownedFile("superuser-password", `${randomBytes(16).toString("hex")}\n`);
    runOk(
        bin("initdb"),
        [
            "-D",
            data,
            "--username=postgres",
            `--pwfile=${pwfile}`,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ],
        { asUser: user, cwd: dir, timeoutMs: 60_000 },
    );
    let port = 0;
    for (let attempt = 1; ; attempt++) {
        port = await freePort();
        // Settings in the config file rather than pg_ctl -o, which pg_ctl hands to a shell.
        fs.appendFileSync(
            path.join(data, "postgresql.conf"),
            `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n`,
        );
        const r = run(bin("pg_ctl"), ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "start"], {
            asUser: user,
            cwd: dir,
            timeoutMs: 40_000,
        });
        if (r.status === 0) break;
        const log = fs.existsSync(path.join(dir, "server.log")) ? fs.readFileSync(path.join(dir, "server.log"), "utf8") : "";
        if (attempt >= 3 || !/could not bind|address already in use/i.test(log)) throw new Error(`pg_ctl start failed: ${describeFailure(r)}\n${log}`);
    }
    const psql = (args: string[], extra: Record<string, string> = {}) =>
        run(bin("psql"), ["-X", "-v", "ON_ERROR_STOP=1", "-w", "-tA", ...args], { env: env(extra), timeoutMs: 60_000 });
    const cluster: Cluster = {
        dir,
        port,
        bin,
        env,
        ownedFile,
        superPsql(database, sql) {
            const r = psql(["-h", dir, "-p", String(port), "-U", "postgres", "-d", database, "-c", sql]);
            if (r.status !== 0) throw new Error(`superuser query failed: ${describeFailure(r)}`);
            return r.stdout.trim();
        },
        tcpPsql: (role, password, database, sql) =>
            psql(["-h", "127.0.0.1", "-p", String(port), "-U", role, "-d", database, "-c", sql], { PGPASSWORD: password }),
        runInitScript: (file, extra = {}) =>
            run("bash", [file], {
                env: env({ POSTGRES_USER: "postgres", POSTGRES_DB: "postgres", PGHOST: dir, PGPORT: String(port), ...extra }),
                asUser: user,
                cwd: dir,
                timeoutMs: 120_000,
            }),
        stop() {
            run(bin("pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], { asUser: user, cwd: dir, timeoutMs: 30_000 });
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
    // What the image's 10_postgis.sh does for $POSTGRES_DB before GeoStack's scripts run.
    cluster.superPsql("postgres", "CREATE EXTENSION IF NOT EXISTS postgis;");
    return cluster;
}

/** Writes a script where the postgres OS user can run it, as the image's entrypoint finds /docker-entrypoint-initdb.d/. */
export function writeScript(cluster: Cluster, name: string, content: string): string {
    const file = path.join(cluster.dir, name);
    fs.writeFileSync(file, content, { mode: 0o755 });
    return file;
}
