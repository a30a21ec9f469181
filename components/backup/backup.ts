import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DEFAULT_BACKUP_RETENTION, DEFAULT_BACKUP_SCHEDULE, DEFAULT_CPUS, DEFAULT_MEMORY_MB, MIN_MEMORY_MB } from "../defaults";
import { GIS_DATABASE } from "../postgis/init-script";
import { POSTGRES_PORT, POSTGRES_SUPERUSER, postgresDataPath } from "../postgis/postgres";
import { arg, type EntriesFor, resolveOrThrow, spec } from "../shared/args";
import { cpuLimit, dockerNamePrefix, memoryMb } from "../shared/checks";
import { withContainerDefaults } from "../shared/container";
import { backupSchedule, keepCount } from "./checks";
import { filesVolume } from "./files-volume";
import { OFFSITE_COPY_SPEC, OffsiteCopy } from "./offsite-copy";
import { BACKUP_COMMAND, BACKUP_TOOLS_DIR, BACKUP_USER, backupTools, toolsDigest } from "./scripts";

/** Where the GeoServer data volume is mounted, read-only. */
export const BACKUP_GEOSERVER_DATA_DIR = "/geoserver-data";
const PASSWORD_FILE = "db-password";

export interface BackupArgs {
    /** Prefixes the container, volume and network names (GeoStack passes `<project>-<stack>`); defaults to the component name. */
    namePrefix?: string;
    /** The network PostGIS is reached on (GeoStack's internal backend); the backup joins no other. */
    networkName: pulumi.Input<string>;
    /** The PostGIS server's own image, by ID (`Postgis.imageId`): pg_dump, pg_restore and PostGIS are exactly the server's. */
    image: pulumi.Input<string>;
    /** The PostgreSQL major of that image, 14 or later. */
    postgresMajor: number;
    /** Host name of PostgreSQL on `networkName`. */
    databaseHost: pulumi.Input<string>;
    /** PostgreSQL's port; default 5432. */
    databasePort?: pulumi.Input<number>;
    /** The database backed up; default `gis`. */
    databaseName?: pulumi.Input<string>;
    /** Password of the superuser `postgres` (secret): it reaches the container as a file. */
    superuserPassword: pulumi.Input<string>;
    /** The GeoServer data directory's volume, archived with every backup (mounted read-only); unset: only the database. */
    geoserverDataVolumeName?: pulumi.Input<string>;
    /** UTC times of day a backup starts, `HH:MM`; default `["02:00"]`. */
    schedule?: string[];
    /** Days (the newest backup of each) kept; default 7. */
    keepDaily?: number;
    /** ISO weeks kept; default 4. */
    keepWeekly?: number;
    /** Months kept; default 6. */
    keepMonthly?: number;
    /** Memory limit of the container in MiB (at least 256, default 512): the dump and the drill's scratch PostgreSQL. */
    memoryMb?: number;
    /** CPU limit of the container, in CPUs (0.1 to 9.99); default 1. */
    cpus?: string;
    /** Protects the backups volume from `pulumi destroy` and keeps it if the resource is deleted. */
    protectData?: boolean;
    /** A restic repository on an S3-compatible service for an off-host copy of every verified backup; unset: none. */
    offsiteRepository?: string;
    /** Password of that restic repository (secret); it encrypts the copies. */
    offsitePassword?: pulumi.Input<string>;
    /** S3 access key ID for the repository (secret). */
    offsiteAccessKeyId?: pulumi.Input<string>;
    /** S3 secret access key for the repository (secret). */
    offsiteSecretAccessKey?: pulumi.Input<string>;
}

type Wired = "networkName" | "image" | "databaseHost" | "databasePort" | "databaseName" | "superuserPassword" | "geoserverDataVolumeName";
const offsite = OFFSITE_COPY_SPEC.args;
const OFFSITE_CREDENTIALS = ["offsitePassword", "offsiteAccessKeyId", "offsiteSecretAccessKey"] as const;

