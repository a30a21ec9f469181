import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { DEFAULT_CPUS, DEFAULT_GEOSERVER_ADMIN_USER, DEFAULT_GEOSERVER_VERSION, DEFAULT_MEMORY_MB, MIN_MEMORY_MB } from "../defaults";
import { POSTGRES_PORT } from "../postgis/postgres";
import { arg, type Check, type EntriesFor, resolveOrThrow, spec } from "../shared/args";
import { cpuLimit, dockerNamePrefix, memoryMb, userName } from "../shared/checks";
import { pullImage, withContainerDefaults } from "../shared/container";
import { edgePolicy, edgeSpec, placeholderWarnings, publicOrigin } from "../shared/edge";
import { ADMIN_PASSWORD_FILE, DATABASE_PASSWORD_FILE, GEOSERVER_DATA_DIR, GEOSTACK_ENTRYPOINT, geoserverEnv, TILE_CACHE_DIR } from "./env";
import { corsOrigins, DEFAULT_CORS_ORIGINS } from "./cors";
import { DEFAULT_STORE, DEFAULT_WORKSPACE, seedUploads, storeName, workspaceName } from "./data-dir";
import { defaultImageContext } from "./image-build";
import { GEOSERVER_CONTEXT_PATH, GEOSERVER_PORT, geoserverRouteLabels } from "./routes";

export { GEOSERVER_DATA_DIR };
// A static file of the web UI: answers once Tomcat and GeoServer are up, without credentials.
const HEALTHCHECK_URL = `http://127.0.0.1:${GEOSERVER_PORT}${GEOSERVER_CONTEXT_PATH}/web/wicket/resource/org.geoserver.web.GeoServerBasePage/img/logo.png`;

export function officialGeoserverImage(version: string): string {
    return `docker.osgeo.org/geoserver:${version}`;
}

/**
 * What a container of an image that starts as root (the official one) keeps, and nothing else: the image's startup.sh
 * (geoserver/docker startup.sh, RUN_UNPRIVILEGED) rewrites Tomcat's conf, which uid 999 owns after the first start
 * (DAC_OVERRIDE; its `sed -i` keeps the file's owner and mode: CHOWN, FOWNER), hands its folders to 999 (`chown -R`:
 * CHOWN, and DAC_OVERRIDE into the directories GeoServer made private) and switches to 999 with setpriv (SETUID,
 * SETGID), after which Tomcat holds no capability. test/slow/geoserver-entrypoint.test.ts runs those steps as root
 * with this set, and without each of its members.
 */
export const ROOT_IMAGE_CAPABILITIES = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"];

/** GeoStack's entrypoint (images/geoserver/geostack-entrypoint.sh), which GeoStack's image also holds. */
export function geostackEntrypoint(): string {
    return fs.readFileSync(path.join(defaultImageContext(), "geostack-entrypoint.sh"), "utf8");
}

export interface GeoServerArgs {
    /** Prefixes the container and volume names and the traefik router (GeoStack passes `<project>-<stack>`); defaults to the component name. */
    namePrefix?: string;
    /** The public host name GeoServer is served on, under `/geoserver`. */
    domain: string;
    /** Image to run; defaults to the official image at GeoStack's pinned version. An image ID avoids replacements. */
    image?: pulumi.Input<string>;
    /**
     * The image starts as root and its startup.sh switches to uid 999, as the official image does (default true): the
     * container keeps the five capabilities that needs. False for GeoStack's image, which runs as 999 from the start:
     * every capability is dropped.
     */
    imageStartsAsRoot?: boolean;
    /** A network shared with PostGIS (GeoStack's is internal); omit it when the database is reachable on the proxy network or outside Docker. */
    backendNetworkName?: pulumi.Input<string>;
    /** An existing network traefik watches and reaches GeoServer on. */
    proxyNetworkName: pulumi.Input<string>;
    /** Host name of PostgreSQL as GeoServer sees it. */
    databaseHost: pulumi.Input<string>;
    /** PostgreSQL's port; default 5432. */
    databasePort?: pulumi.Input<number>;
    /** The database GeoServer's JNDI pool `jdbc/postgres` connects to. */
    databaseName: pulumi.Input<string>;
    /** The role it connects as; GeoServer needs no more than to own its tables in that database. */
    databaseUser: pulumi.Input<string>;
    /** Handled as a secret; it reaches the container as a file, never in its environment. */
    databasePassword: pulumi.Input<string>;
    /** GeoServer administrator (default `admin`) of a new data directory; its password is generated. */
    adminUser?: string;
    /** Memory limit of the container in MiB (at least 1024, default 2048); the JVM heap gets half of it (all but 1.5 GiB of a larger one). */
    memoryMb?: number;
    /** CPU limit of the container, in CPUs (0.1 to 9.99); default 2. */
    cpus?: string;
    /** Protects the data directory volume from `pulumi destroy` and keeps it if the resource is deleted. */
    protectData?: boolean;
    /** Served over HTTPS (traefik's `websecure` entrypoint): the public URL and PROXY_BASE_URL use `https`. */
    tls?: boolean;
    /** CIDRs that may reach the web UI and REST API; empty: only the OGC services are routed. */
    adminAllowlist?: string[];
    /** Requests per second per client IP on each router (default 50). */
    rateLimitAverage?: number;
    /** Requests per client IP allowed at once on top of `rateLimitAverage` (default 200). */
    rateLimitBurst?: number;
    /** The Docker host's port traefik serves plain HTTP on (default 80); part of the public URL when it is not 80. */
    httpPort?: number;
    /** The Docker host's port traefik serves HTTPS on (default 443); part of the public URL when it is not 443. */
    httpsPort?: number;
    /** The workspace a new data directory starts with, as its default (default `gis`). */
    workspace?: string;
    /** The PostGIS store in that workspace, over the JNDI pool, reading the database's `public` schema (default `postgis`). */
    store?: string;
    /** Origins whose web pages may read the public OGC paths, never with credentials: `["*"]` (the default) any, `[]` none. */
    corsAllowedOrigins?: string[];
    /** GeoWebCache's disk quota over every tile, in MiB (default 10240); 0 leaves the quota to GeoServer's settings. */
    tileCacheQuotaMb?: number;
}

