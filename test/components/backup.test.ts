// Backup and OffsiteCopy on their own, as another project uses them, under the provider mocks: which network, which
// mounts, which user, where the password goes, the schedule, and what survives a destroy.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Backup, BACKUP_SPEC, OFFSITE_COPY_SPEC, OffsiteCopy } from "../../components";
import { scriptsDir } from "../../components/backup/scripts";
import { installMocks, isSecret, type ProviderMocks, reveal, settle } from "../../tools/render/mocks";
import { expectRefusal, type RefusalCase, registrationsDone, titleOf, uncovered } from "../support/refusals";
import { CONTAINER, envOf, labelsOf, NETWORK, networksOf, REMOTE_IMAGE, VOLUME } from "../support/resources";

const PASSWORD = "superuser-password-from-another-program";
const OFFSITE = { password: "restic-password-of-this-test", accessKeyId: "AKIA-OF-THIS-TEST", secretAccessKey: "s3-secret-of-this-test" };
const required = { networkName: "db-net", image: "sha256:postgis-image-id", postgresMajor: 17, databaseHost: "db", superuserPassword: pulumi.secret(PASSWORD) };

let mocks: ProviderMocks;
let plain: Backup;
let full: Backup;

beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    mocks = installMocks("some-other-project", "staging");
    plain = new Backup("plain", required);
    full = new Backup("full", {
        ...required,
        namePrefix: "app",
        postgresMajor: 18,
        geoserverDataVolumeName: "app-geoserver-data",
        schedule: ["01:15", "13:15"],
        keepDaily: 3,
        keepWeekly: 2,
        keepMonthly: 12,
        memoryMb: 1024,
        protectData: true,
        offsiteRepository: "s3:s3.eu-central-1.amazonaws.com/app-backups/app",
        offsitePassword: OFFSITE.password,
        offsiteAccessKeyId: OFFSITE.accessKeyId,
        offsiteSecretAccessKey: OFFSITE.secretAccessKey,
    });
    await registrationsDone();
});

const container = (name: string) => mocks.get(CONTAINER, name);
const uploads = (loader: string) => reveal<{ file: string; content: string; permissions: string }[]>(container(loader).inputs.uploads);

/** Every value in a resource's inputs that is not inside a secret. */
function plainStrings(value: unknown): string[] {
    if (isSecret(value)) return [];
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(plainStrings);
    if (typeof value === "object" && value !== null) return Object.values(value).flatMap(plainStrings);
    return [];
}

