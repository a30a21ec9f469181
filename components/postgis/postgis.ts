import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { DEFAULT_CPUS, DEFAULT_MEMORY_MB, DEFAULT_POSTGIS_IMAGE, MIN_MEMORY_MB } from "../defaults";
import { arg, type EntriesFor, problem, resolveOrThrow, spec } from "../shared/args";
import { cpuLimit, dockerNamePrefix, memoryMb, tcpPort } from "../shared/checks";
import { pullImage, withContainerDefaults } from "../shared/container";
import { missingFromImage, POSTGIS_EXTENSIONS_SCRIPT_PATH, postgisExtensionList, postgisExtensionsScript } from "./extensions-script";
import { GEOSERVER_DB_PASSWORD_FILE_ENV, GEOSERVER_DB_ROLE, GIS_DATABASE, POSTGIS_INIT_SCRIPT_PATH, postgisInitScript } from "./init-script";
import { MONITOR_DB_PASSWORD_FILE_ENV, MONITOR_DB_ROLE, MONITOR_ROLE_SCRIPT_PATH, monitorRoleScript } from "./monitor-role";
import { postgisImage, postgresDataPath, postgresMajorOf, postgresUserOf, POSTGRES_PORT, POSTGRES_SUPERUSER } from "./postgres";

export const POSTGIS_HOST_ALIAS = "postgis";
/** Read once, on first init: the superuser's by the image's entrypoint (POSTGRES_PASSWORD_FILE), geoserver's by our script. */
export const POSTGRES_PASSWORD_PATH = "/run/secrets/postgres-password";
export const GEOSERVER_DB_PASSWORD_PATH = "/run/secrets/geoserver-db-password";
export const MONITOR_DB_PASSWORD_PATH = "/run/secrets/monitor-db-password";

export interface PostgisArgs {
    /** Prefixes the container, volume and network names (GeoStack passes `<project>-<stack>`); defaults to the component name. */
    namePrefix?: string;
    /** The network its clients (GeoServer, your application) reach the database on; PostGIS joins it with the alias `postgis`. */
    networkName: pulumi.Input<string>;
    /** A `postgis/postgis` image of PostgreSQL 14 or later (default: GeoStack's pinned release); its tag's major picks the data path and the volume name. */
    image?: string;
    /** Memory limit of the container in MiB (at least 256); default 1024. */
    memoryMb?: number;
    /** CPU limit of the container, in CPUs (0.1 to 9.99); default 2. */
    cpus?: string;
    /** Publishes 5432 on 127.0.0.1:<port> of the Docker host (for a laptop's GIS client); never on other addresses. */
    publishPort?: number;
    /** Protects the data volume from `pulumi destroy` and keeps it if the resource is deleted. */
    protectData?: boolean;
    /**
     * Optional extensions created in `gis` when the database is new (postgis_raster, postgis_topology, fuzzystrmatch,
     * postgis_tiger_geocoder, pgrouting), owned by the role that owns PostGIS; pgrouting needs an image that has it.
     */
    extensions?: string[];
}

export const POSTGIS_SPEC = spec(
    {
        namePrefix: arg.optional<string>("string", { check: dockerNamePrefix }),
        image: arg.withDefault<string>(DEFAULT_POSTGIS_IMAGE, { check: postgisImage }),
        memoryMb: arg.withDefault<number>(DEFAULT_MEMORY_MB.postgis, { check: memoryMb(MIN_MEMORY_MB.postgis) }),
        cpus: arg.withDefault<string>(DEFAULT_CPUS.postgis, { check: cpuLimit }),
        publishPort: arg.optional<number>("integer", { check: tcpPort }),
        protectData: arg.withDefault(false),
        extensions: arg.withDefault<string[]>([], { check: postgisExtensionList }),
    } satisfies EntriesFor<PostgisArgs, "networkName">,
    [
        {
            keys: ["extensions", "image"],
            check: ({ extensions, image }, name) => {
                const expected = missingFromImage(image, extensions);
                return expected && problem(name("image"), image, expected);
            },
        },
    ],
);

