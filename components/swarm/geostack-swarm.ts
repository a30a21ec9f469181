import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { GEOSTACK_SPEC, type GeoStackArgs } from "../geostack";
import { GEOSERVER_DATA_DIR, GEOSERVER_SPEC, geostackEntrypoint, ROOT_IMAGE_CAPABILITIES } from "../geoserver/geoserver";
import { seedUploads } from "../geoserver/data-dir";
import { ADMIN_PASSWORD_FILE, DATABASE_PASSWORD_FILE, GEOSTACK_ENTRYPOINT, geoserverEnv, TILE_CACHE_DIR } from "../geoserver/env";
import { GEOSERVER_CONTEXT_PATH, GEOSERVER_PORT, geoserverRouteLabels } from "../geoserver/routes";
import { GEOSERVER_DB_PASSWORD_FILE_ENV, GEOSERVER_DB_ROLE, GIS_DATABASE, POSTGIS_INIT_SCRIPT_PATH, postgisInitScript } from "../postgis/init-script";
import { POSTGIS_EXTENSIONS_SCRIPT_PATH, postgisExtensionsScript } from "../postgis/extensions-script";
import { POSTGIS_HOST_ALIAS, POSTGIS_SPEC } from "../postgis/postgis";
import { postgresDataPath, postgresMajorOf, POSTGRES_PORT, POSTGRES_SUPERUSER } from "../postgis/postgres";
import { arg, borrowRules, type EntriesFor, problem, resolveOrThrow, spec } from "../shared/args";
import { instanceLabels, toLabelList } from "../shared/container";
import { edgePolicy, placeholderWarnings, publicOrigin } from "../shared/edge";
import { parseImageReference, registryHostOf } from "../shared/image-ref";
import { dashboardHost, dashboardLabels, DASHBOARD_USER } from "../traefik/dashboard";
import { ACME_STORAGE_DIR, traefikFlags } from "../traefik/flags";
import {
    DOCKER_API_PROXY_CONFIG_ENV,
    DOCKER_API_PROXY_ENTRYPOINT,
    DOCKER_SOCKET,
    DOCKER_SOCKET_PROXY_ALIAS,
    DOCKER_SOCKET_PROXY_PORT,
    dockerApiProxyConfig,
} from "../traefik/socket-proxy";
import { TRAEFIK_SPEC } from "../traefik/traefik";
import { DEFAULT_CPUS, DEFAULT_DOCKER_SOCKET_PROXY_IMAGE, DEFAULT_MEMORY_MB } from "../defaults";
import {
    forSwarmProvider,
    MANAGER_CONSTRAINT,
    mib,
    nanoCpus,
    nfsExport,
    nfsVolumeOptions,
    nodeConstraint,
    rollout,
    SECRETS_DIR,
    shmMount,
    SINGLE_WRITER_ORDER,
    SWARM_DOCKER_API_PROVIDER_ENV,
} from "./swarm";

/** The single-host args a swarm keeps: what builds an image, publishes on loopback or picks IPv6 has no swarm meaning. */
type Shared =
    | "namePrefix"
    | "domain"
    | "registryUsername"
    | "registryPassword"
    | "postgisImage"
    | "traefikImage"
    | "geoserverAdminUser"
    | "geoserverWorkspace"
    | "geoserverStore"
    | "corsAllowedOrigins"
    | "tileCacheQuotaMb"
    | "postgisExtensions"
    | "protectData"
    | "postgisMemoryMb"
    | "geoserverMemoryMb"
    | "traefikMemoryMb"
    | "postgisCpus"
    | "geoserverCpus"
    | "traefikCpus"
    | "geoserverImageStartsAsRoot"
    | "tls"
    | "acmeEmail"
    | "acmeStaging"
    | "adminAllowlist"
    | "rateLimitAverage"
    | "rateLimitBurst"
    | "dashboard"
    | "httpPort"
    | "httpsPort";

