// geostack-offsite, the script the off-host copy runs in the official restic image (Alpine), run here the same way:
// under busybox sh with only busybox's applets, jq and restic on its PATH (Debian's restic), against a real local
// restic repository. A real backup goes to the repository and comes back to pass its drill; the repository keeps
// what the local retention keeps; restic reads the S3 keys from the credentials file the component writes.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCredentialsFile, scriptsDir } from "../../components/backup/scripts";
import { GIS_DATABASE } from "../../components/postgis/init-script";
import { at, backupsIn, cleanEnv, fakeBackup, type GeoStackCluster, geostackCluster, nameOf, postgresForTests, sharedTempDir } from "../support/backups";
import { describeFailure, type RunResult, run, runOk } from "../support/pg-cluster";

const { pg, skip: noPostgres } = postgresForTests("backup-offsite.test");
const tools = ["restic", "jq", "busybox"].map((tool) => [tool, run("sh", ["-c", `command -v ${tool}`]).stdout.trim()] as const);
const missingTools = tools.filter(([, found]) => !found).map(([tool]) => tool);
if (missingTools.length > 0) {
    console.warn(`[backup-offsite.test] missing ${missingTools.join(", ")} (.ci/install-backup-tools.sh): ${noPostgres ? "SKIPPING" : "the suite will FAIL"}`);
}
const skip = noPostgres;
const BACKUP = path.join(scriptsDir(), "geostack-backup");
const OFFSITE = path.join(scriptsDir(), "geostack-offsite");
const asPostgres = () => (pg.ok ? pg.pgUser : undefined);
const KEEP = { BACKUP_KEEP_DAILY: "3", BACKUP_KEEP_WEEKLY: "2", BACKUP_KEEP_MONTHLY: "3" };
const OLDER: { name: string; drill?: "failed" }[] = [
    { name: at("2025-12-24") },
    { name: at("2025-12-24", "14:30") },
    { name: at("2026-01-31") },
    { name: at("2026-02-28") },
    { name: at("2026-02-28", "20:00"), drill: "failed" },
    { name: at("2026-03-08") },
    { name: at("2026-03-09") },
    { name: at("2026-03-27") },
    { name: at("2026-03-28") },
    { name: at("2026-03-29") },
    { name: at("2026-03-29", "14:30") },
];

let tmp = "";
let cluster: GeoStackCluster;
let backups = "";
let real = "";
let offsiteEnv: NodeJS.ProcessEnv;
let applets = "";

function backupEnv(dir: string): NodeJS.ProcessEnv {
    return cleanEnv({
        PATH: `${pg.ok ? pg.bindir : ""}:${process.env.PATH}`,
        BACKUP_DIR: dir,
        BACKUP_RUN_DIR: path.join(path.dirname(dir), `run-${path.basename(dir)}`),
        BACKUP_DB_HOST: "127.0.0.1",
        BACKUP_DB_PORT: String(cluster.port),
        BACKUP_DB_PASSWORD_FILE: path.join(tmp, "db-password"),
    });
}

/** geostack-offsite as the restic image runs it: busybox sh, busybox applets, jq and restic, nothing else. */
function offsite(args: string[], env: Record<string, string> = {}): RunResult {
    return run(path.join(applets, "sh"), [OFFSITE, ...args], { env: { ...offsiteEnv, ...env }, asUser: asPostgres(), timeoutMs: 120_000 });
}

function offsiteOk(args: string[], env: Record<string, string> = {}): RunResult {
    const r = offsite(args, env);
    if (r.status !== 0) throw new Error(`geostack-offsite ${args.join(" ")} failed: ${describeFailure(r)}`);
    return r;
}

const repositorySnapshots = (): { tags: string[]; hostname: string; time: string }[] =>
    JSON.parse(runOk("restic", ["snapshots", "--json"], { env: offsiteEnv, asUser: asPostgres() }));
const copiedNames = () =>
    repositorySnapshots()
        .map((s) => s.tags.find((t) => /^\d{8}T\d{6}Z$/.test(t)) as string)
        .sort();

