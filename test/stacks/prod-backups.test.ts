// The prod stack's backups, as committed: on, beside the server they back up, sharing nothing with the outside.
import { beforeAll, describe, expect, it } from "vitest";
import { isSecret, type RegisteredResource, reveal } from "../../tools/render/mocks";
import { type Deployed, deployStack } from "../support/harness";
import { CONTAINER, envOf, NETWORK, networksOf, VOLUME } from "../support/resources";

let prod: Deployed;
beforeAll(async () => {
    prod = await deployStack("prod");
});

const container = (name: string): RegisteredResource => prod.mocks.get(CONTAINER, name);
const backup = () => container("geostack-backup");

describe("prod stack: backups", () => {
    it("run the PostGIS server's own image, by its ID, so pg_dump and PostGIS are the server's", () => {
        expect(reveal(backup().inputs.image)).toMatch(/^sha256:/);
        expect(reveal(backup().inputs.image)).toBe(reveal(container("geostack-postgis").inputs.image));
    });

    it("reach the database on the internal backend network only", () => {
        expect(networksOf(backup())).toEqual([{ name: "geostack-prod-backend" }]);
        expect(prod.mocks.get(NETWORK, "geostack-backend").inputs.internal).toBe(true);
        expect(backup().inputs.ports).toBeUndefined();
        expect(envOf(backup())).toMatchObject({ BACKUP_DB_HOST: "postgis", BACKUP_DB_PORT: "5432", BACKUP_DB_NAME: "gis" });
    });

    it("never mount the database's volume; read the GeoServer data directory read-only", () => {
        const mounts = reveal<{ volumeName: string; containerPath: string; readOnly?: boolean }[]>(backup().inputs.volumes);
        expect(mounts.map((m) => m.volumeName)).not.toContain("geostack-prod-postgis17-data");
        expect(mounts).toContainEqual({ volumeName: "geostack-prod-geoserver-data", containerPath: "/geoserver-data", readOnly: true });
        expect(mounts).toContainEqual({ volumeName: "geostack-prod-backups", containerPath: "/var/lib/postgresql/data" });
    });

    it("connect as the superuser with the generated password, which reaches them as a secret file only", () => {
        const password = prod.outputs.databaseSuperuserPassword.value as string;
        const loader = container("geostack-backup-files");
        expect(isSecret(loader.inputs.uploads)).toBe(true);
        expect(reveal<{ file: string; content: string }[]>(loader.inputs.uploads).find((u) => u.file === "/opt/geostack/db-password")?.content).toBe(password);
        expect(JSON.stringify(reveal(backup().inputs))).not.toContain(password);
    });

    it("start nightly at 02:00 UTC and keep 7 days, 4 weeks and 6 months, the stack file's values", () => {
        expect(envOf(backup())).toMatchObject({ BACKUP_SCHEDULE: "02:00", BACKUP_KEEP_DAILY: "7", BACKUP_KEEP_WEEKLY: "4", BACKUP_KEEP_MONTHLY: "6" });
    });

    it("are kept like data: the backups volume survives destroy", () => {
        expect(prod.mocks.get(VOLUME, "geostack-backup-backups").options).toMatchObject({ protect: true, retainOnDelete: true });
    });

    it("say where they are: the volume, and the container to run restores in; no off-host copy yet", () => {
        expect(prod.outputs.backupVolumeName.value).toBe("geostack-prod-backups");
        expect(prod.outputs.backupContainerName.value).toBe("geostack-prod-backup");
        expect(prod.mocks.ofType(CONTAINER).map((c) => c.name)).not.toContain("geostack-backup-offsite");
    });
});