/**
 * PostgreSQL + PostGIS with a `gis` database owned by the role `gis_owner`, which cannot log in, and used by the
 * least-privilege login role `geoserver`. The init script
 * travels in the container's uploads, so a remote Docker host needs no file from this machine.
 */
export class Postgis extends pulumi.ComponentResource {
    /** `<namePrefix>-postgis` */
    readonly containerName: pulumi.Output<string>;
    /** The data volume, `<namePrefix>-postgis<major>-data`. */
    readonly volumeName: pulumi.Output<string>;
    /** Host name of the database on `networkName`: always `postgis`. */
    readonly host: pulumi.Output<string>;
    /** PostgreSQL's port on that network: 5432. */
    readonly port: pulumi.Output<number>;
    /** The application database: `gis`. */
    readonly database: pulumi.Output<string>;
    /** The least-privilege login role on `database`: `geoserver`, owner of the tables it creates and of nothing else. */
    readonly username: pulumi.Output<string>;
    /** Password of the `geoserver` role (secret). */
    readonly password: pulumi.Output<string>;
    /** Password of the `postgres` superuser, for maintenance only (secret). */
    readonly superuserPassword: pulumi.Output<string>;
    /** The monitoring's login role, `geostack_monitor`: pg_monitor's statistics, on the `postgres` database only. */
    readonly monitorUsername: pulumi.Output<string>;
    /** Password of the monitoring role (secret). */
    readonly monitorPassword: pulumi.Output<string>;
    /** `127.0.0.1:<port>` when published, else an empty string. */
    readonly publishedAddress: pulumi.Output<string>;
    /** The ID of the image the server runs: a Backup runs exactly this one. */
    readonly imageId: pulumi.Output<string>;