export const BACKUP_SPEC = spec(
    {
        namePrefix: arg.optional<string>("string", { check: dockerNamePrefix }),
        postgresMajor: arg.required<number>("integer", {
            check: (value) => (Number.isInteger(value) && value >= 14 ? undefined : "a PostgreSQL major, 14 or later"),
        }),
        schedule: arg.withDefault<string[]>(DEFAULT_BACKUP_SCHEDULE, { check: backupSchedule }),
        keepDaily: arg.withDefault<number>(DEFAULT_BACKUP_RETENTION.daily, { check: keepCount(1) }),
        keepWeekly: arg.withDefault<number>(DEFAULT_BACKUP_RETENTION.weekly, { check: keepCount(0) }),
        keepMonthly: arg.withDefault<number>(DEFAULT_BACKUP_RETENTION.monthly, { check: keepCount(0) }),
        memoryMb: arg.withDefault<number>(DEFAULT_MEMORY_MB.backup, { check: memoryMb(MIN_MEMORY_MB.backup) }),
        cpus: arg.withDefault<string>(DEFAULT_CPUS.backup, { check: cpuLimit }),
        protectData: arg.withDefault(false),
        offsiteRepository: arg.optional<string>("string", { check: offsite.repository.check }),
        offsitePassword: arg.optional<pulumi.Input<string>>("string", { secret: true }),
        offsiteAccessKeyId: arg.optional<pulumi.Input<string>>("string", { secret: true }),
        offsiteSecretAccessKey: arg.optional<pulumi.Input<string>>("string", { secret: true }),
    } satisfies EntriesFor<BackupArgs, Wired>,
    [
        {
            keys: ["offsiteRepository", ...OFFSITE_CREDENTIALS],
            check: (settings, name) => {
                if (settings.offsiteRepository !== undefined) {
                    const missing = OFFSITE_CREDENTIALS.filter((key) => settings[key] === undefined);
                    return missing.length === 0 ? undefined : `${missing.map(name).join(", ")} must be set with ${name("offsiteRepository")}`;
                }
                const stray = OFFSITE_CREDENTIALS.filter((key) => settings[key] !== undefined);
                return stray.length === 0
                    ? undefined
                    : `${stray.map(name).join(", ")} set without ${name("offsiteRepository")}: nothing would use ${stray.length === 1 ? "it" : "them"}`;
            },
        },
    ],
);

/**
 * Backups of PostGIS and of the GeoServer data directory, each restored into a scratch cluster and compared with its
 * manifest (tables, rows, owners, privileges, PostGIS, ST_IsValid) right after it is taken; GFS retention; an
 * optional encrypted off-host copy. One container of the server's own image on the database network only, read-only,
 * unprivileged, publishing nothing; unhealthy when the last backup or drill failed or is older than the schedule allows.
 */
export class Backup extends pulumi.ComponentResource {
    /** The volume holding the backups, `<namePrefix>-backups`. */
    readonly volumeName: pulumi.Output<string>;
    /** `<namePrefix>-backup`: `docker exec` it to list, drill and restore (`/opt/geostack/geostack-backup help`). */
    readonly containerName: pulumi.Output<string>;
    /** Where the backups volume is mounted in that container. */
    readonly backupDir: pulumi.Output<string>;
    /** The restic repository holding the off-host copies; empty without one. */
    readonly offsiteRepository: pulumi.Output<string>;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(BACKUP_SPEC, { ...args, namePrefix: args.namePrefix ?? name }, `Invalid arguments for Backup "${name}"`);
        super("geostack:index:Backup", name, {}, opts);
        const namePrefix = settings.namePrefix ?? name;
        const { protectData } = settings;
        // The image's data directory is the one `postgres` owns, and Docker hands that ownership to a new volume mounted
        // there (moby/moby, daemon/create_unix.go, populateVolume): anywhere else the volume would be root's.
        const dir = postgresDataPath(settings.postgresMajor);

        const volume = new docker.Volume(
            `${name}-backups`,
            { name: `${namePrefix}-backups` },
            { parent: this, protect: protectData, retainOnDelete: protectData },
        );
        const tools = backupTools();
        const files = filesVolume(
            name,
            { namePrefix, role: "backup-files", image: args.image, tools, secrets: { [PASSWORD_FILE]: args.superuserPassword }, reader: BACKUP_USER },
            this,
        );

