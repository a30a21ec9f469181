// What the backup tests share: a cluster set up as a GeoStack's is on its first `up`, directories the postgres OS
// user may write, and backups as retention and the off-host copy see them (a directory named after its UTC start
// time, holding a manifest with the drill's verdict, the line geostack-backup writes).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GEOSERVER_DB_PASSWORD_FILE_ENV, POSTGIS_INIT_SCRIPT_PATH, postgisInitScript } from "../../components/postgis/init-script";
import { MONITOR_DB_PASSWORD_FILE_ENV, MONITOR_ROLE_SCRIPT_PATH, monitorRoleScript } from "../../components/postgis/monitor-role";
import { type Cluster, describeFailure, findPostgres, type PgLookup, startCluster, writeScript } from "./pg-cluster";

export const REQUIRE_POSTGRES = process.env.GEOSTACK_REQUIRE_POSTGRES === "1";

/** The lookup, and whether a suite needing it is skipped (with a warning), unless GEOSTACK_REQUIRE_POSTGRES=1. */
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

/** The environment of a child without the caller's PG* settings, so nothing but its arguments picks a server. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PG")));
    return { ...env, PGCONNECT_TIMEOUT: "10", ...extra };
}

/** A directory the OS user postgres may write (and root, the test runner). */
export function sharedTempDir(prefix: string, pg: PgLookup): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.chmodSync(dir, 0o755);
    if (pg.ok && pg.pgUser) fs.chownSync(dir, pg.pgUser.uid, pg.pgUser.gid);
    return dir;
}

export type GeoStackCluster = Cluster & { superuserPassword: string };

/** A cluster as a first `up` leaves it: GeoStack's real first-init scripts, in the order the image's entrypoint runs them. */
export async function geostackCluster(pg: Extract<PgLookup, { ok: true }>, geoserverPassword: string): Promise<GeoStackCluster> {
    const cluster = await startCluster(pg);
    // The rest of what the image's 10_postgis.sh does (startCluster put PostGIS into postgres).
    cluster.superPsql("postgres", "CREATE DATABASE template_postgis IS_TEMPLATE true");
    const steps: [string, string, Record<string, string>][] = [
        [POSTGIS_INIT_SCRIPT_PATH, postgisInitScript(), { [GEOSERVER_DB_PASSWORD_FILE_ENV]: cluster.ownedFile("geoserver-db-password", geoserverPassword) }],
        [MONITOR_ROLE_SCRIPT_PATH, monitorRoleScript(), { [MONITOR_DB_PASSWORD_FILE_ENV]: cluster.ownedFile("monitor-db-password", "monitor-password") }],
    ];
    for (const [file, script, env] of steps) {
        const r = cluster.runInitScript(writeScript(cluster, path.basename(file), script), env);
        if (r.status !== 0) throw new Error(`${path.basename(file)} failed: ${describeFailure(r)}`);
    }
    return Object.assign(cluster, { superuserPassword: fs.readFileSync(path.join(cluster.dir, "superuser-password"), "utf8").trim() });
}

export const nameOf = (date: Date) =>
    date
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
export const at = (day: string, time = "02:00") => nameOf(new Date(`${day}T${time}:00Z`));

export function days(from: string, to: string): string[] {
    const out: string[] = [];
    for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
    return out;
}

/** A backup with nothing in it but a file and its manifest's drill verdict. */
export function fakeBackup(dir: string, name: string, drill: "passed" | "failed" | null = "passed"): void {
    fs.mkdirSync(path.join(dir, name));
    const verdict = drill === null ? "null" : `{"result": "${drill}", "at": "x", "seconds": 1.000, "check": {}}`;
    fs.writeFileSync(path.join(dir, name, "manifest.json"), `{\n  "format": 1,\n  "name": "${name}",\n  "drill": ${verdict}\n}\n`);
    fs.writeFileSync(path.join(dir, name, "data"), name);
}

export const backupsIn = (dir: string) =>
    fs
        .readdirSync(dir)
        .filter((n) => /^\d{8}T\d{6}Z$/.test(n))
        .sort();

// Backups at odd times, over half a year: two on some days, drills that failed, a month without any.
export const IRREGULAR: { name: string; drill?: "failed" }[] = [
    { name: at("2025-10-15") },
    { name: at("2025-11-20") },
    { name: at("2025-12-24") },
    { name: at("2025-12-24", "14:30") },
    { name: at("2026-01-10") },
    { name: at("2026-01-31") },
    { name: at("2026-02-14") },
    { name: at("2026-02-28") },
    { name: at("2026-02-28", "20:00"), drill: "failed" as const },
    { name: at("2026-03-08") },
    { name: at("2026-03-09") },
    ...days("2026-03-21", "2026-03-29").map((day) => ({ name: at(day) })),
    { name: at("2026-03-26", "14:30"), drill: "failed" as const },
    { name: at("2026-03-29", "14:30") },
].sort((a, b) => a.name.localeCompare(b.name));