describe("Backup given only what it needs", () => {
    it("creates its backups volume, its tools' volume with a loader, and its container, named after the component", async () => {
        const urn = (await settle(plain.urn)).value;
        const children = mocks.resources.filter((r) => r.options.parent === urn).map((r) => `${r.type} ${r.name}`);
        expect(children.sort()).toEqual([
            "docker:index/container:Container plain",
            "docker:index/container:Container plain-files",
            "docker:index/volume:Volume plain-backups",
            "docker:index/volume:Volume plain-files",
        ]);
        expect(container("plain").inputs.name).toBe("plain-backup");
        expect((await settle(plain.volumeName)).value).toBe("plain-backups");
        expect((await settle(plain.containerName)).value).toBe("plain-backup");
        expect((await settle(plain.offsiteRepository)).value).toBe("");
    });

    it("runs the server's own image, by the ID it was given", () => {
        expect(container("plain").inputs.image).toBe("sha256:postgis-image-id");
        expect(mocks.ofType(REMOTE_IMAGE).filter((r) => r.name.startsWith("plain"))).toEqual([]);
    });

    it("joins only the database's network and publishes nothing", () => {
        expect(networksOf(container("plain"))).toEqual([{ name: "db-net" }]);
        expect(container("plain").inputs.ports).toBeUndefined();
        expect(container("plain").inputs.networkMode).toBeUndefined();
    });

    it("runs as postgres (999) on a read-only root, no capability, tini as PID 1, under the container defaults", () => {
        const c = container("plain").inputs;
        expect(c).toMatchObject({ user: "999:999", readOnly: true, init: true, capabilities: { drops: ["ALL"] }, restart: "unless-stopped" });
        expect(c.securityOpts).toEqual(["no-new-privileges:true"]);
        expect(c).toMatchObject({ memory: 512, cpus: "1.0" });
        expect(c.tmpfs).toEqual({ "/tmp": "rw,noexec,nosuid,size=64m" });
        expect(labelsOf(container("plain"))).toMatchObject({ "geostack.instance": "plain", "geostack.role": "backup" });
        expect(c.entrypoints).toEqual(["/opt/geostack/geostack-backup"]);
        expect(c.command).toEqual(["loop"]);
    });

    it("mounts its backups where the image lets postgres write, its tools read-only, and no database volume", () => {
        expect(container("plain").inputs.volumes).toEqual([
            { volumeName: "plain-backups", containerPath: "/var/lib/postgresql/data" },
            { volumeName: "plain-backup-files", containerPath: "/opt/geostack", readOnly: true },
        ]);
    });

    it("backs up nightly at 02:00 UTC, keeping 7 days, 4 weeks and 6 months, with no GeoServer data directory", () => {
        expect(envOf(container("plain"))).toMatchObject({
            BACKUP_SCHEDULE: "02:00",
            BACKUP_KEEP_DAILY: "7",
            BACKUP_KEEP_WEEKLY: "4",
            BACKUP_KEEP_MONTHLY: "6",
            BACKUP_DB_HOST: "db",
            BACKUP_DB_PORT: "5432",
            BACKUP_DB_NAME: "gis",
            BACKUP_DB_USER: "postgres",
            BACKUP_GEOSERVER_DATA_DIR: "",
        });
    });

    it("turns unhealthy through its own health command, and `up` waits for the first verdict", () => {
        const c = container("plain").inputs;
        expect(c.healthcheck).toMatchObject({ tests: ["CMD", "/opt/geostack/geostack-backup", "health"], retries: 2, startPeriod: "1m0s" });
        expect(c).toMatchObject({ wait: true, waitTimeout: 180 });
    });

    it("reads the password from a file: a secret upload of the loader, its own (0400), never in its environment or command", () => {
        const file = uploads("plain-files").find((u) => u.file === "/opt/geostack/db-password") as any;
        expect(file?.content).toBe(PASSWORD);
        expect([file.owner, file.group, file.permissions]).toEqual(["999", "999", "0400"]);
        expect(isSecret(container("plain-files").inputs.uploads)).toBe(true);
        expect(envOf(container("plain")).BACKUP_DB_PASSWORD_FILE).toBe("/opt/geostack/db-password");
        for (const r of mocks.resources) expect(plainStrings(r.inputs).join("\n"), r.name).not.toContain(PASSWORD);
    });

    it("uploads the very scripts the real-server tests run", () => {
        const dir = scriptsDir();
        const files = ["geostack-backup", ...fs.readdirSync(path.join(dir, "sql")).map((f) => `sql/${f}`)];
        expect(
            uploads("plain-files")
                .filter((u) => u.file !== "/opt/geostack/db-password")
                .map((u) => u.file)
                .sort(),
        ).toEqual(files.map((f) => `/opt/geostack/${f}`).sort());
        for (const f of files)
            expect(uploads("plain-files").find((u) => u.file === `/opt/geostack/${f}`)?.content, f).toBe(fs.readFileSync(path.join(dir, f), "utf8"));
        expect(uploads("plain-files").find((u) => u.file === "/opt/geostack/geostack-backup")?.permissions).toBe("0755");
    });

    it("loads the files through a container that is never started (and so never restarted either)", () => {
        expect(container("plain-files").inputs).toMatchObject({
            name: "plain-backup-files",
            image: "sha256:postgis-image-id",
            start: false,
            mustRun: false,
            entrypoints: ["true"],
            volumes: [{ volumeName: "plain-backup-files", containerPath: "/opt/geostack" }],
        });
        expect(container("plain").options.dependencies).toContain(container("plain-files").urn);
    });

    it("does not protect its backups unless asked", () => {
        expect(mocks.get(VOLUME, "plain-backups").options).toMatchObject({ protect: false, retainOnDelete: false });
    });
});

