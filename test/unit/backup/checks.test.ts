import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BACKUP_USER } from "../../../components/backup/scripts";
import { backupSchedule, keepCount, s3Repository } from "../../../components/backup/checks";
import { argOf, parseDockerfile } from "../../support/dockerfile";
import { ROOT } from "../../support/harness";

describe("backupSchedule", () => {
    it("takes UTC times of day, each once", () => {
        expect(backupSchedule(["02:00"])).toBeUndefined();
        expect(backupSchedule(["00:00", "23:59"])).toBeUndefined();
        expect(backupSchedule([])).toMatch(/^UTC times of day as HH:MM/);
        expect(backupSchedule(["2:00"])).toMatch(/not times of day: "2:00"/);
        expect(backupSchedule(["24:00", "12:60", "02:00 "])).toMatch(/not times of day: "24:00", "12:60", "02:00 "/);
        expect(backupSchedule(["02:00", "02:00"])).toBe("each time of day once");
    });
});

describe("keepCount", () => {
    it("takes whole numbers from its minimum to 1000", () => {
        expect(keepCount(1)(1)).toBeUndefined();
        expect(keepCount(0)(0)).toBeUndefined();
        expect(keepCount(1)(0)).toBe("a whole number from 1 to 1000");
        expect(keepCount(0)(1.5)).toBe("a whole number from 0 to 1000");
        expect(keepCount(0)(1001)).toBe("a whole number from 0 to 1000");
    });
});

describe("s3Repository", () => {
    it("takes restic's S3 forms over HTTPS only", () => {
        for (const ok of ["s3:s3.amazonaws.com/bucket", "s3:s3.eu-central-1.amazonaws.com/geo-backups/prod", "s3:https://minio.example.net:9000/bucket/path"]) {
            expect(s3Repository(ok), ok).toBeUndefined();
        }
        for (const bad of [
            "s3:http://minio.example.net/bucket",
            "sftp:user@host:/srv/restic",
            "/srv/restic",
            "s3:bucket",
            "s3:https://host/",
            "rest:https://host/",
        ]) {
            expect(s3Repository(bad), bad).toMatch(/^a restic S3 repository over HTTPS/);
        }
    });
});

describe("the backup's user", () => {
    // It reads the GeoServer data directory as its owner: GeoStack's GeoServer image must run as the same ids.
    it("is the user GeoStack's GeoServer image runs as", () => {
        const instructions = parseDockerfile(fs.readFileSync(path.join(ROOT, "images", "geoserver", "Dockerfile"), "utf8"));
        const arg = (name: string) =>
            instructions
                .filter((i) => i.keyword === "ARG")
                .map(argOf)
                .find((a) => a.name === name)?.default;
        expect({ uid: arg("GEOSERVER_UID"), gid: arg("GEOSERVER_GID") }).toEqual(BACKUP_USER);
    });
});
