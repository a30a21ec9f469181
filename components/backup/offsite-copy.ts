import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DEFAULT_BACKUP_RETENTION, DEFAULT_CPUS, DEFAULT_MEMORY_MB, DEFAULT_RESTIC_IMAGE, MIN_MEMORY_MB } from "../defaults";
import { arg, type EntriesFor, resolveOrThrow, spec } from "../shared/args";
import { cpuLimit, dockerNamePrefix, imageReference, memoryMb } from "../shared/checks";
import { pullImage, withContainerDefaults } from "../shared/container";
import { keepCount, s3Repository } from "./checks";
import { filesVolume } from "./files-volume";
import { awsCredentialsFile, BACKUP_TOOLS_DIR, BACKUP_USER, OFFSITE_COMMAND, offsiteTools, toolsDigest } from "./scripts";

/** The backups' owner (BACKUP_USER): the copy reads them as that user, no capability needed. */
const OFFSITE_USER = BACKUP_USER;
const PASSWORD_FILE = "restic-password";
const CREDENTIALS_FILE = "aws-credentials";

export interface OffsiteCopyArgs {
    /** Prefixes the container, volume and network names; defaults to the component name. */
    namePrefix?: string;
    /** The volume a Backup writes (`Backup.volumeName`); mounted read-only. */
    backupVolumeName: pulumi.Input<string>;
    /** Where the Backup mounts it (`Backup.backupDir`): the same path here. */
    backupDir: string;
    /** A restic repository on an S3-compatible service, over HTTPS: `s3:<host>/<bucket>/<path>`. */
    repository: string;
    /** Password of the restic repository (secret); it encrypts the copies: keep it apart from this host. */
    password: pulumi.Input<string>;
    /** S3 access key ID (secret). */
    accessKeyId: pulumi.Input<string>;
    /** S3 secret access key (secret). */
    secretAccessKey: pulumi.Input<string>;
    /** Days kept in the repository; default 7. */
    keepDaily?: number;
    /** ISO weeks kept; default 4. */
    keepWeekly?: number;
    /** Months kept; default 6. */
    keepMonthly?: number;
    /** The restic image (default: GeoStack's pinned official release). */
    image?: string;
    /** Memory limit of the container in MiB (at least 128, default 512). */
    memoryMb?: number;
    /** CPU limit of the container, in CPUs (0.1 to 9.99); default 0.5. */
    cpus?: string;
}

type Wired = "backupVolumeName" | "backupDir";

export const OFFSITE_COPY_SPEC = spec({
    namePrefix: arg.optional<string>("string", { check: dockerNamePrefix }),
    repository: arg.required<string>("string", { check: s3Repository }),
    password: arg.required<pulumi.Input<string>>("string", { secret: true }),
    accessKeyId: arg.required<pulumi.Input<string>>("string", { secret: true }),
    secretAccessKey: arg.required<pulumi.Input<string>>("string", { secret: true }),
    keepDaily: arg.withDefault<number>(DEFAULT_BACKUP_RETENTION.daily, { check: keepCount(1) }),
    keepWeekly: arg.withDefault<number>(DEFAULT_BACKUP_RETENTION.weekly, { check: keepCount(0) }),
    keepMonthly: arg.withDefault<number>(DEFAULT_BACKUP_RETENTION.monthly, { check: keepCount(0) }),
    image: arg.withDefault<string>(DEFAULT_RESTIC_IMAGE, { check: imageReference }),
    memoryMb: arg.withDefault<number>(DEFAULT_MEMORY_MB.offsiteCopy, { check: memoryMb(MIN_MEMORY_MB.offsiteCopy) }),
    cpus: arg.withDefault<string>(DEFAULT_CPUS.offsiteCopy, { check: cpuLimit }),
} satisfies EntriesFor<OffsiteCopyArgs, Wired>);