describe("Backup on PostgreSQL 18, of the GeoServer data directory too, protected, with an off-host copy", () => {
    it("mounts its backups at 18's data directory and the GeoServer data volume read-only", () => {
        expect(container("full").inputs.volumes).toEqual([
            { volumeName: "app-backups", containerPath: "/var/lib/postgresql" },
            { volumeName: "app-backup-files", containerPath: "/opt/geostack", readOnly: true },
            { volumeName: "app-geoserver-data", containerPath: "/geoserver-data", readOnly: true },
        ]);
        expect(envOf(container("full"))).toMatchObject({ BACKUP_DIR: "/var/lib/postgresql", BACKUP_GEOSERVER_DATA_DIR: "/geoserver-data" });
    });

    it("follows its schedule, retention and memory", () => {
        expect(envOf(container("full"))).toMatchObject({
            BACKUP_SCHEDULE: "01:15 13:15",
            BACKUP_KEEP_DAILY: "3",
            BACKUP_KEEP_WEEKLY: "2",
            BACKUP_KEEP_MONTHLY: "12",
        });
        expect(container("full").inputs.memory).toBe(1024);
    });

    it("protects its backups from destroy and keeps them when deleted; its tools' volume is rewritten on every up", () => {
        expect(mocks.get(VOLUME, "full-backups").options).toMatchObject({ protect: true, retainOnDelete: true });
        expect(mocks.get(VOLUME, "full-files").options).toMatchObject({ protect: false, retainOnDelete: false });
        expect(mocks.get(VOLUME, "full-offsite-files").options).toMatchObject({ protect: false, retainOnDelete: false });
    });

    it("copies off the host from a restic container on a network of its own, reading the backups read-only", async () => {
        const copy = container("full-offsite");
        expect(copy.inputs).toMatchObject({ name: "app-backup-offsite", user: "999:999", readOnly: true, init: true, capabilities: { drops: ["ALL"] } });
        expect(reveal(mocks.get(REMOTE_IMAGE, "full-offsite-image").inputs.name)).toBe("restic/restic:0.19.1");
        expect(networksOf(copy)).toEqual([{ name: "app-backup-offsite" }]);
        expect(mocks.get(NETWORK, "full-offsite-network").inputs).toMatchObject({ name: "app-backup-offsite", driver: "bridge" });
        expect(mocks.get(NETWORK, "full-offsite-network").inputs.internal).toBeUndefined();
        expect(copy.inputs.ports).toBeUndefined();
        expect(copy.inputs.volumes).toEqual([
            { volumeName: "app-backups", containerPath: "/var/lib/postgresql", readOnly: true },
            { volumeName: "app-backup-offsite-files", containerPath: "/opt/geostack", readOnly: true },
        ]);
        expect(envOf(copy)).toMatchObject({
            BACKUP_DIR: "/var/lib/postgresql",
            OFFSITE_HOST: "app",
            RESTIC_REPOSITORY: "s3:s3.eu-central-1.amazonaws.com/app-backups/app",
            RESTIC_PASSWORD_FILE: "/opt/geostack/restic-password",
            AWS_SHARED_CREDENTIALS_FILE: "/opt/geostack/aws-credentials",
            BACKUP_KEEP_DAILY: "3",
            BACKUP_KEEP_WEEKLY: "2",
            BACKUP_KEEP_MONTHLY: "12",
        });
        expect((await settle(full.offsiteRepository)).value).toBe("s3:s3.eu-central-1.amazonaws.com/app-backups/app");
    });

    it("hands restic its password and S3 keys as secret files only", () => {
        const files = uploads("full-offsite-files");
        expect(files.find((u) => u.file === "/opt/geostack/restic-password")?.content).toBe(OFFSITE.password);
        expect(files.find((u) => u.file === "/opt/geostack/aws-credentials")?.content).toBe(
            `[default]\naws_access_key_id = ${OFFSITE.accessKeyId}\naws_secret_access_key = ${OFFSITE.secretAccessKey}\n`,
        );
        expect(isSecret(container("full-offsite-files").inputs.uploads)).toBe(true);
        for (const r of mocks.resources) {
            const text = plainStrings(r.inputs).join("\n");
            for (const secret of Object.values(OFFSITE)) expect(text, r.name).not.toContain(secret);
        }
    });
});

describe("Backup refuses bad args before registering anything", () => {
    const context = 'Invalid arguments for Backup "bad"';
    const cases: RefusalCase[] = [
        { args: { namePrefix: "-x" } },
        { args: { postgresMajor: 13 } },
        { args: { postgresMajor: undefined } },
        { args: { schedule: [] } },
        { args: { schedule: ["02:00", "02:00"] } },
        { args: { keepDaily: 0 } },
        { args: { keepWeekly: 1001 } },
        { args: { keepMonthly: -1 } },
        { args: { memoryMb: 100 } },
        { args: { cpus: "lots" } },
        { args: { offsiteRepository: "sftp:backup@host:/srv/restic" } },
        {
            args: { offsiteRepository: "s3:s3.example.net/bucket" },
            message: /^offsitePassword, offsiteAccessKeyId, offsiteSecretAccessKey must be set with offsiteRepository$/,
        },
        { args: { offsiteAccessKeyId: "AKIA" }, message: /^offsiteAccessKeyId set without offsiteRepository: nothing would use it$/ },
    ];

    it("has a case for every arg with a check and every rule", () => {
        expect(uncovered(BACKUP_SPEC, required, cases)).toEqual({ args: [], rules: [] });
    });

    it.each(cases.map((c) => [titleOf(c), c] as const))("%s", (_, refusal) =>
        expectRefusal(BACKUP_SPEC, context, required, refusal, (args) => new Backup("bad", args as any)),
    );
});

describe("OffsiteCopy refuses bad args before registering anything", () => {
    const context = 'Invalid arguments for OffsiteCopy "bad"';
    const base = { backupVolumeName: "v", backupDir: "/var/lib/postgresql/data", repository: "s3:s3.example.net/bucket", ...OFFSITE };
    const cases: RefusalCase[] = [
        { args: { namePrefix: "-x" } },
        { args: { repository: "s3:http://s3.example.net/bucket" } },
        { args: { repository: undefined } },
        { args: { password: undefined } },
        { args: { accessKeyId: undefined } },
        { args: { secretAccessKey: undefined } },
        { args: { keepDaily: 0 } },
        { args: { keepWeekly: 2.5 } },
        { args: { keepMonthly: -3 } },
        { args: { image: "Not An Image" } },
        { args: { memoryMb: 64 } },
        { args: { cpus: "12" } },
    ];

    it("has a case for every arg with a check and every rule", () => {
        expect(uncovered(OFFSITE_COPY_SPEC, base, cases)).toEqual({ args: [], rules: [] });
    });

    it.each(cases.map((c) => [titleOf(c), c] as const))("%s", (_, refusal) =>
        expectRefusal(OFFSITE_COPY_SPEC, context, base, refusal, (args) => new OffsiteCopy("bad", args as any)),
    );
});