beforeAll(async () => {
    if (!pg.ok) throw new Error(`GEOSTACK_REQUIRE_POSTGRES=1 but missing ${pg.missing}`);
    if (missingTools.length > 0) throw new Error(`missing ${missingTools.join(", ")}: run .ci/install-backup-tools.sh as root`);
    tmp = sharedTempDir("geostack-offsite-", pg);
    cluster = await geostackCluster(pg, "geoserver-pw");
    cluster.superPsql(
        GIS_DATABASE,
        "CREATE TABLE public.sites AS SELECT g AS id, ST_SetSRID(ST_MakePoint(g, g), 4326) AS geom FROM generate_series(1, 100) g;",
    );
    fs.writeFileSync(path.join(tmp, "db-password"), cluster.superuserPassword, { mode: 0o644 });

    backups = path.join(tmp, "backups");
    fs.mkdirSync(backups);
    if (pg.pgUser) fs.chownSync(backups, pg.pgUser.uid, pg.pgUser.gid);
    runOk(BACKUP, ["run"], { env: backupEnv(backups), asUser: asPostgres(), timeoutMs: 120_000 });
    real = backupsIn(backups)[0];
    // Older backups beside it: verified ones at odd times, two on some days, and failed and undrilled ones.
    for (const b of OLDER) fakeBackup(backups, b.name, b.drill ?? "passed");
    fakeBackup(backups, "20260401T020000Z", null);
    if (pg.pgUser) runOk("chown", ["-R", `${pg.pgUser.uid}:${pg.pgUser.gid}`, backups]);

    applets = path.join(tmp, "applets");
    fs.mkdirSync(applets);
    runOk("busybox", ["--install", "-s", applets]);
    for (const [tool, found] of tools) if (tool !== "busybox") fs.symlinkSync(found, path.join(applets, tool));
    const repository = path.join(tmp, "repository");
    fs.mkdirSync(repository);
    if (pg.pgUser) fs.chownSync(repository, pg.pgUser.uid, pg.pgUser.gid);
    fs.writeFileSync(path.join(tmp, "restic-password"), "restic-password-from-a-file", { mode: 0o644 });
    offsiteEnv = {
        PATH: applets,
        TZ: "UTC",
        BACKUP_DIR: backups,
        OFFSITE_HOST: "geostack-test",
        OFFSITE_RUN_DIR: path.join(tmp, "offsite-run"),
        RESTIC_REPOSITORY: repository,
        RESTIC_PASSWORD_FILE: path.join(tmp, "restic-password"),
        // Fewer than the defaults, so that each rule keeps some and drops others among these few backups.
        ...KEEP,
    };
    offsiteOk(["copy"]);
}, 240_000);