    constructor(name: string, args: PostgisArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(POSTGIS_SPEC, { ...args, namePrefix: args.namePrefix ?? name }, `Invalid arguments for Postgis "${name}"`);
        super("geostack:index:Postgis", name, {}, opts);
        const namePrefix = settings.namePrefix ?? name;
        const major = postgresMajorOf(settings.image)!;
        const { protectData, publishPort } = settings;

        const superuserPassword = new random.RandomPassword(`${name}-superuser-password`, { length: 32, special: false }, { parent: this });
        // Alphanumeric: the GeoServer image splices this password into Tomcat's context.xml.
        const geoserverPassword = new random.RandomPassword(`${name}-geoserver-password`, { length: 32, special: false }, { parent: this });
        const monitorPassword = new random.RandomPassword(`${name}-monitor-password`, { length: 32, special: false }, { parent: this });

        // The major is in both names: clusters of different majors are not on-disk compatible, and a new major must be
        // a new volume beside the old one, not a replacement (which would delete the old cluster).
        const volume = new docker.Volume(
            `${name}-data-pg${major}`,
            { name: `${namePrefix}-postgis${major}-data` },
            { parent: this, protect: protectData, retainOnDelete: protectData },
        );

        // The image's postgres user from the start, rather than root stepping down with gosu: the entrypoint then needs
        // no capability at all (no chown, no setuid), and only that user owns the password files.
        const user = postgresUserOf(settings.image);
        const secretFile = { owner: user.uid, group: user.gid, permissions: "0400" };

        const networks: docker.types.input.ContainerNetworksAdvanced[] = [{ name: args.networkName, aliases: [POSTGIS_HOST_ALIAS] }];
        // Docker never publishes ports of a container that is only on internal networks (moby#36174).
        if (publishPort !== undefined) {
            const publishNetwork = new docker.Network(`${name}-publish`, { name: `${namePrefix}-postgis-publish`, driver: "bridge" }, { parent: this });
            networks.push({ name: publishNetwork.name });
        }

        const image = pullImage(name, settings.image, this);
        const container = new docker.Container(
            name,
            withContainerDefaults(
                { namePrefix, role: "postgis", memoryMb: settings.memoryMb, cpus: settings.cpus },
                {
                    image: image.imageId,
                    // Passwords as files only the postgres user may read: `docker inspect` (and traefik's inspect
                    // through the socket proxy) shows none.
                    envs: [
                        `POSTGRES_USER=${POSTGRES_SUPERUSER}`,
                        `POSTGRES_PASSWORD_FILE=${POSTGRES_PASSWORD_PATH}`,
                        `${GEOSERVER_DB_PASSWORD_FILE_ENV}=${GEOSERVER_DB_PASSWORD_PATH}`,
                        `${MONITOR_DB_PASSWORD_FILE_ENV}=${MONITOR_DB_PASSWORD_PATH}`,
                    ],
                    uploads: [
                        { file: POSTGRES_PASSWORD_PATH, content: pulumi.secret(superuserPassword.result), ...secretFile },
                        { file: GEOSERVER_DB_PASSWORD_PATH, content: pulumi.secret(geoserverPassword.result), ...secretFile },
                        // Executable: the entrypoint executes the script (a non-executable one it would source).
                        { file: POSTGIS_INIT_SCRIPT_PATH, content: postgisInitScript(), permissions: "0555" },
                        // Its own step after 20-geostack.sh, on every new cluster, so monitoring can be turned on later.
                        { file: MONITOR_DB_PASSWORD_PATH, content: pulumi.secret(monitorPassword.result), ...secretFile },
                        { file: MONITOR_ROLE_SCRIPT_PATH, content: monitorRoleScript(), permissions: "0555" },
                        ...(settings.extensions.length === 0
                            ? []
                            : [{ file: POSTGIS_EXTENSIONS_SCRIPT_PATH, content: postgisExtensionsScript(settings.extensions), permissions: "0555" }]),
                    ],
                    volumes: [{ volumeName: volume.name, containerPath: postgresDataPath(major) }],
                    user: `${user.uid}:${user.gid}`,
                    capabilities: { drops: ["ALL"] },
                    networksAdvanced: networks,
                    ports: publishPort === undefined ? [] : [{ internal: POSTGRES_PORT, external: publishPort, ip: "127.0.0.1" }],
                    // PostgreSQL's parallel workers need more than Docker's 64 MiB of /dev/shm.
                    shmSize: 256,
                    // Over TCP, so it only turns healthy once the init scripts are done and the real server listens.
                    healthcheck: {
                        tests: ["CMD", "pg_isready", "-U", POSTGRES_SUPERUSER, "-d", GIS_DATABASE, "-h", "127.0.0.1"],
                        interval: "10s",
                        timeout: "5s",
                        retries: 5,
                        // As Docker reports durations, so the state matches what is read back.
                        startPeriod: "1m0s",
                    },
                    wait: true,
                    // A first init (initdb, the PostGIS extension, the init script) takes ~15 s natively and a few
                    // minutes under emulation (the image is amd64 only); replay after a crash takes up to ~1 min. The
                    // provider waits only for "healthy" (never for an exit), so this is also how long a PostGIS that
                    // cannot start holds `up` before it fails.
                    waitTimeout: 300,
                    // Lets PostgreSQL checkpoint and shut down cleanly before Docker kills it.
                    stopTimeout: 60,
                    destroyGraceSeconds: 60,
                },
            ),
            { parent: this, dependsOn: [volume] },
        );

        this.containerName = container.name;
        this.volumeName = volume.name;
        this.host = pulumi.output(POSTGIS_HOST_ALIAS);
        this.port = pulumi.output(POSTGRES_PORT);
        this.database = pulumi.output(GIS_DATABASE);
        this.username = pulumi.output(GEOSERVER_DB_ROLE);
        this.password = pulumi.secret(geoserverPassword.result);
        this.superuserPassword = pulumi.secret(superuserPassword.result);
        this.monitorUsername = pulumi.output(MONITOR_DB_ROLE);
        this.monitorPassword = pulumi.secret(monitorPassword.result);
        this.publishedAddress = pulumi.output(publishPort === undefined ? "" : `127.0.0.1:${publishPort}`);
        this.imageId = image.imageId;
        this.registerOutputs({
            containerName: this.containerName,
            volumeName: this.volumeName,
            host: this.host,
            port: this.port,
            database: this.database,
            username: this.username,
            password: this.password,
            superuserPassword: this.superuserPassword,
            monitorUsername: this.monitorUsername,
            monitorPassword: this.monitorPassword,
            publishedAddress: this.publishedAddress,
            imageId: this.imageId,
        });
    }
}