export interface GeoStackSwarmArgs extends Pick<GeoStackArgs, Shared> {
    /**
     * The GeoServer image every node pulls, from a registry (ideally `repo@sha256:...`): a swarm builds nothing, and
     * an image in one node's engine is not on another. `registryUsername`/`registryPassword` log the nodes in.
     */
    geoserverImage: string;
    /** Docker host (`ssh://user@db1`, `tcp://...`) of the node labelled `geostack.postgis=<namePrefix>`: it owns PostGIS's volume. */
    postgisNodeHost: string;
    /** Docker host of the node labelled `geostack.geoserver=<namePrefix>`, owning GeoServer's data volume; default `postgisNodeHost`. */
    geoserverNodeHost?: string;
    /** `<server>:/<path>`: GeoServer's data directory on this NFS export instead of a node's volume (GeoServer then runs on any node). */
    geoserverDataNfs?: string;
    /** Docker host of the node labelled `geostack.edge=<namePrefix>`, where traefik publishes 80/443; with `tls` it owns the certificates' volume. */
    edgeNodeHost?: string;
}

const DOCKER_HOST_URL = /^(unix|tcp|ssh|npipe):\/\/\S+$/;
const dockerHost = (value: string) =>
    DOCKER_HOST_URL.test(value) ? undefined : "a Docker host address: ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock";

const shared = GEOSTACK_SPEC.args;

export const GEOSTACK_SWARM_SPEC = spec(
    {
        namePrefix: shared.namePrefix,
        domain: shared.domain,
        geoserverImage: arg.required<string>("string", { check: shared.geoserverImage.check }),
        registryUsername: shared.registryUsername,
        registryPassword: shared.registryPassword,
        postgisImage: shared.postgisImage,
        traefikImage: shared.traefikImage,
        geoserverAdminUser: shared.geoserverAdminUser,
        geoserverWorkspace: shared.geoserverWorkspace,
        geoserverStore: shared.geoserverStore,
        corsAllowedOrigins: shared.corsAllowedOrigins,
        tileCacheQuotaMb: shared.tileCacheQuotaMb,
        postgisExtensions: shared.postgisExtensions,
        protectData: shared.protectData,
        postgisMemoryMb: shared.postgisMemoryMb,
        geoserverMemoryMb: shared.geoserverMemoryMb,
        traefikMemoryMb: shared.traefikMemoryMb,
        postgisCpus: shared.postgisCpus,
        geoserverCpus: shared.geoserverCpus,
        traefikCpus: shared.traefikCpus,
        geoserverImageStartsAsRoot: shared.geoserverImageStartsAsRoot,
        tls: shared.tls,
        acmeEmail: shared.acmeEmail,
        acmeStaging: shared.acmeStaging,
        adminAllowlist: shared.adminAllowlist,
        rateLimitAverage: shared.rateLimitAverage,
        rateLimitBurst: shared.rateLimitBurst,
        dashboard: shared.dashboard,
        httpPort: shared.httpPort,
        httpsPort: shared.httpsPort,
        postgisNodeHost: arg.required<string>("string", { check: dockerHost }),
        geoserverNodeHost: arg.optional<string>("string", { check: dockerHost }),
        geoserverDataNfs: arg.optional<string>("string", { check: nfsExport }),
        edgeNodeHost: arg.optional<string>("string", { check: dockerHost }),
    } satisfies EntriesFor<GeoStackSwarmArgs>,
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
        {
            keys: ["tls", "edgeNodeHost"],
            check: ({ tls, edgeNodeHost }, name) =>
                tls && edgeNodeHost === undefined
                    ? `${name("edgeNodeHost")} is required when ${name("tls")} is true: the certificates' volume must be created on the edge node, where traefik runs`
                    : undefined,
        },
        {
            keys: ["geoserverDataNfs", "geoserverNodeHost"],
            check: ({ geoserverDataNfs, geoserverNodeHost }, name) =>
                geoserverDataNfs !== undefined && geoserverNodeHost !== undefined
                    ? problem(
                          name("geoserverNodeHost"),
                          geoserverNodeHost,
                          `unset when ${name("geoserverDataNfs")} is set: the data directory is on NFS, on no node`,
                      )
                    : undefined,
        },
        {
            keys: ["registryUsername", "registryPassword"],
            check: ({ registryUsername, registryPassword }, name) =>
                (registryUsername === undefined) !== (registryPassword === undefined)
                    ? `${name("registryUsername")} and ${name("registryPassword")} go together: the nodes log in to pull ${name("geoserverImage")}`
                    : undefined,
        },
    ],
);

