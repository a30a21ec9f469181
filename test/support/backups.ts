// Backups as retention and the off-host copy see them: a directory named after its UTC start time, holding a
// manifest with the drill's verdict (the line geostack-backup writes).
import * as fs from "node:fs";
import * as path from "node:path";

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