        const volumes: docker.types.input.ContainerVolume[] = [
            { volumeName: volume.name, containerPath: dir },
            { volumeName: files.volume.name, containerPath: BACKUP_TOOLS_DIR, readOnly: true },
        ];
        if (args.geoserverDataVolumeName !== undefined) {
            volumes.push({ volumeName: args.geoserverDataVolumeName, containerPath: BACKUP_GEOSERVER_DATA_DIR, readOnly: true });
        }
        const container = new docker.Container(
            name,
            withContainerDefaults(
                { namePrefix, role: "backup", memoryMb: settings.memoryMb, cpus: settings.cpus },
                {
                    image: args.image,
                    user: `${BACKUP_USER.uid}:${BACKUP_USER.gid}`,
                    entrypoints: [BACKUP_COMMAND],
                    command: ["loop"],
                    envs: pulumi
                        .all([args.databaseHost, args.databasePort ?? POSTGRES_PORT, args.databaseName ?? GIS_DATABASE])
                        .apply(([host, port, database]) => [
                            `BACKUP_DIR=${dir}`,
                            `BACKUP_DB_HOST=${host}`,
                            `BACKUP_DB_PORT=${port}`,
                            `BACKUP_DB_USER=${POSTGRES_SUPERUSER}`,
                            `BACKUP_DB_NAME=${database}`,
                            `BACKUP_DB_PASSWORD_FILE=${BACKUP_TOOLS_DIR}/${PASSWORD_FILE}`,
                            `BACKUP_SCHEDULE=${settings.schedule.join(" ")}`,
                            `BACKUP_KEEP_DAILY=${settings.keepDaily}`,
                            `BACKUP_KEEP_WEEKLY=${settings.keepWeekly}`,
                            `BACKUP_KEEP_MONTHLY=${settings.keepMonthly}`,
                            `BACKUP_GEOSERVER_DATA_DIR=${args.geoserverDataVolumeName === undefined ? "" : BACKUP_GEOSERVER_DATA_DIR}`,
                            "BACKUP_RUN_DIR=/tmp/geostack-backup",
                            // New tools in the files volume replace the container, so the loop runs them.
                            `GEOSTACK_BACKUP_TOOLS=${toolsDigest(tools)}`,
                        ]),
                    volumes,
                    networksAdvanced: [{ name: args.networkName }],
                    readOnly: true,
                    // Credentials, sockets and work files; the dump and the drill's cluster go to the backups volume.
                    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
                    capabilities: { drops: ["ALL"] },
                    // tini as PID 1: the loop gets the stop signal and ends its dump or drill with it.
                    init: true,
                    healthcheck: {
                        tests: ["CMD", BACKUP_COMMAND, "health"],
                        interval: "30s",
                        timeout: "20s",
                        retries: 2,
                        // As Docker reports durations, so the state matches what is read back.
                        startPeriod: "1m0s",
                    },
                    // `pulumi up` ends once the backup can reach the database with its credentials.
                    wait: true,
                    waitTimeout: 180,
                    stopTimeout: 30,
                    destroyGraceSeconds: 30,
                },
            ),
            { parent: this, dependsOn: [files.loader] },
        );

        let offsiteRepository: pulumi.Output<string> = pulumi.output("");
        if (settings.offsiteRepository !== undefined) {
            const copy = new OffsiteCopy(
                `${name}-offsite`,
                {
                    namePrefix,
                    backupVolumeName: volume.name,
                    backupDir: dir,
                    repository: settings.offsiteRepository,
                    password: settings.offsitePassword!,
                    accessKeyId: settings.offsiteAccessKeyId!,
                    secretAccessKey: settings.offsiteSecretAccessKey!,
                    keepDaily: settings.keepDaily,
                    keepWeekly: settings.keepWeekly,
                    keepMonthly: settings.keepMonthly,
                },
                { parent: this, dependsOn: [container] },
            );
            offsiteRepository = copy.repository;
        }

        this.volumeName = volume.name;
        this.containerName = container.name;
        this.backupDir = pulumi.output(dir);
        this.offsiteRepository = offsiteRepository;
        this.registerOutputs({
            volumeName: this.volumeName,
            containerName: this.containerName,
            backupDir: this.backupDir,
            offsiteRepository: this.offsiteRepository,
        });
    }
}