/** The postgres image's own uid/gid for `postgres`: 999 (Debian), 70 (Alpine). */
const postgresUser = (image: string) => (parseImageReference(image)?.tag?.includes("alpine") ? "70:70" : "999:999");

const SWARM_LOG_DRIVER = { name: "local" };
const RESTART_ANY = { condition: "any", delay: "5s", window: "0s", maxAttempts: 0 };

/**
 * GeoStack on Docker Swarm: the same PostGIS, GeoServer and traefik, as services over encrypted overlay networks.
 * Services, networks, secrets and configs go through the default Docker provider, which must be a manager's. Each
 * data volume is created by a provider of its own for the node its service is pinned to (by a node label), because
 * a local volume exists on one node only and a task on another would silently get a new, empty one.
 */
export class GeoStackSwarm extends pulumi.ComponentResource {
    /** `<scheme>://<domain>[:<port>]/geoserver/`. */
    readonly url: pulumi.Output<string>;
    /** GeoServer administrator user. */
    readonly adminUser: pulumi.Output<string>;
    /** The GeoServer administrator's initial password, generated (secret): set on a new data directory only. */
    readonly adminPassword: pulumi.Output<string>;
    /** Password of the `geoserver` role on the `gis` database (secret). */
    readonly databasePassword: pulumi.Output<string>;
    /** Password of the `postgres` superuser, for maintenance only (secret). */
    readonly databaseSuperuserPassword: pulumi.Output<string>;
    /** Always empty: a swarm cannot publish a port on loopback only (reach PostGIS through an SSH tunnel to its node). */
    readonly databaseAddress: pulumi.Output<string>;
    /** PostGIS, GeoServer, traefik and Docker API proxy service names. */
    readonly containerNames: pulumi.Output<string[]>;
    /** PostGIS and GeoServer data volume names (GeoServer's: its NFS-backed volume's, created on each node it runs on). */
    readonly volumeNames: pulumi.Output<string[]>;
    /** `<scheme>://traefik.<domain>[:<port>]/dashboard/` when `dashboard` is on, else empty. */
    readonly dashboardUrl: pulumi.Output<string>;
    /** Basic-auth password of `admin` on the dashboard (secret); empty without `dashboard` and `tls`. */
    readonly dashboardPassword: pulumi.Output<string>;
    /** The GeoServer image reference the nodes pull. */
    readonly geoserverImageName: pulumi.Output<string>;
    /** Its digest when the reference pins one, else empty (each node then resolves the tag itself). */
    readonly geoserverImageDigest: pulumi.Output<string>;
    /** Empty: swarm mode has no scheduled backups yet (GeoStack's `backups`). */
    readonly backupVolumeName: pulumi.Output<string>;
    /** Empty, as `backupVolumeName`. */
    readonly backupContainerName: pulumi.Output<string>;

