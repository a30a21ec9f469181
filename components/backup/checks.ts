/** The checks of the backup arguments: pure, so the unit tests and every spec that borrows them share them. */
import type { Check } from "../shared/args";

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Times of day in UTC, `HH:MM`, each once: geostack-backup's loop reads exactly this form. */
export const backupSchedule: Check<string[]> = (times) => {
    const bad = times.filter((time) => !TIME_OF_DAY.test(time));
    if (times.length === 0 || bad.length > 0) {
        return `UTC times of day as HH:MM, such as ["02:00"] or ["02:00", "14:00"]${bad.length > 0 ? ` (not times of day: ${bad.map((b) => JSON.stringify(b)).join(", ")})` : ""}`;
    }
    return new Set(times).size === times.length ? undefined : "each time of day once";
};

/** How many backups a retention rule keeps. */
export function keepCount(min: number): Check<number> {
    return (value) => (Number.isInteger(value) && value >= min && value <= 1000 ? undefined : `a whole number from ${min} to 1000`);
}

/**
 * A restic repository on an S3-compatible service, over HTTPS: `s3:<host>/<bucket>[/<path>]` (restic's default is
 * https) or `s3:https://<host>[:port]/<bucket>[/<path>]`. restic's plain-http form is refused: the copy leaves the host.
 */
export const s3Repository: Check<string> = (value) =>
    /^s3:(https:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/[A-Za-z0-9._-]+(\/[^\s]*)?$/.test(value)
        ? undefined
        : "a restic S3 repository over HTTPS, such as s3:s3.eu-central-1.amazonaws.com/<bucket>/geostack or s3:https://<host>/<bucket>/geostack";
