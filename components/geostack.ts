import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Backup, BACKUP_SPEC } from "./backup/backup";
import { DEFAULT_IMAGE_REPOSITORY } from "./defaults";
import { GEOSERVER_SPEC, GeoServer } from "./geoserver/geoserver";
import { GEOSERVER_IMAGE_SPEC, GeoServerImage } from "./geoserver/image";
import { POSTGIS_SPEC, Postgis } from "./postgis/postgis";
import { postgresMajorOf } from "./postgis/postgres";
import { arg, borrowRules, type EntriesFor, problem, resolve, resolveOrThrow, type Settings, spec } from "./shared/args";
import { imageReference } from "./shared/checks";
import { parseImageReference } from "./shared/image-ref";
import { pullImage } from "./shared/container";
import { TRAEFIK_SPEC, TraefikProxy } from "./traefik/traefik";

export interface GeoStackArgs {
    /** `<project>-<stack>`: prefixes every container, volume and network name; defaults to the component name. */
    namePrefix?: string;
    /** Public host name; GeoServer is served at `<scheme>://<domain>/geoserver/`. */
    domain: string;
    /** GeoServer release the image is built from (when `geoserverImage` is not given). */
    geoserverVersion?: string;
    /** A prebuilt GeoServer image reference to run (ideally `repo@sha256:...`); nothing is built then. */
    geoserverImage?: string;
    /** The prebuilt `geoserverImage` starts as root, as the official image does (GeoStack's own runs as uid 999): GeoServer then keeps the capabilities it needs to switch to 999. */
    geoserverImageStartsAsRoot?: boolean;
    /** Repository the GeoServer image is built into: `ghcr.io/<owner>/geoserver`, or a local name (the default). */
    imageRepository?: string;
    /** Push the built image to its registry beside the container (which runs it by ID at once); needs `registryUsername` and `registryPassword`. */
    pushImage?: boolean;
    /** Registry user, used only with `pushImage` (ghcr.io: the GitHub user owning the token). */
    registryUsername?: string;
    /** Registry token (GitHub: one with `write:packages`); handled as a secret. */
    registryPassword?: pulumi.Input<string>;
    /** Official extension names baked into the built image; each zip must be pinned unless `allowUnpinnedExtensions`. */
    geoserverExtensions?: string[];
    /** Build with extension zips that the image's pin file does not pin (trust on first use). */
    allowUnpinnedExtensions?: boolean;
    /** Platform the image is built and pulled for (`linux/amd64`, `linux/arm64`); unset: the Docker host's own. */
    imagePlatform?: string;
    /** URL of this project's repository, for the image's `org.opencontainers.image.source` label. */
    imageSource?: string;
    /** A `postgis/postgis` image of PostgreSQL 14 or later; its tag's major picks the data path and the volume name. */
    postgisImage?: string;
    /** A traefik image pinned to v3.6.1 or later (default: GeoStack's pinned release). */
    traefikImage?: string;
    /** GeoServer administrator (default `admin`) of a new data directory; its initial password is generated. */
    geoserverAdminUser?: string;
    /** The workspace a new data directory starts with, as its default (default `gis`). */
    geoserverWorkspace?: string;
    /** The PostGIS store a new data directory starts with in that workspace, over the JNDI pool (default `postgis`). */
    geoserverStore?: string;
    /** Origins whose web pages may read the public OGC paths, never with credentials: `["*"]` (the default) any, `[]` none. */
    corsAllowedOrigins?: string[];
    /** GeoWebCache's disk quota over every tile, in MiB (default 10240); 0 leaves the quota to GeoServer's settings. */
    tileCacheQuotaMb?: number;
    /** Publishes PostGIS on 127.0.0.1:<port> of the Docker host; unset publishes nothing. */
    publishDatabasePort?: number;
    /** Protects the data volumes from `pulumi destroy` and keeps them if deleted. */
    protectData?: boolean;
    /** Optional PostgreSQL extensions created in `gis` when the database is new (postgis_raster, postgis_topology, fuzzystrmatch, postgis_tiger_geocoder, pgrouting). */
    postgisExtensions?: string[];
    /** PostGIS memory limit in MiB (at least 256); default 1024. */
    postgisMemoryMb?: number;
    /** GeoServer memory limit in MiB (at least 1024); default 2048. The JVM heap gets half of it (all but 1.5 GiB of a larger one). */
    geoserverMemoryMb?: number;
    /** traefik memory limit in MiB (at least 64); default 256. */
    traefikMemoryMb?: number;
    /** PostGIS CPU limit, in CPUs (0.1 to 9.99); default 2. */
    postgisCpus?: string;
    /** GeoServer CPU limit, in CPUs (0.1 to 9.99); default 2. */
    geoserverCpus?: string;
    /** traefik CPU limit, in CPUs (0.1 to 9.99); default 1. */
    traefikCpus?: string;
    /** The group owning the Docker socket on the host: the Docker API proxy then runs unprivileged in that group instead of as root. */
    dockerSocketGroupId?: number;
    /** HTTPS with Let's Encrypt certificates (needs `acmeEmail` and a public domain); plain HTTP when false. */
    tls?: boolean;
    /** Contact e-mail of the Let's Encrypt account; required when `tls` is true. */
    acmeEmail?: string;
    /** Let's Encrypt's staging CA instead of the production one. */
    acmeStaging?: boolean;
    /** CIDRs that may reach GeoServer's web UI and REST API (and the dashboard); empty: only the OGC services are routed. */
    adminAllowlist?: string[];
    /** Requests per second per client IP on each router (default 50). */
    rateLimitAverage?: number;
    /** Requests per client IP allowed at once on top of `rateLimitAverage` (default 200). */
    rateLimitBurst?: number;
    /** traefik's dashboard on `traefik.<domain>`, for the admin allowlist (and behind basic auth with TLS). */
    dashboard?: boolean;
    /** The Docker host's port for plain HTTP (default 80): another one lets a second stack share the host. */
    httpPort?: number;
    /** The Docker host's port for HTTPS, with `tls` (default 443); Let's Encrypt validates on 443, which must then reach it. */
    httpsPort?: number;
    /** Publishes traefik on IPv6 as well as IPv4, and gives the proxy network IPv6 so traefik sees IPv6 clients' addresses (default true). */
    ipv6?: boolean;
    /** Publishes traefik on 127.0.0.1 (and ::1) only: a laptop, where nothing on the network should reach the stack. */
    loopbackOnly?: boolean;
    /** Back up PostGIS and the GeoServer data directory on `backupSchedule`, each backup checked by a restore drill. */
    backups?: boolean;
    /** UTC times of day a backup starts, `HH:MM`; default `["02:00"]`. */
    backupSchedule?: string[];
    /** Days whose newest backup is kept; default 7. */
    backupKeepDaily?: number;
    /** ISO weeks whose newest backup is kept; default 4. */
    backupKeepWeekly?: number;
    /** Months whose newest backup is kept; default 6. */
    backupKeepMonthly?: number;
    /** Backup container memory limit in MiB (at least 256); default 512. */
    backupMemoryMb?: number;
    /** Backup container CPU limit, in CPUs (0.1 to 9.99); default 1. */
    backupCpus?: string;
    /** A restic repository on an S3-compatible service, `s3:<host>/<bucket>/<path>`, for an off-host copy of every verified backup. */
    backupOffsiteRepository?: string;
    /** Password of that restic repository (secret). */
    backupOffsitePassword?: pulumi.Input<string>;
    /** S3 access key ID for the repository (secret). */
    backupOffsiteAccessKeyId?: pulumi.Input<string>;
    /** S3 secret access key for the repository (secret). */
    backupOffsiteSecretAccessKey?: pulumi.Input<string>;
}

