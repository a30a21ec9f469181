// Backup benchmark (a script, not a test): a generated PostGIS table of a million geometries, dumped and restored by
// the scripts the backup container runs and by bare `pg_dump -Fc` / `pg_restore`, in alternation on the same
// server, the same connection and the same data. Reports our backup and restore times as ratios against the bare
// ones (the target is 1.15 at most), and the restore drill, which bare tools have no counterpart for, on its own.
//
//   npm run bench:backup [-- --rows 1000000 --rounds 3]
//
// Needs Debian's PostgreSQL + PostGIS (.ci/install-postgres.sh); as root it runs the server and the scripts as the OS
// user postgres.
import * as fs from "node:fs";
import * as path from "node:path";
import { scriptsDir } from "../../components/backup/scripts";
import { GIS_DATABASE } from "../../components/postgis/init-script";
import { cleanEnv, geostackCluster, sharedTempDir } from "../../test/support/backups";
import { findPostgres, runOk } from "../../test/support/pg-cluster";
import { median, rounds as roundsArg } from "./support";

const at = process.argv.indexOf("--rows");
const rows = at > 0 ? Number(process.argv[at + 1]) : 1_000_000;
const rounds = roundsArg(3);
if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(rounds) || rounds < 1) throw new Error("--rows and --rounds take whole numbers");

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
    const pg = findPostgres();
    if (!pg.ok) throw new Error(`missing ${pg.missing} (.ci/install-postgres.sh)`);
    const tmp = sharedTempDir("geostack-benchmark-", pg);
    const cluster = await geostackCluster(pg, "benchmark-geoserver-password");
    const as = { asUser: pg.pgUser, timeoutMs: 3_600_000 };
    try {
        console.log(`generating ${rows} geometries (half points, half small polygons)...`);
        // Over the socket as the superuser, with no time limit: a million rows and their index take a while.
        runOk(
            cluster.bin("psql"),
            [
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                cluster.dir,
                "-p",
                String(cluster.port),
                "-U",
                "postgres",
                "-d",
                GIS_DATABASE,
                "-c",
                `CREATE TABLE public.features AS
                 SELECT g AS id, 'feature ' || g AS name, g % 97 AS class,
                        ST_SetSRID(CASE WHEN g % 2 = 0 THEN ST_MakePoint(random() * 10, 45 + random() * 5)
                                        ELSE ST_Buffer(ST_MakePoint(random() * 10, 45 + random() * 5), 0.001, 4) END, 4326)::geometry(Geometry, 4326) AS geom
                 FROM generate_series(1, ${rows}) g;
             ALTER TABLE public.features ADD PRIMARY KEY (id);
             CREATE INDEX features_geom ON public.features USING gist (geom);
             ANALYZE public.features;`,
            ],
            { env: cluster.env(), timeoutMs: 3_600_000 },
        );
        const backups = path.join(tmp, "backups");
        const work = path.join(tmp, "run");
        for (const dir of [backups, work]) {
            fs.mkdirSync(dir);
            if (pg.pgUser) fs.chownSync(dir, pg.pgUser.uid, pg.pgUser.gid);
        }
        const passwordFile = path.join(tmp, "db-password");
        fs.writeFileSync(passwordFile, cluster.superuserPassword, { mode: 0o644 });
        // Both over TCP with the password, as the backup container connects.
        const tcp = ["-h", "127.0.0.1", "-p", String(cluster.port), "-U", "postgres"];
        const bareEnv = cleanEnv({ PGPASSWORD: cluster.superuserPassword, PATH: `${pg.bindir}:${process.env.PATH}` });
        const ourEnv = cleanEnv({
            PATH: `${pg.bindir}:${process.env.PATH}`,
            BACKUP_DIR: backups,
            BACKUP_RUN_DIR: work,
            BACKUP_DB_HOST: "127.0.0.1",
            BACKUP_DB_PORT: String(cluster.port),
            BACKUP_DB_PASSWORD_FILE: passwordFile,
        });
        const script = path.join(scriptsDir(), "geostack-backup");
        const last = (xs: number[]) => seconds(xs[xs.length - 1]);
        const timed = (f: () => void) => {
            const start = performance.now();
            f();
            return performance.now() - start;
        };
        const times = { bareDump: [] as number[], ourDump: [] as number[], bareRestore: [] as number[], ourRestore: [] as number[], drill: [] as number[] };
        const bareDump = path.join(tmp, "bare.dump");
        for (let round = 1; round <= rounds; round++) {
            const name = `2026010${round}T000000Z`;
            times.bareDump.push(
                timed(() => runOk(path.join(pg.bindir, "pg_dump"), [...tcp, "-w", "-Fc", "-f", bareDump, GIS_DATABASE], { ...as, env: bareEnv })),
            );
            times.ourDump.push(timed(() => runOk(script, ["dump", name], { ...as, env: ourEnv })));
            times.drill.push(timed(() => runOk(script, ["drill", name], { ...as, env: ourEnv })));
            // A restore needs a database to restore into: bare tools create it too.
            times.bareRestore.push(
                timed(() => {
                    runOk(path.join(pg.bindir, "createdb"), [...tcp, "-w", "bench_restore"], { ...as, env: bareEnv });
                    runOk(path.join(pg.bindir, "pg_restore"), [...tcp, "-w", "-d", "bench_restore", bareDump], { ...as, env: bareEnv });
                }),
            );
            cluster.superPsql("postgres", "DROP DATABASE bench_restore;");
            times.ourRestore.push(timed(() => runOk(script, ["restore-database", name], { ...as, env: ourEnv })));
            const previous = cluster.superPsql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'gis_before_restore_%'");
            cluster.superPsql("postgres", `DROP DATABASE "${previous}";`);
            console.log(
                `round ${round}: dump bare ${last(times.bareDump)}, ours ${last(times.ourDump)}; ` +
                    `restore bare ${last(times.bareRestore)}, ours ${last(times.ourRestore)}; drill ${last(times.drill)}`,
            );
        }
        const dumpBytes = fs.statSync(bareDump).size;
        const report = {
            rows,
            rounds,
            dumpMegabytes: Math.round(dumpBytes / 1e6),
            medianSeconds: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Number((median(v) / 1000).toFixed(2))])),
            // Each round's ours against that round's bare (they ran back to back), then the median: a load spike on a
            // shared machine moves one round, not the figure.
            backupRatio: Number(median(times.ourDump.map((t, i) => t / times.bareDump[i])).toFixed(3)),
            restoreRatio: Number(median(times.ourRestore.map((t, i) => t / times.bareRestore[i])).toFixed(3)),
            target: 1.15,
        };
        console.log(JSON.stringify(report, null, 2));
        console.log(
            `backup ${report.backupRatio}x bare pg_dump, restore ${report.restoreRatio}x bare pg_restore (target 1.15); ` +
                `drill ${report.medianSeconds.drill} s on top of each backup`,
        );
    } finally {
        cluster.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
});