/**
 * An off-host copy of every verified backup with restic (the official image): one encrypted, deduplicated snapshot
 * per backup in an S3-compatible bucket, the backups' retention applied there too. It reads the backups volume
 * read-only and has a network of its own to reach the bucket; the repository password and the S3 keys are files.
 */
export class OffsiteCopy extends pulumi.ComponentResource {
    /** `<namePrefix>-backup-offsite`: `docker exec` it to list the repository's snapshots. */
    readonly containerName: pulumi.Output<string>;
    /** The restic repository. */
    readonly repository: pulumi.Output<string>;

    constructor(name: string, args: OffsiteCopyArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(OFFSITE_COPY_SPEC, { ...args, namePrefix: args.namePrefix ?? name }, `Invalid arguments for OffsiteCopy "${name}"`);
        super("geostack:index:OffsiteCopy", name, {}, opts);
        const namePrefix = settings.namePrefix ?? name;

        const image = pullImage(name, settings.image, this).imageId;
        const credentials = pulumi.all([settings.accessKeyId, settings.secretAccessKey]).apply(([id, key]) => awsCredentialsFile(id, key));
        const tools = offsiteTools();
        const files = filesVolume(
            name,
            {
                namePrefix,
                role: "backup-offsite-files",
                image,
                tools,
                secrets: { [PASSWORD_FILE]: settings.password, [CREDENTIALS_FILE]: credentials },
                reader: OFFSITE_USER,
            },
            this,
        );
        // Not the internal backend network: the bucket is off the host.
        const network = new docker.Network(`${name}-network`, { name: `${namePrefix}-backup-offsite`, driver: "bridge" }, { parent: this });

        const container = new docker.Container(
            name,
            withContainerDefaults(
                { namePrefix, role: "backup-offsite", memoryMb: settings.memoryMb, cpus: settings.cpus },
                {
                    image,
                    user: `${OFFSITE_USER.uid}:${OFFSITE_USER.gid}`,
                    entrypoints: [OFFSITE_COMMAND],
                    command: ["loop"],
                    envs: [
                        `BACKUP_DIR=${args.backupDir}`,
                        `OFFSITE_HOST=${namePrefix}`,
                        `RESTIC_REPOSITORY=${settings.repository}`,
                        `RESTIC_PASSWORD_FILE=${BACKUP_TOOLS_DIR}/${PASSWORD_FILE}`,
                        `AWS_SHARED_CREDENTIALS_FILE=${BACKUP_TOOLS_DIR}/${CREDENTIALS_FILE}`,
                        `BACKUP_KEEP_DAILY=${settings.keepDaily}`,
                        `BACKUP_KEEP_WEEKLY=${settings.keepWeekly}`,
                        `BACKUP_KEEP_MONTHLY=${settings.keepMonthly}`,
                        "OFFSITE_RUN_DIR=/tmp/geostack-offsite",
                        `GEOSTACK_OFFSITE_TOOLS=${toolsDigest(tools)}`,
                    ],
                    volumes: [
                        { volumeName: args.backupVolumeName, containerPath: args.backupDir, readOnly: true },
                        { volumeName: files.volume.name, containerPath: BACKUP_TOOLS_DIR, readOnly: true },
                    ],
                    networksAdvanced: [{ name: network.name }],
                    readOnly: true,
                    // restic's cache lives here too.
                    tmpfs: { "/tmp": "rw,noexec,nosuid,size=256m" },
                    capabilities: { drops: ["ALL"] },
                    init: true,
                    healthcheck: {
                        tests: ["CMD", OFFSITE_COMMAND, "health"],
                        interval: "1m0s",
                        timeout: "30s",
                        retries: 2,
                        startPeriod: "1m0s",
                    },
                    stopTimeout: 30,
                    destroyGraceSeconds: 30,
                },
            ),
            { parent: this, dependsOn: [files.loader] },
        );

        this.containerName = container.name;
        this.repository = pulumi.output(settings.repository);
        this.registerOutputs({ containerName: this.containerName, repository: this.repository });
    }
}