    constructor(name: string, args: GeoStackSwarmArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(GEOSTACK_SWARM_SPEC, { ...args, namePrefix: args.namePrefix ?? name }, `Invalid arguments for GeoStackSwarm "${name}"`);
        super("geostack:index:GeoStackSwarm", name, {}, opts);
        const namePrefix = settings.namePrefix ?? name;
        const { domain, tls, protectData } = settings;
        const policy = edgePolicy(settings);
        for (const warning of placeholderWarnings({ tls, domain, acmeEmail: settings.acmeEmail })) pulumi.log.warn(warning, this);
        const geoserverDigest = parseImageReference(settings.geoserverImage)?.digest;
        if (geoserverDigest === undefined) {
            // https://docs.docker.com/reference/cli/docker/service/create/ (--resolve-image): without a digest, each node
            // resolves the tag when its task starts, and two nodes can run two different images.
            pulumi.log.warn(`geoserverImage ${settings.geoserverImage} has no @sha256 digest: each node resolves the tag on its own; pin the digest`, this);
        }
        const child = { parent: this };
        const labels = (role: string, extra: Record<string, string> = {}) => toLabelList({ ...extra, ...instanceLabels(namePrefix, role) });

        // One provider per node that holds data, for its volumes only; services, networks, secrets and configs are the
        // manager's (the component's own provider). Two roles on one node share its provider.
        const nodeProviders = new Map<string, docker.Provider>();
        const nodeProvider = (role: string, host: string) => {
            const existing = nodeProviders.get(host);
            if (existing) return existing;
            const provider = new docker.Provider(`${name}-${role}-node`, { host }, child);
            nodeProviders.set(host, provider);
            return provider;
        };

        // Overlay networks span the swarm's nodes; `encrypted` adds IPsec between nodes
        // (https://docs.docker.com/engine/network/drivers/overlay/#encrypt-traffic-on-an-overlay-network). Not attachable:
        // only services join them, no `docker run --network`. Internal: no route out.
        const overlay = (suffix: string, internal: boolean) =>
            new docker.Network(
                `${name}-${suffix}`,
                { name: `${namePrefix}-${suffix}`, driver: "overlay", attachable: false, internal, options: { encrypted: "true" }, labels: labels(suffix) },
                child,
            );
        const backend = overlay("backend", true);
        // Not internal: traefik reaches Let's Encrypt through it; only traefik and GeoServer join it.
        const proxy = overlay("proxy", false);
        const dockerApi = overlay("docker-api", true);

        // Secrets and configs are immutable in Swarm and cannot be removed while a service uses them: left unnamed,
        // each gets a fresh auto-name, so a change creates a new one, moves the service to it, then deletes the old
        // (https://docs.docker.com/engine/swarm/secrets/#example-rotate-a-secret; moby/moby#35803).
        const secret = (key: string, value: pulumi.Input<string>) =>
            new docker.Secret(
                `${name}-${key}`,
                { data: pulumi.secret(pulumi.output(value).apply((text) => Buffer.from(text).toString("base64"))), labels: labels(key) },
                child,
            );
        const config = (key: string, content: string) => new docker.ServiceConfig(`${name}-${key}`, { data: Buffer.from(content).toString("base64") }, child);

        const superuserPassword = new random.RandomPassword(`${name}-postgis-superuser-password`, { length: 32, special: false }, child);
        // Alphanumeric, as for GeoStack: GeoServer's image splices it into context.xml, and its admin password into a shell command.
        const geoserverDbPassword = new random.RandomPassword(`${name}-postgis-geoserver-password`, { length: 32, special: false }, child);
        const adminPassword = new random.RandomPassword(`${name}-geoserver-admin-password`, { length: 24, special: false }, child);

        const postgisImage = settings.postgisImage;
        const major = postgresMajorOf(postgisImage)!;
        const postgresIds = postgresUser(postgisImage);
        const [postgresUid, postgresGid] = postgresIds.split(":");
        // Read by the postgres user only; Swarm's default is 0444, owned by root. Absolute paths, as for GeoServer's.
        const postgresSecretFile = (secretId: pulumi.Input<string>, fileName: string) => ({
            secretId,
            fileName,
            fileUid: postgresUid,
            fileGid: postgresGid,
            fileMode: 0o400,
        });

        // PostGIS's data: a volume created on the node the service is pinned to, through that node's provider.
        const postgisNode = nodeProvider("postgis", settings.postgisNodeHost);
        const postgisVolume = new docker.Volume(
            `${name}-postgis-data-pg${major}`,
            { name: `${namePrefix}-postgis${major}-data`, labels: labels("postgis") },
            { parent: this, provider: postgisNode, protect: protectData, retainOnDelete: protectData },
        );
        const superuserSecret = secret("postgis-superuser-password", superuserPassword.result);
        const geoserverDbSecret = secret("postgis-geoserver-password", geoserverDbPassword.result);
        const initScript = config("postgis-init-script", postgisInitScript());
        const extensionsScript =
            settings.postgisExtensions.length === 0 ? undefined : config("postgis-extensions-script", postgisExtensionsScript(settings.postgisExtensions));

        const postgisHealthcheck = {
            tests: ["CMD", "pg_isready", "-U", POSTGRES_SUPERUSER, "-d", GIS_DATABASE, "-h", "127.0.0.1"],
            interval: "10s",
            timeout: "5s",
            retries: 5,
            startPeriod: "1m0s",
        };
        const postgis = new docker.Service(
            `${name}-postgis`,
            {
                name: `${namePrefix}-postgis`,
                labels: labels("postgis"),
                mode: { replicated: { replicas: 1 } },
                taskSpec: {
                    containerSpec: {
                        image: postgisImage,
                        // The image's entrypoint needs no root when the data directory is the postgres user's (a new
                        // volume copies the image's ownership): with no capability left, a service's missing
                        // no-new-privileges has nothing to guard.
                        user: postgresIds,
                        capDrops: ["ALL"],
                        env: {
                            POSTGRES_USER: POSTGRES_SUPERUSER,
                            POSTGRES_PASSWORD_FILE: `${SECRETS_DIR}/postgres-password`,
                            // Read by GeoStack's init script itself (components/postgis/init-script.ts), as for the container.
                            [GEOSERVER_DB_PASSWORD_FILE_ENV]: `${SECRETS_DIR}/geoserver-db-password`,
                        },
                        secrets: [
                            postgresSecretFile(superuserSecret.id, `${SECRETS_DIR}/postgres-password`),
                            postgresSecretFile(geoserverDbSecret.id, `${SECRETS_DIR}/geoserver-db-password`),
                        ],
                        // A config replaces the container's upload; executable, so the entrypoint runs it (as postgres).
                        configs: [
                            { configId: initScript.id, fileName: POSTGIS_INIT_SCRIPT_PATH, fileMode: 0o555 },
                            ...(extensionsScript ? [{ configId: extensionsScript.id, fileName: POSTGIS_EXTENSIONS_SCRIPT_PATH, fileMode: 0o555 }] : []),
                        ],
                        mounts: [{ type: "volume", source: postgisVolume.name, target: postgresDataPath(major) }, shmMount(256)],
                        healthcheck: postgisHealthcheck,
                        stopGracePeriod: "1m0s",
                    },
                    placement: { constraints: [nodeConstraint("postgis", namePrefix)] },
                    networksAdvanceds: [{ name: backend.id, aliases: [POSTGIS_HOST_ALIAS] }],
                    resources: { limits: { memoryBytes: mib(settings.postgisMemoryMb), nanoCpus: nanoCpus(settings.postgisCpus) } },
                    restartPolicy: RESTART_ANY,
                    logDriver: SWARM_LOG_DRIVER,
                },
                ...rollout(SINGLE_WRITER_ORDER, "1m0s"),
                // `pulumi up` waits until the task runs, which with a healthcheck means healthy; a first init can take minutes.
                convergeConfig: { delay: "7s", timeout: "10m" },
            },
            { parent: this, dependsOn: [postgisVolume] },
        );

        // GeoServer's data: on the labelled node's volume, or on NFS (a volume Docker creates on whichever node runs it).
        const nfs = settings.geoserverDataNfs;
        const geoserverVolumeName = `${namePrefix}-geoserver-data`;
        const geoserverVolume =
            nfs === undefined
                ? new docker.Volume(
                      `${name}-geoserver-data`,
                      { name: geoserverVolumeName, labels: labels("geoserver") },
                      {
                          parent: this,
                          provider: nodeProvider("geoserver", settings.geoserverNodeHost ?? settings.postgisNodeHost),
                          protect: protectData,
                          retainOnDelete: protectData,
                      },
                  )
                : undefined;
        const adminSecret = secret("geoserver-admin-password", adminPassword.result);
        const databaseSecret = secret("geoserver-database-password", geoserverDbPassword.result);
        const entrypoint = config("geoserver-entrypoint", geostackEntrypoint());
        const publicUrl = publicOrigin(policy, domain);
        // The container's uploads under GEOSTACK_SEED (components/geoserver/data-dir.ts), as configs at the same paths.
        const seed = seedUploads({
            workspace: settings.geoserverWorkspace,
            store: settings.geoserverStore,
            namespaceUri: `${publicUrl}${GEOSERVER_CONTEXT_PATH}/${settings.geoserverWorkspace}`,
            tileCacheQuotaMb: settings.tileCacheQuotaMb,
        }).map(({ file, content }) => ({
            configId: config(`geoserver-seed${file.slice(file.lastIndexOf("/seed/") + "/seed".length).replace(/[/.]/g, "-")}`, content).id,
            fileName: file,
            fileMode: 0o444,
        }));
        const geoserver = new docker.Service(
            `${name}-geoserver`,
            {
                name: `${namePrefix}-geoserver`,
                labels: proxy.name.apply((proxyNetworkName) =>
                    labels(
                        "geoserver",
                        forSwarmProvider(
                            geoserverRouteLabels({ namePrefix, domain, proxyNetworkName, edge: policy, corsAllowedOrigins: settings.corsAllowedOrigins }),
                        ),
                    ),
                ),
                // One replica: GeoServer's data directory has one writer. Read-only replicas need a catalog every
                // replica can read (shared or synchronised), which GeoStack does not offer yet (docs/swarm.md).
                mode: { replicated: { replicas: 1 } },
                taskSpec: {
                    containerSpec: {
                        image: settings.geoserverImage,
                        commands: ["bash", GEOSTACK_ENTRYPOINT],
                        env: Object.fromEntries(
                            geoserverEnv({
                                publicUrl,
                                domain,
                                adminUser: settings.geoserverAdminUser,
                                database: { host: POSTGIS_HOST_ALIAS, port: POSTGRES_PORT, name: GIS_DATABASE, user: GEOSERVER_DB_ROLE },
                                memoryMb: settings.geoserverMemoryMb,
                            }).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
                        ),
                        // At the paths the entrypoint is told (GEOSERVER_ADMIN_PASSWORD_FILE, POSTGRES_PASSWORD_FILE); as
                        // for the container, readable by GeoServer's unprivileged user (999) only.
                        secrets: [
                            { secretId: adminSecret.id, fileName: ADMIN_PASSWORD_FILE, fileUid: "999", fileGid: "999", fileMode: 0o400 },
                            { secretId: databaseSecret.id, fileName: DATABASE_PASSWORD_FILE, fileUid: "999", fileGid: "999", fileMode: 0o400 },
                        ],
                        configs: [{ configId: entrypoint.id, fileName: GEOSTACK_ENTRYPOINT, fileMode: 0o555 }, ...seed],
                        // As for the container: GeoStack's image runs as 999 and needs no capability; an image that starts
                        // as root keeps the five its switch to 999 needs (components/geoserver/geoserver.ts).
                        capDrops: ["ALL"],
                        ...(settings.geoserverImageStartsAsRoot ? { capAdds: ROOT_IMAGE_CAPABILITIES } : {}),
                        mounts: [
                            nfs === undefined
                                ? { type: "volume", source: geoserverVolume!.name, target: GEOSERVER_DATA_DIR }
                                : { type: "volume", source: geoserverVolumeName, target: GEOSERVER_DATA_DIR, volumeOptions: nfsVolumeOptions(nfs) },
                            // Tiles: a local volume Docker creates on whichever node runs the task, empty on a new one, as a
                            // cache may be (the image's folder gives it its owner).
                            { type: "volume", source: `${namePrefix}-geoserver-tiles`, target: TILE_CACHE_DIR },
                        ],
                        healthcheck: {
                            tests: [
                                "CMD",
                                "curl",
                                "--fail",
                                "--silent",
                                "--output",
                                "/dev/null",
                                `http://127.0.0.1:${GEOSERVER_PORT}${GEOSERVER_CONTEXT_PATH}/web/wicket/resource/org.geoserver.web.GeoServerBasePage/img/logo.png`,
                            ],
                            interval: "30s",
                            timeout: "10s",
                            retries: 5,
                            startPeriod: "2m0s",
                        },
                        stopGracePeriod: "30s",
                    },
                    placement: { constraints: nfs === undefined ? [nodeConstraint("geoserver", namePrefix)] : [] },
                    networksAdvanceds: [{ name: backend.id }, { name: proxy.id }],
                    resources: { limits: { memoryBytes: mib(settings.geoserverMemoryMb), nanoCpus: nanoCpus(settings.geoserverCpus) } },
                    restartPolicy: RESTART_ANY,
                    logDriver: SWARM_LOG_DRIVER,
                },
                ...rollout(SINGLE_WRITER_ORDER, "2m0s"),
                ...(settings.registryUsername === undefined
                    ? {}
                    : {
                          auth: {
                              serverAddress: registryHostOf(settings.geoserverImage) ?? "docker.io",
                              username: settings.registryUsername,
                              password: pulumi.secret(settings.registryPassword!),
                          },
                      }),
                convergeConfig: { delay: "7s", timeout: "10m" },
            },
            // Created once PostGIS runs healthy (its convergeConfig), as GeoStack's container waits.
            { parent: this, dependsOn: [postgis, ...(geoserverVolume ? [geoserverVolume] : [])] },
        );

        // The Docker API proxy: on a manager (only managers answer the swarm endpoints), on an internal network only traefik joins.
        const socketProxy = new docker.Service(
            `${name}-docker-socket-proxy`,
            {
                name: `${namePrefix}-docker-socket-proxy`,
                labels: labels("docker-socket-proxy"),
                mode: { replicated: { replicas: 1 } },
                taskSpec: {
                    containerSpec: {
                        image: DEFAULT_DOCKER_SOCKET_PROXY_IMAGE,
                        // GeoStack's HAProxy rules, as for the container (components/traefik/socket-proxy.ts), switched to
                        // the swarm provider's endpoints; the entrypoint writes them to the tmpfs /tmp.
                        commands: DOCKER_API_PROXY_ENTRYPOINT,
                        env: { [DOCKER_API_PROXY_CONFIG_ENV]: dockerApiProxyConfig(), ...SWARM_DOCKER_API_PROVIDER_ENV },
                        mounts: [
                            { type: "bind", source: DOCKER_SOCKET, target: DOCKER_SOCKET, readOnly: true },
                            { type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: mib(1) } },
                        ],
                        readOnly: true,
                        // uid 0, the socket's owner, opens it with no capability (nor binds :2375).
                        user: "0:0",
                        capDrops: ["ALL"],
                        healthcheck: {
                            tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${DOCKER_SOCKET_PROXY_PORT}/_ping`],
                            interval: "10s",
                            timeout: "5s",
                            retries: 3,
                            startPeriod: "5s",
                        },
                    },
                    placement: { constraints: [MANAGER_CONSTRAINT] },
                    networksAdvanceds: [{ name: dockerApi.id, aliases: [DOCKER_SOCKET_PROXY_ALIAS] }],
                    resources: { limits: { memoryBytes: mib(DEFAULT_MEMORY_MB.dockerSocketProxy), nanoCpus: nanoCpus(DEFAULT_CPUS.dockerSocketProxy) } },
                    restartPolicy: RESTART_ANY,
                    logDriver: SWARM_LOG_DRIVER,
                },
                // Stateless and publishes nothing: the new task starts before the old one stops.
                ...rollout("start-first", "30s"),
                convergeConfig: { delay: "7s", timeout: "3m" },
            },
            child,
        );

        // traefik: on the edge node, 80/443 in host mode. The routing mesh would hide the client's address behind the
        // node's (moby/moby#25526), which the allowlist and the per-IP rate limits read. Host mode binds every address of
        // the node: a service has no per-address publishing (moby/moby#26696).
        const acmeVolume = tls
            ? new docker.Volume(
                  `${name}-traefik-acme`,
                  { name: `${namePrefix}-traefik-acme`, labels: labels("traefik") },
                  { parent: this, provider: nodeProvider("edge", settings.edgeNodeHost!), protect: protectData, retainOnDelete: true },
              )
            : undefined;
        const dashboardPassword =
            settings.dashboard && tls ? new random.RandomPassword(`${name}-dashboard-password`, { length: 24, special: false }, child) : undefined;
        const published: [number, number][] = tls
            ? [
                  [80, settings.httpPort],
                  [443, settings.httpsPort],
              ]
            : [[80, settings.httpPort]];
        const traefik = new docker.Service(
            `${name}-traefik`,
            {
                name: `${namePrefix}-traefik`,
                labels: pulumi
                    .output(dashboardPassword?.bcryptHash ?? "")
                    .apply((hash) =>
                        labels(
                            "traefik",
                            settings.dashboard
                                ? dashboardLabels({ namePrefix, domain, edge: policy, basicAuthUsers: hash === "" ? "" : `${DASHBOARD_USER}:${hash}` })
                                : {},
                        ),
                    ),
                mode: { replicated: { replicas: 1 } },
                taskSpec: {
                    containerSpec: {
                        image: settings.traefikImage,
                        args: proxy.name.apply((proxyNetworkName) =>
                            traefikFlags({
                                provider: "swarm",
                                proxyNetworkName,
                                dockerEndpoint: `tcp://${DOCKER_SOCKET_PROXY_ALIAS}:${DOCKER_SOCKET_PROXY_PORT}`,
                                instance: namePrefix,
                                httpsPort: settings.httpsPort,
                                tls,
                                acmeEmail: settings.acmeEmail,
                                acmeStaging: settings.acmeStaging,
                                dashboard: settings.dashboard,
                            }),
                        ),
                        mounts: acmeVolume ? [{ type: "volume", source: acmeVolume.name, target: ACME_STORAGE_DIR }] : [],
                        readOnly: true,
                        capDrops: ["ALL"],
                        capAdds: ["CAP_NET_BIND_SERVICE"],
                        healthcheck: { tests: ["CMD", "traefik", "healthcheck", "--ping"], interval: "10s", timeout: "5s", retries: 3, startPeriod: "10s" },
                    },
                    placement: { constraints: [nodeConstraint("edge", namePrefix)] },
                    networksAdvanceds: [{ name: proxy.id }, { name: dockerApi.id }],
                    resources: { limits: { memoryBytes: mib(settings.traefikMemoryMb), nanoCpus: nanoCpus(settings.traefikCpus) } },
                    restartPolicy: RESTART_ANY,
                    logDriver: SWARM_LOG_DRIVER,
                },
                endpointSpec: {
                    ports: published.map(([targetPort, publishedPort]) => ({ targetPort, publishedPort, publishMode: "host", protocol: "tcp" })),
                },
                // Host-mode ports: a second task on the node could not bind them, so the old one stops first.
                ...rollout("stop-first", "30s"),
                convergeConfig: { delay: "7s", timeout: "3m" },
            },
            { parent: this, dependsOn: [socketProxy, ...(acmeVolume ? [acmeVolume] : [])] },
        );

        this.url = pulumi.output(`${publicUrl}${GEOSERVER_CONTEXT_PATH}/`);
        this.adminUser = pulumi.output(settings.geoserverAdminUser);
        this.adminPassword = pulumi.secret(adminPassword.result);
        this.databasePassword = pulumi.secret(geoserverDbPassword.result);
        this.databaseSuperuserPassword = pulumi.secret(superuserPassword.result);
        this.databaseAddress = pulumi.output("");
        this.containerNames = pulumi.all([postgis.name, geoserver.name, traefik.name, socketProxy.name]);
        this.volumeNames = pulumi.all([postgisVolume.name, geoserverVolume?.name ?? geoserverVolumeName]);
        this.dashboardUrl = pulumi.output(settings.dashboard ? `${publicOrigin(policy, dashboardHost(domain))}/dashboard/` : "");
        this.dashboardPassword = pulumi.secret(dashboardPassword?.result ?? "");
        this.geoserverImageName = pulumi.output(settings.geoserverImage);
        this.geoserverImageDigest = pulumi.output(geoserverDigest ?? "");
        this.backupVolumeName = pulumi.output("");
        this.backupContainerName = pulumi.output("");
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
        });
    }
}