const image = GEOSERVER_IMAGE_SPEC.args;
const geoserver = GEOSERVER_SPEC.args;
const postgis = POSTGIS_SPEC.args;
const traefik = TRAEFIK_SPEC.args;
const backup = BACKUP_SPEC.args;
const OFFSITE_KEYS = ["backupOffsiteRepository", "backupOffsitePassword", "backupOffsiteAccessKeyId", "backupOffsiteSecretAccessKey"] as const;

/**
 * GeoStack's args are its children's, renamed: each entry (kind, default, check) is the child's own, and so are the
 * rules between them, so GeoStack refuses exactly what a child would refuse, before anything is registered.
 */
export const GEOSTACK_SPEC = spec(
    {
        namePrefix: postgis.namePrefix,
        domain: geoserver.domain,
        geoserverVersion: image.geoserverVersion,
        geoserverImage: arg.optional<string>("string", { check: imageReference }),
        geoserverImageStartsAsRoot: arg.withDefault(false),
        imageRepository: arg.withDefault<string>(DEFAULT_IMAGE_REPOSITORY, { check: image.repository.check }),
        pushImage: image.push,
        registryUsername: image.registryUsername,
        registryPassword: image.registryPassword,
        geoserverExtensions: image.extensions,
        allowUnpinnedExtensions: image.allowUnpinnedExtensions,
        imagePlatform: image.platform,
        imageSource: image.source,
        postgisImage: postgis.image,
        traefikImage: traefik.image,
        geoserverAdminUser: geoserver.adminUser,
        geoserverWorkspace: geoserver.workspace,
        geoserverStore: geoserver.store,
        corsAllowedOrigins: geoserver.corsAllowedOrigins,
        tileCacheQuotaMb: geoserver.tileCacheQuotaMb,
        publishDatabasePort: postgis.publishPort,
        protectData: postgis.protectData,
        postgisExtensions: postgis.extensions,
        postgisMemoryMb: postgis.memoryMb,
        geoserverMemoryMb: geoserver.memoryMb,
        traefikMemoryMb: traefik.memoryMb,
        postgisCpus: postgis.cpus,
        geoserverCpus: geoserver.cpus,
        traefikCpus: traefik.cpus,
        dockerSocketGroupId: traefik.dockerSocketGroupId,
        tls: traefik.tls,
        acmeEmail: traefik.acmeEmail,
        acmeStaging: traefik.acmeStaging,
        adminAllowlist: traefik.adminAllowlist,
        rateLimitAverage: traefik.rateLimitAverage,
        rateLimitBurst: traefik.rateLimitBurst,
        dashboard: traefik.dashboard,
        httpPort: traefik.httpPort,
        httpsPort: traefik.httpsPort,
        ipv6: traefik.ipv6,
        loopbackOnly: traefik.loopbackOnly,
        backups: arg.withDefault(false),
        backupSchedule: backup.schedule,
        backupKeepDaily: backup.keepDaily,
        backupKeepWeekly: backup.keepWeekly,
        backupKeepMonthly: backup.keepMonthly,
        backupMemoryMb: backup.memoryMb,
        backupCpus: backup.cpus,
        backupOffsiteRepository: backup.offsiteRepository,
        backupOffsitePassword: backup.offsitePassword,
        backupOffsiteAccessKeyId: backup.offsiteAccessKeyId,
        backupOffsiteSecretAccessKey: backup.offsiteSecretAccessKey,
    } satisfies EntriesFor<GeoStackArgs>,
    [
        ...borrowRules(GEOSERVER_SPEC, {
            domain: "domain",
            tls: "tls",
            adminAllowlist: "adminAllowlist",
            rateLimitAverage: "rateLimitAverage",
            rateLimitBurst: "rateLimitBurst",
            httpPort: "httpPort",
            httpsPort: "httpsPort",
        }),
        ...borrowRules(POSTGIS_SPEC, { image: "postgisImage", extensions: "postgisExtensions" }),
        ...borrowRules(TRAEFIK_SPEC, {
            domain: "domain",
            tls: "tls",
            acmeEmail: "acmeEmail",
            dashboard: "dashboard",
            adminAllowlist: "adminAllowlist",
            rateLimitAverage: "rateLimitAverage",
            rateLimitBurst: "rateLimitBurst",
            httpPort: "httpPort",
            httpsPort: "httpsPort",
        }),
        ...borrowRules(
            GEOSERVER_IMAGE_SPEC,
            {
                repository: "imageRepository",
                geoserverVersion: "geoserverVersion",
                extensions: "geoserverExtensions",
                allowUnpinnedExtensions: "allowUnpinnedExtensions",
                push: "pushImage",
                registryUsername: "registryUsername",
                registryPassword: "registryPassword",
            },
            // Nothing is built when a prebuilt image is run.
            (settings) => settings.geoserverImage === undefined,
        ),
        ...borrowRules(
            BACKUP_SPEC,
            {
                offsiteRepository: "backupOffsiteRepository",
                offsitePassword: "backupOffsitePassword",
                offsiteAccessKeyId: "backupOffsiteAccessKeyId",
                offsiteSecretAccessKey: "backupOffsiteSecretAccessKey",
            },
            (settings) => settings.backups,
        ),
        {
            keys: ["backups", ...OFFSITE_KEYS],
            check: (settings, name) => {
                const set = OFFSITE_KEYS.filter((key) => settings[key] !== undefined);
                return settings.backups || set.length === 0
                    ? undefined
                    : `${set.map(name).join(", ")} set while ${name("backups")} is false: the off-host copy copies backups`;
            },
        },
        {
            keys: ["backups", "postgisImage"],
            check: ({ backups, postgisImage }, name) =>
                backups && parseImageReference(postgisImage)?.tag?.includes("alpine")
                    ? problem(
                          name("postgisImage"),
                          postgisImage,
                          `a Debian-based image when ${name("backups")} is true: the backup runs as its postgres user (999) with GNU tools`,
                      )
                    : undefined,
        },
        {
            // Both would be bound on 127.0.0.1 at least: Docker refuses the second ("port is already allocated").
            keys: ["publishDatabasePort", "httpPort", "httpsPort", "tls"],
            check: ({ publishDatabasePort, httpPort, httpsPort, tls }, name) => {
                const edgePorts: ["httpPort" | "httpsPort", number][] = tls
                    ? [
                          ["httpPort", httpPort],
                          ["httpsPort", httpsPort],
                      ]
                    : [["httpPort", httpPort]];
                const taken = edgePorts.find(([, port]) => port === publishDatabasePort);
                return taken
                    ? problem(name("publishDatabasePort"), publishDatabasePort, `a port traefik does not publish: ${name(taken[0])} is ${taken[1]} too`)
                    : undefined;
            },
        },
        {
            keys: ["geoserverImage", "pushImage"],
            check: ({ geoserverImage, pushImage }, name) =>
                geoserverImage !== undefined && pushImage
                    ? problem(name("pushImage"), pushImage, `false when ${name("geoserverImage")} is set: nothing is built`)
                    : undefined,
        },
        {
            keys: ["geoserverImage", "geoserverImageStartsAsRoot"],
            check: ({ geoserverImage, geoserverImageStartsAsRoot }, name) =>
                geoserverImage === undefined && geoserverImageStartsAsRoot
                    ? problem(
                          name("geoserverImageStartsAsRoot"),
                          geoserverImageStartsAsRoot,
                          `false unless ${name("geoserverImage")} is set: the image GeoStack builds runs as uid 999`,
                      )
                    : undefined,
        },
        {
            keys: ["geoserverImage", "geoserverExtensions"],
            check: ({ geoserverImage, geoserverExtensions }, name) =>
                geoserverImage !== undefined && geoserverExtensions.length > 0
                    ? problem(
                          name("geoserverExtensions"),
                          geoserverExtensions,
                          `[] when ${name("geoserverImage")} is set: extensions are baked in at build time`,
                      )
                    : undefined,
        },
    ],
);