/** Enough for a few layers' busy zoom levels; tiles beyond it are removed, the least used first. */
export const DEFAULT_TILE_CACHE_QUOTA_MB = 10_240;
const tileCacheQuota: Check<number> = (value) =>
    Number.isInteger(value) && (value === 0 || (value >= 100 && value <= 104_857_600))
        ? undefined
        : "a whole number of MiB, at least 100 (or 0: GeoServer's own disk quota settings)";

type Wired = "image" | "backendNetworkName" | "proxyNetworkName" | "databaseHost" | "databasePort" | "databaseName" | "databaseUser" | "databasePassword";
const edge = edgeSpec("domain", "tls", "adminAllowlist", "rateLimitAverage", "rateLimitBurst", "httpPort", "httpsPort");

export const GEOSERVER_SPEC = spec(
    {
        namePrefix: arg.optional<string>("string", { check: dockerNamePrefix }),
        imageStartsAsRoot: arg.withDefault(true),
        ...edge.args,
        adminUser: arg.withDefault<string>(DEFAULT_GEOSERVER_ADMIN_USER, { check: userName }),
        memoryMb: arg.withDefault<number>(DEFAULT_MEMORY_MB.geoserver, { check: memoryMb(MIN_MEMORY_MB.geoserver) }),
        cpus: arg.withDefault<string>(DEFAULT_CPUS.geoserver, { check: cpuLimit }),
        protectData: arg.withDefault(false),
        workspace: arg.withDefault<string>(DEFAULT_WORKSPACE, { check: workspaceName }),
        store: arg.withDefault<string>(DEFAULT_STORE, { check: storeName }),
        corsAllowedOrigins: arg.withDefault<string[]>(DEFAULT_CORS_ORIGINS, { check: corsOrigins }),
        tileCacheQuotaMb: arg.withDefault<number>(DEFAULT_TILE_CACHE_QUOTA_MB, { check: tileCacheQuota }),
    } satisfies EntriesFor<GeoServerArgs, Wired>,
    edge.rules,
);

/**
 * GeoServer from the official image (or one built on it), behind traefik at `<scheme>://<domain>/geoserver`, with a
 * JNDI pool to PostGIS: the OGC services public, the rest only from the admin allowlist, both rate-limited per client
 * IP, pages of other origins allowed to read the public paths (CORS). It starts through GeoStack's entrypoint: a new
 * data directory gets the generated administrator password, a workspace with a PostGIS store over the JNDI pool,
 * production logging to stdout and service rules that keep every non-public service for administrators; the passwords
 * reach the container as files, Tomcat runs unprivileged, and GeoWebCache's tiles live on a volume of their own.
 */
export class GeoServer extends pulumi.ComponentResource {
    /** `<scheme>://<domain>[:<port>]/geoserver/`: https with `tls`, else http; the port when it is not the scheme's own. */
    readonly url: pulumi.Output<string>;
    /** GeoServer administrator user. */
    readonly adminUser: pulumi.Output<string>;
    /** The administrator's initial password, generated (secret): set on a new data directory only, never changed by GeoStack afterwards. */
    readonly adminPassword: pulumi.Output<string>;
    /** `<namePrefix>-geoserver` */
    readonly containerName: pulumi.Output<string>;
    /** The data directory volume, `<namePrefix>-geoserver-data`. */
    readonly volumeName: pulumi.Output<string>;
    /** GeoWebCache's tiles, `<namePrefix>-geoserver-tiles`: never protected, left out of backups, rebuilt by GeoServer. */
    readonly tileCacheVolumeName: pulumi.Output<string>;