afterAll(() => {
    cluster?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe.skipIf(skip)("the off-host copy", () => {
    it("keeps in the repository exactly the verified backups the local retention keeps, one snapshot each at its time", () => {
        const pruned = path.join(tmp, "pruned");
        runOk("cp", ["-a", backups, pruned]);
        runOk(BACKUP, ["prune"], { env: { ...backupEnv(pruned), ...KEEP }, asUser: asPostgres() });
        const verified = backupsIn(pruned).filter(
            (name) => JSON.parse(fs.readFileSync(path.join(pruned, name, "manifest.json"), "utf8")).drill?.result === "passed",
        );
        expect(copiedNames()).toEqual(verified);
        expect(verified).toContain(real);
        // The newest of this day, 29 and 28 March (daily); of this week and week 13 (weekly); of this month, March
        // and February (monthly): restic's forget and our retention agree on which.
        expect(verified).toEqual([at("2026-02-28"), at("2026-03-28"), at("2026-03-29", "14:30"), real]);
        for (const snapshot of repositorySnapshots()) {
            expect(snapshot.hostname).toBe("geostack-test");
            const name = snapshot.tags.find((t) => /^\d{8}T/.test(t)) as string;
            expect(nameOf(new Date(snapshot.time))).toBe(name);
        }
    });

    it("never copies a backup whose drill failed or never ran", () => {
        const failedOrUndrilled = [at("2026-02-28", "20:00"), "20260401T020000Z"];
        const copied = copiedNames();
        for (const name of failedOrUndrilled) expect(copied).not.toContain(name);
    });

    it("copies nothing twice", () => {
        const before = repositorySnapshots().length;
        offsiteOk(["copy"]);
        expect(repositorySnapshots()).toHaveLength(before);
    }, 120_000);

    it("brings a backup back from the repository, checksums intact, and it passes its drill", () => {
        const fetched = path.join(tmp, "fetched");
        fs.mkdirSync(fetched);
        if (pg.ok && pg.pgUser) fs.chownSync(fetched, pg.pgUser.uid, pg.pgUser.gid);
        offsiteOk(["restore", "latest", fetched], { BACKUP_DIR: fetched });
        expect(backupsIn(fetched)).toEqual([real]);
        expect(fs.readdirSync(path.join(fetched, real)).sort()).toEqual(fs.readdirSync(path.join(backups, real)).sort());
        runOk("sha256sum", ["--check", "--strict", "SHA256SUMS"], { cwd: path.join(fetched, real) });
        // The drill needs no database server: it restores into a scratch cluster of its own.
        runOk(BACKUP, ["drill", real], { env: backupEnv(fetched), asUser: asPostgres(), timeoutMs: 120_000 });
        expect(JSON.parse(fs.readFileSync(path.join(fetched, real, "manifest.json"), "utf8")).drill.result).toBe("passed");
        expect(offsite(["restore", real, fetched]).stderr).toContain("exists already");
    }, 120_000);

    it("is healthy once the newest verified backup is copied, unhealthy when one waits for its copy over an hour", () => {
        const run = path.join(tmp, "offsite-run");
        fs.mkdirSync(run, { recursive: true });
        fs.writeFileSync(path.join(run, "last-checked"), `${real}\n`);
        fs.writeFileSync(path.join(run, "status"), "ok\n");
        expect(offsite(["health"])).toMatchObject({ status: 0, stdout: expect.stringContaining(`${real} is in`) });
        // A verified backup of two hours ago that the copy has not reached.
        const waiting = path.join(tmp, "waiting");
        fs.mkdirSync(waiting);
        const late = nameOf(new Date(Date.now() - 2 * 3_600_000));
        runOk("cp", ["-a", path.join(backups, real), path.join(waiting, late)]);
        expect(offsite(["health"], { BACKUP_DIR: waiting })).toMatchObject({
            status: 1,
            stdout: expect.stringMatching(new RegExp(`^unhealthy: backup ${late} is 1[12]\\d minutes old and not in`)),
        });
        fs.writeFileSync(path.join(run, "status"), `failed copying up to ${real}\n`);
        expect(offsite(["health"])).toMatchObject({ status: 1, stdout: `unhealthy: failed copying up to ${real}\n` });
        fs.writeFileSync(path.join(run, "status"), "ok\n");
    });
});

describe.skipIf(skip)("restic and the S3 credentials file the component writes", () => {
    it("signs its S3 requests with the access key from that file, without the key in its environment", async () => {
        const authorizations: string[] = [];
        const server = http.createServer((request, response) => {
            authorizations.push(String(request.headers.authorization ?? ""));
            response.writeHead(403, { "Content-Type": "application/xml" });
            response.end("<Error><Code>AccessDenied</Code></Error>");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as { port: number }).port;
        const credentials = path.join(tmp, "aws-credentials");
        fs.writeFileSync(credentials, awsCredentialsFile("AKIAGEOSTACKTEST", "secret-key-from-the-file"), { mode: 0o644 });
        try {
            const restic = spawn("restic", ["snapshots", "--no-cache"], {
                // restic's plain-http form, only to reach this stand-in endpoint (the component refuses it).
                env: cleanEnv({
                    RESTIC_REPOSITORY: `s3:http://127.0.0.1:${port}/bucket/geostack`,
                    RESTIC_PASSWORD: "x",
                    AWS_SHARED_CREDENTIALS_FILE: credentials,
                    HOME: tmp,
                }),
                stdio: "ignore",
            });
            await new Promise((resolve) => restic.on("exit", resolve));
        } finally {
            server.close();
        }
        expect(authorizations.length).toBeGreaterThan(0);
        expect(authorizations[0]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAGEOSTACKTEST\/\d{8}\/[\w-]+\/s3\/aws4_request/);
        expect(authorizations.join("\n")).not.toContain("secret-key-from-the-file");
    }, 60_000);
});