export type GeoStackSettings = Settings<typeof GEOSTACK_SPEC.args>;

/**
 * Every problem with GeoStack args, each named as `name` says (the stack config names them `geostack:<key>`).
 * `unreadable`: keys whose given value could not be read (the stack config's); the rules over them are left out, as
 * for an invalid value, rather than judge the default in its place.
 */
export function geoStackProblems(args: GeoStackArgs, name?: (key: string) => string, unreadable: string[] = []): string[] {
    const rules = GEOSTACK_SPEC.rules.filter((rule) => !rule.keys.some((key) => unreadable.includes(key)));
    return resolve({ ...GEOSTACK_SPEC, rules }, args, name).problems;
}

/** The whole stack: two networks, PostGIS, GeoServer and traefik (with its Docker socket proxy), wired together, and with `backups` their Backup. */
export class GeoStack extends pulumi.ComponentResource {
    /** `<scheme>://<domain>[:<port>]/geoserver/`: https with `tls`, else http; the port when it is not the scheme's own. */
    readonly url: pulumi.Output<string>;
    /** GeoServer administrator user. */
    readonly adminUser: pulumi.Output<string>;
    /** The GeoServer administrator's initial password, generated (secret): set on a new data directory only; a password changed in GeoServer stays. */
    readonly adminPassword: pulumi.Output<string>;
    /** Password of the `geoserver` role on the `gis` database (secret). */
    readonly databasePassword: pulumi.Output<string>;
    /** Password of the `postgres` superuser, for maintenance only (secret). */
    readonly databaseSuperuserPassword: pulumi.Output<string>;
    /** `127.0.0.1:<publishDatabasePort>` when published, else empty. */
    readonly databaseAddress: pulumi.Output<string>;
    /** PostGIS, GeoServer, traefik and Docker socket proxy container names. */
    readonly containerNames: pulumi.Output<string[]>;
    /** PostGIS and GeoServer data volume names. */
    readonly volumeNames: pulumi.Output<string[]>;
    /** `<scheme>://traefik.<domain>[:<port>]/dashboard/` when `dashboard` is on, else empty. */
    readonly dashboardUrl: pulumi.Output<string>;
    /** Basic-auth password of `admin` on the dashboard (secret); empty without `dashboard` and `tls`. */
    readonly dashboardPassword: pulumi.Output<string>;
    /** The GeoServer image by name: `<imageRepository>:<geoserverVersion>`, or the prebuilt reference. */
    readonly geoserverImageName: pulumi.Output<string>;
    /** The GeoServer image GeoServer runs, exactly: the registry's digest of the pushed build or of the prebuilt image, else the local image ID. */
    readonly geoserverImageDigest: pulumi.Output<string>;
    /** The Docker volume holding the backups, `<namePrefix>-backups`; empty without `backups`. */
    readonly backupVolumeName: pulumi.Output<string>;
    /** The backup container, to `docker exec` for listing, drills and restores (docs/operations.md); empty without `backups`. */
    readonly backupContainerName: pulumi.Output<string>;
    /** The restic repository holding the off-host copies; empty without one. */
    readonly backupOffsiteRepository: pulumi.Output<string>;

