// The retention of geostack-backup (the script the backup container runs) over simulated calendars of backups.
// backup-offsite.test.ts holds it against restic's own forget, which the off-host copy applies.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptsDir } from "../../components/backup/scripts";
import { at, backupsIn, cleanEnv, days, fakeBackup, IRREGULAR } from "../support/backups";
import { runOk } from "../support/pg-cluster";

const SCRIPT = path.join(scriptsDir(), "geostack-backup");
let tmp = "";
beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-retention-"));
});
afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function prune(dir: string, keep = { daily: 7, weekly: 4, monthly: 6 }): void {
    runOk(SCRIPT, ["prune"], {
        env: cleanEnv({
            BACKUP_DIR: dir,
            BACKUP_RUN_DIR: path.join(dir, ".run"),
            BACKUP_KEEP_DAILY: String(keep.daily),
            BACKUP_KEEP_WEEKLY: String(keep.weekly),
            BACKUP_KEEP_MONTHLY: String(keep.monthly),
            TZ: "UTC",
        }),
    });
}

const kept = backupsIn;

/** Backups taken one after the other, pruned after each `every` (the loop prunes after each good one); returns what is left. */
function simulate(
    label: string,
    backups: { name: string; drill?: "passed" | "failed" | null }[],
    { keep, every = 1 }: { keep?: Parameters<typeof prune>[1]; every?: number } = {},
): string[] {
    const dir = path.join(tmp, label);
    fs.mkdirSync(dir);
    backups.forEach((backup, i) => {
        fakeBackup(dir, backup.name, backup.drill === undefined ? "passed" : backup.drill);
        // Only after a backup whose drill passed.
        if ((backup.drill === undefined || backup.drill === "passed") && ((i + 1) % every === 0 || i === backups.length - 1)) prune(dir, keep);
    });
    return kept(dir);
}

describe("retention over a simulated year of nightly backups", () => {
    it("keeps the newest of each of the last 7 days, 4 ISO weeks and 6 months (pruned every week)", () => {
        const left = simulate(
            "year",
            days("2026-01-01", "2026-12-31").map((day) => ({ name: at(day) })),
            { every: 7 },
        );
        expect(left).toEqual(
            [
                // Monthly: the newest of July to December.
                "2026-07-31",
                "2026-08-31",
                "2026-09-30",
                "2026-10-31",
                "2026-11-30",
                // Weekly: ISO weeks 50 to 53 of 2026 end on Sundays 13, 20 and 27 December; week 53 ends with the year.
                "2026-12-13",
                "2026-12-20",
                // Daily: the last seven days (27 and 31 December are also their weeks' newest, 31 December its month's).
                ...days("2026-12-25", "2026-12-31"),
            ].map((day) => at(day)),
        );
    });

    it("keeps fewer or more as configured", () => {
        const left = simulate(
            "small",
            days("2026-01-01", "2026-03-31").map((day) => ({ name: at(day) })),
            { keep: { daily: 2, weekly: 0, monthly: 2 }, every: 7 },
        );
        expect(left).toEqual(["2026-02-28", "2026-03-30", "2026-03-31"].map((day) => at(day)));
    });
});

describe("retention with irregular backups", () => {
    it("never removes anything newer than the newest verified backup, nor anything at all until one is verified", () => {
        const dir = path.join(tmp, "unverified");
        fs.mkdirSync(dir);
        for (const day of days("2026-05-01", "2026-05-20")) fakeBackup(dir, at(day), "failed");
        prune(dir);
        expect(kept(dir)).toHaveLength(20);
        fakeBackup(dir, at("2026-05-21"), "passed");
        fakeBackup(dir, at("2026-05-22"), null);
        fakeBackup(dir, at("2026-05-23"), "failed");
        prune(dir);
        // The failed and undrilled ones before the verified one go; those after it wait for a newer verified one.
        expect(kept(dir)).toEqual([at("2026-05-21"), at("2026-05-22"), at("2026-05-23")]);
    });

    it("keeps the newest of each bucket, never a failed drill, and pruned after every backup what pruning once keeps", () => {
        const once = path.join(tmp, "once");
        fs.mkdirSync(once);
        for (const b of IRREGULAR) fakeBackup(once, b.name, b.drill ?? "passed");
        prune(once);
        expect(kept(once)).toEqual([
            at("2025-10-15"),
            at("2025-11-20"),
            at("2025-12-24", "14:30"),
            at("2026-01-31"),
            at("2026-02-28"),
            // ISO weeks 10 to 12: the newest of each (8, 9 and 22 March); week 13 and the last seven days follow.
            at("2026-03-08"),
            at("2026-03-09"),
            ...days("2026-03-22", "2026-03-28").map((day) => at(day)),
            at("2026-03-29", "14:30"),
        ]);
        expect(simulate("every-time", IRREGULAR)).toEqual(kept(once));
    });
});