    constructor(name: string, args: GeoServerArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(GEOSERVER_SPEC, { ...args, namePrefix: args.namePrefix ?? name }, `Invalid arguments for GeoServer "${name}"`);
        super("geostack:index:GeoServer", name, {}, opts);
        const namePrefix = settings.namePrefix ?? name;
        const { domain, adminUser, protectData, workspace, store, tileCacheQuotaMb } = settings;
        const policy = edgePolicy(settings);
        const publicUrl = publicOrigin(policy, domain);
        for (const warning of placeholderWarnings({ tls: policy.tls, domain })) pulumi.log.warn(warning, this);

        // Alphanumeric: the image's update_credentials.sh passes the password to its hashing unquoted.
        const adminPassword = new random.RandomPassword(`${name}-admin-password`, { length: 24, special: false }, { parent: this });
        const volume = new docker.Volume(
            `${name}-data`,
            { name: `${namePrefix}-geoserver-data` },
            { parent: this, protect: protectData, retainOnDelete: protectData },
        );
        // Tiles are made again on demand: deleting them costs time, not data.
        const tiles = new docker.Volume(`${name}-tiles`, { name: `${namePrefix}-geoserver-tiles` }, { parent: this });
        const seed = seedUploads({ workspace, store, namespaceUri: `${publicUrl}${GEOSERVER_CONTEXT_PATH}/${workspace}`, tileCacheQuotaMb });

        const container = new docker.Container(
            name,
            withContainerDefaults(
                {
                    namePrefix,
                    role: "geoserver",
                    memoryMb: settings.memoryMb,
                    cpus: settings.cpus,
                    labels: pulumi
                        .output(args.proxyNetworkName)
                        .apply((proxyNetworkName) =>
                            geoserverRouteLabels({ namePrefix, domain, proxyNetworkName, edge: policy, corsAllowedOrigins: settings.corsAllowedOrigins }),
                        ),
                },
                {
                    image: args.image ?? pullImage(name, officialGeoserverImage(DEFAULT_GEOSERVER_VERSION), this).imageId,
                    entrypoints: ["bash", GEOSTACK_ENTRYPOINT],
                    envs: pulumi
                        .all([args.databaseHost, args.databasePort ?? POSTGRES_PORT, args.databaseName, args.databaseUser])
                        .apply(([host, port, dbName, user]) =>
                            geoserverEnv({ publicUrl, domain, adminUser, database: { host, port, name: dbName, user }, memoryMb: settings.memoryMb }),
                        ),
                    // Readable by the unprivileged server (the provider uploads files as root); only GeoServer runs there.
                    uploads: [
                        { file: GEOSTACK_ENTRYPOINT, content: geostackEntrypoint(), permissions: "0755" },
                        { file: ADMIN_PASSWORD_FILE, content: adminPassword.result, permissions: "0444" },
                        { file: DATABASE_PASSWORD_FILE, content: pulumi.secret(args.databasePassword), permissions: "0444" },
                        ...seed.map((upload) => ({ ...upload, permissions: "0444" })),
                    ],
                    volumes: [
                        { volumeName: volume.name, containerPath: GEOSERVER_DATA_DIR },
                        { volumeName: tiles.name, containerPath: TILE_CACHE_DIR },
                    ],
                    // GeoStack's image runs Tomcat as its unprivileged user (images/geoserver/Dockerfile), which needs
                    // no capability; an image that starts as root needs a few until it switches to that user. Not
                    // read-only: Tomcat writes its work and temp directories and GeoServer its caches all over the
                    // image's tree, and uploads need a writable root.
                    capabilities: settings.imageStartsAsRoot ? { drops: ["ALL"], adds: ROOT_IMAGE_CAPABILITIES } : { drops: ["ALL"] },
                    networksAdvanced: [...(args.backendNetworkName === undefined ? [] : [{ name: args.backendNetworkName }]), { name: args.proxyNetworkName }],
                    // Probed every 10 s, so `up` sees GeoServer healthy within 10 s of its answering (the first probe
                    // runs one interval after the start); 15 misses in a row (2.5 min) before Docker calls it
                    // unhealthy, when traefik stops routing to it.
                    healthcheck: {
                        tests: ["CMD", "curl", "--fail", "--silent", "--output", "/dev/null", HEALTHCHECK_URL],
                        interval: "10s",
                        timeout: "10s",
                        retries: 15,
                        // As Docker reports durations, so the state matches what is read back.
                        startPeriod: "2m0s",
                    },
                    // `pulumi up` ends only once GeoServer answers: a first start takes ~1 min on two cores, a data
                    // directory with thousands of layers a few; a GeoServer that cannot start fails `up` after this.
                    wait: true,
                    waitTimeout: 300,
                },
            ),
            // Children do not inherit the component's dependsOn; without this GeoServer would start beside a cold database.
            { parent: this, dependsOn: pulumi.output(opts?.dependsOn ?? []).apply((deps) => [volume, tiles, ...[deps].flat()]) },
        );

        this.url = pulumi.output(`${publicUrl}${GEOSERVER_CONTEXT_PATH}/`);
        this.adminUser = pulumi.output(adminUser);
        this.adminPassword = pulumi.secret(adminPassword.result);
        this.containerName = container.name;
        this.volumeName = volume.name;
        this.tileCacheVolumeName = tiles.name;
        this.registerOutputs({
            url: this.url,
            adminUser: this.adminUser,
            adminPassword: this.adminPassword,
            containerName: this.containerName,
            volumeName: this.volumeName,
            tileCacheVolumeName: this.tileCacheVolumeName,
        });
    }
}