    constructor(name: string, args: GeoStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(GEOSTACK_SPEC, { ...args, namePrefix: args.namePrefix ?? name }, `Invalid arguments for GeoStack "${name}"`);
        super("geostack:index:GeoStack", name, {}, opts);
        const namePrefix = settings.namePrefix ?? name;
        const { protectData, domain, tls, adminAllowlist, rateLimitAverage, rateLimitBurst, httpPort, httpsPort, ipv6 } = settings;

        const image = this.geoserverImage(name, settings);

        // Internal: the database network has no route out of the host.
        const backend = new docker.Network(`${name}-backend`, { name: `${namePrefix}-backend`, driver: "bridge", internal: true }, { parent: this });
        // With IPv6, Docker forwards IPv6 clients to traefik's own IPv6 address, which keeps their address (on an IPv4-only
        // network its proxy relays them from the gateway's). Docker 27 and later allocate the subnet without any setting.
        const proxy = new docker.Network(`${name}-proxy`, { name: `${namePrefix}-proxy`, driver: "bridge", ...(ipv6 ? { ipv6 } : {}) }, { parent: this });

        const postgis = new Postgis(
            `${name}-postgis`,
            {
                namePrefix,
                networkName: backend.name,
                image: settings.postgisImage,
                memoryMb: settings.postgisMemoryMb,
                cpus: settings.postgisCpus,
                publishPort: settings.publishDatabasePort,
                protectData,
                extensions: settings.postgisExtensions,
            },
            { parent: this },
        );
        const geoserver = new GeoServer(
            `${name}-geoserver`,
            {
                namePrefix,
                domain,
                image: image.run,
                // GeoStack's image runs as 999 from the start; only a prebuilt one may start as root.
                imageStartsAsRoot: settings.geoserverImageStartsAsRoot,
                backendNetworkName: backend.name,
                proxyNetworkName: proxy.name,
                databaseHost: postgis.host,
                databasePort: postgis.port,
                databaseName: postgis.database,
                databaseUser: postgis.username,
                databasePassword: postgis.password,
                adminUser: settings.geoserverAdminUser,
                workspace: settings.geoserverWorkspace,
                store: settings.geoserverStore,
                corsAllowedOrigins: settings.corsAllowedOrigins,
                tileCacheQuotaMb: settings.tileCacheQuotaMb,
                memoryMb: settings.geoserverMemoryMb,
                cpus: settings.geoserverCpus,
                protectData,
                tls,
                adminAllowlist,
                rateLimitAverage,
                rateLimitBurst,
                httpPort,
                httpsPort,
            },
            // PostGIS's container waits until healthy, so GeoServer starts against a ready database.
            { parent: this, dependsOn: [postgis] },
        );
        const traefik = new TraefikProxy(
            `${name}-traefik`,
            {
                namePrefix,
                proxyNetworkName: proxy.name,
                domain,
                image: settings.traefikImage,
                memoryMb: settings.traefikMemoryMb,
                cpus: settings.traefikCpus,
                dockerSocketGroupId: settings.dockerSocketGroupId,
                tls,
                acmeEmail: settings.acmeEmail,
                acmeStaging: settings.acmeStaging,
                dashboard: settings.dashboard,
                adminAllowlist,
                rateLimitAverage,
                rateLimitBurst,
                protectData,
                httpPort,
                httpsPort,
                ipv6,
                loopbackOnly: settings.loopbackOnly,
            },
            { parent: this },
        );
        const backups = settings.backups
            ? new Backup(
                  `${name}-backup`,
                  {
                      namePrefix,
                      networkName: backend.name,
                      image: postgis.imageId,
                      postgresMajor: postgresMajorOf(settings.postgisImage)!,
                      databaseHost: postgis.host,
                      databasePort: postgis.port,
                      databaseName: postgis.database,
                      superuserPassword: postgis.superuserPassword,
                      geoserverDataVolumeName: geoserver.volumeName,
                      schedule: settings.backupSchedule,
                      keepDaily: settings.backupKeepDaily,
                      keepWeekly: settings.backupKeepWeekly,
                      keepMonthly: settings.backupKeepMonthly,
                      memoryMb: settings.backupMemoryMb,
                      cpus: settings.backupCpus,
                      protectData,
                      offsiteRepository: settings.backupOffsiteRepository,
                      offsitePassword: settings.backupOffsitePassword,
                      offsiteAccessKeyId: settings.backupOffsiteAccessKeyId,
                      offsiteSecretAccessKey: settings.backupOffsiteSecretAccessKey,
                  },
                  // Its health check connects to the database, which is healthy once PostGIS is.
                  { parent: this, dependsOn: [postgis] },
              )
            : undefined;
        this.url = geoserver.url;
        this.adminUser = geoserver.adminUser;
        this.adminPassword = geoserver.adminPassword;
        this.databasePassword = postgis.password;
        this.databaseSuperuserPassword = postgis.superuserPassword;
        this.databaseAddress = postgis.publishedAddress;
        this.containerNames = pulumi.all([postgis.containerName, geoserver.containerName, traefik.containerName, traefik.socketProxyContainerName]);
        this.volumeNames = pulumi.all([postgis.volumeName, geoserver.volumeName]);
        this.dashboardUrl = traefik.dashboardUrl;
        this.dashboardPassword = traefik.dashboardPassword;
        this.geoserverImageName = image.name;
        this.geoserverImageDigest = image.digest;
        this.backupVolumeName = backups?.volumeName ?? pulumi.output("");
        this.backupContainerName = backups?.containerName ?? pulumi.output("");
        this.backupOffsiteRepository = backups?.offsiteRepository ?? pulumi.output("");
        this.registerOutputs({
            url: this.url,
            adminUser: this.adminUser,
            adminPassword: this.adminPassword,
            databasePassword: this.databasePassword,
            databaseSuperuserPassword: this.databaseSuperuserPassword,
            databaseAddress: this.databaseAddress,
            containerNames: this.containerNames,
            volumeNames: this.volumeNames,
            dashboardUrl: this.dashboardUrl,
            dashboardPassword: this.dashboardPassword,
            geoserverImageName: this.geoserverImageName,
            geoserverImageDigest: this.geoserverImageDigest,
            backupVolumeName: this.backupVolumeName,
            backupContainerName: this.backupContainerName,
            backupOffsiteRepository: this.backupOffsiteRepository,
        });
    }

    /**
     * The GeoServer image: its name, its exact digest, and the image ID the container runs (an ID: the container is
     * replaced only when the image really changed). A prebuilt image is pulled through a RemoteImage. A built one is
     * built by the Docker host's engine and run by its local image ID at once; its push, if any, runs beside the
     * container, and only the recorded digest waits for it.
     */
    private geoserverImage(name: string, settings: GeoStackSettings) {
        if (settings.geoserverImage !== undefined) {
            const prebuilt = pullImage(`${name}-geoserver`, settings.geoserverImage, this, settings.imagePlatform);
            return { name: pulumi.output(settings.geoserverImage), digest: prebuilt.repoDigest, run: prebuilt.imageId };
        }
        const built = new GeoServerImage(
            `${name}-geoserver-image`,
            {
                repository: settings.imageRepository,
                geoserverVersion: settings.geoserverVersion,
                extensions: settings.geoserverExtensions,
                allowUnpinnedExtensions: settings.allowUnpinnedExtensions,
                platform: settings.imagePlatform,
                push: settings.pushImage,
                registryUsername: settings.registryUsername,
                registryPassword: settings.registryPassword,
                source: settings.imageSource,
            },
            { parent: this },
        );
        return { name: built.imageName, digest: built.repoDigest, run: built.imageId };
    }
}
