import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { GeoServer } from "./geoserver";
import { GeoServerImage } from "./geoserver-image";
import { Postgis } from "./postgis";
import { TraefikProxy } from "./traefik";
import { pullImage } from "./helpers/container-defaults";
import { DEFAULT_GEOSERVER_VERSION, DEFAULT_IMAGE_PLATFORM, DEFAULT_IMAGE_REPOSITORY, DEFAULT_RATE_LIMIT } from "./helpers/defaults";
import { check, edgeArgumentProblems, isDomain, isGeoserverVersion, isImagePlatform, isImageReference, isImageRepository, isNamePrefix, isPushableRepository, problem, requireValid } from "./helpers/validation";

export interface GeoStackArgs {
    /** `<project>-<stack>`: prefixes every container, volume and network name; defaults to the component name. */
    namePrefix?: string;
    /** Public host name; GeoServer is served at `<scheme>://<domain>/geoserver/`. */
    domain: string;
    /** GeoServer release the image is built from (when `geoserverImage` is not given). */
    geoserverVersion?: string;
    /** A prebuilt GeoServer image reference to run (ideally `repo@sha256:...`); nothing is built then. */
    geoserverImage?: string;
    /** Repository the GeoServer image is built into: `ghcr.io/<owner>/geoserver`, or a local name (the default). */
    imageRepository?: string;
    /** Push the built image and run it by digest; needs `registryUsername` and `registryPassword`. */
    pushImage?: boolean;
    registryUsername?: string;
    /** Registry token (GitHub: one with `write:packages`); handled as a secret. */
    registryPassword?: pulumi.Input<string>;
    /** Official extension names baked into the built image. */
    geoserverExtensions?: string[];
    /** Platform the image is built and pulled for, `linux/amd64` by default. */
    imagePlatform?: string;
    /** URL of this project's repository, for the image's `org.opencontainers.image.source` label. */
    imageSource?: string;
    postgisImage?: string;
    /** A traefik image pinned to v3.6.1 or later (default: GeoStack's pinned release). */
    traefikImage?: string;
    /** GeoServer administrator (default `admin`); its password is generated. */
    geoserverAdminUser?: string;
    /** Publishes PostGIS on 127.0.0.1:<port> of the Docker host; unset publishes nothing. */
    publishDatabasePort?: number;
    /** Protects the data volumes from `pulumi destroy` and keeps them if deleted. */
    protectData?: boolean;
    /** PostGIS memory limit in MiB (at least 256); default 1024. */
    postgisMemoryMb?: number;
    /** GeoServer memory limit in MiB (at least 768); default 2048. */
    geoserverMemoryMb?: number;
    /** traefik memory limit in MiB (at least 64); default 256. */
    traefikMemoryMb?: number;
    /** HTTPS with Let's Encrypt certificates (needs `acmeEmail` and a public domain); plain HTTP when false. */
    tls?: boolean;
    acmeEmail?: string;
    /** Let's Encrypt's staging CA instead of the production one. */
    acmeStaging?: boolean;
    /** CIDRs that may reach GeoServer's web UI and REST API (and the dashboard); empty: only the OGC services are routed. */
    adminAllowlist?: string[];
    /** Requests per second per client IP on each router, and the burst on top. */
    rateLimitAverage?: number;
    rateLimitBurst?: number;
    /** traefik's dashboard on `traefik.<domain>`, for the admin allowlist (and behind basic auth with TLS). */
    dashboard?: boolean;
}

/** The whole stack: two networks, PostGIS, GeoServer and traefik (with its Docker socket proxy), wired together. */
export class GeoStack extends pulumi.ComponentResource {
    /** `<scheme>://<domain>/geoserver/`: https with `tls`, else http. */
    readonly url: pulumi.Output<string>;
    /** GeoServer administrator user. */
    readonly adminUser: pulumi.Output<string>;
    /** Its generated password (secret). */
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
    readonly dashboardUrl: pulumi.Output<string>;
    readonly dashboardPassword: pulumi.Output<string>;
    /** The GeoServer image by name: `<imageRepository>:<geoserverVersion>`, or the prebuilt reference. */
    readonly geoserverImageName: pulumi.Output<string>;
    /** The GeoServer image GeoServer runs, exactly: a repo digest, or the local image ID of an unpushed build. */
    readonly geoserverImageDigest: pulumi.Output<string>;

    constructor(name: string, args: GeoStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const namePrefix = args.namePrefix ?? name;
        const geoserverVersion = args.geoserverVersion ?? DEFAULT_GEOSERVER_VERSION;
        const imagePlatform = args.imagePlatform ?? DEFAULT_IMAGE_PLATFORM;
        const edge = {
            domain: args.domain,
            tls: args.tls ?? false,
            acmeEmail: args.acmeEmail ?? "",
            adminAllowlist: args.adminAllowlist ?? [],
            rateLimitAverage: args.rateLimitAverage ?? DEFAULT_RATE_LIMIT.average,
            rateLimitBurst: args.rateLimitBurst ?? DEFAULT_RATE_LIMIT.burst,
            dashboard: args.dashboard ?? false,
        };
        // The children check these too, but only once the networks and PostGIS exist: check them before anything.
        requireValid(`Invalid arguments for GeoStack "${name}"`, [
            check("namePrefix", namePrefix, isNamePrefix),
            check("geoserverVersion", geoserverVersion, isGeoserverVersion),
            check("domain", edge.domain, isDomain),
            ...edgeArgumentProblems(edge),
            check("imagePlatform", imagePlatform, isImagePlatform),
            args.geoserverImage === undefined ? undefined : check("geoserverImage", args.geoserverImage, isImageReference),
            // A prebuilt image is run as it is: nothing could be pushed, nothing baked in.
            args.geoserverImage !== undefined && args.pushImage ? problem("pushImage", true, "false when geoserverImage is given (nothing is built)") : undefined,
            args.geoserverImage === undefined && args.pushImage && (!args.registryUsername || args.registryPassword === undefined)
                ? problem("pushImage", true, "registryUsername and registryPassword to be given (the registry login)")
                : undefined,
            args.geoserverImage === undefined && args.imageRepository !== undefined
                ? check("imageRepository", args.imageRepository, args.pushImage ? isPushableRepository : isImageRepository)
                : undefined,
            args.geoserverImage !== undefined && (args.geoserverExtensions ?? []).length > 0
                ? problem("geoserverExtensions", args.geoserverExtensions, "none when geoserverImage is given (extensions are baked in at build time)")
                : undefined,
        ]);
        // Validated before super(): a bad argument registers nothing, not even this component.
        super("geostack:index:GeoStack", name, {}, opts);

        const image = this.imageToRun(name, args, geoserverVersion, imagePlatform);

        // Internal: the database network has no route out of the host.
        const backend = new docker.Network(`${name}-backend`, { name: `${namePrefix}-backend`, driver: "bridge", internal: true }, { parent: this });
        const proxy = new docker.Network(`${name}-proxy`, { name: `${namePrefix}-proxy`, driver: "bridge" }, { parent: this });

        const postgis = new Postgis(
            `${name}-postgis`,
            {
                namePrefix,
                networkName: backend.name,
                image: args.postgisImage,
                memoryMb: args.postgisMemoryMb,
                publishPort: args.publishDatabasePort,
                protectData: args.protectData,
            },
            { parent: this },
        );
        const geoserver = new GeoServer(
            `${name}-geoserver`,
            {
                namePrefix,
                domain: args.domain,
                image: image.run,
                backendNetworkName: backend.name,
                proxyNetworkName: proxy.name,
                databaseHost: postgis.host,
                databasePort: 5432,
                databaseName: postgis.database,
                databaseUser: postgis.username,
                databasePassword: postgis.password,
                adminUser: args.geoserverAdminUser,
                memoryMb: args.geoserverMemoryMb,
                protectData: args.protectData,
                tls: edge.tls,
                adminAllowlist: edge.adminAllowlist,
                rateLimitAverage: edge.rateLimitAverage,
                rateLimitBurst: edge.rateLimitBurst,
            },
            // PostGIS's container waits until healthy, so GeoServer starts against a ready database.
            { parent: this, dependsOn: [postgis] },
        );
        const traefik = new TraefikProxy(
            `${name}-traefik`,
            {
                namePrefix,
                proxyNetworkName: proxy.name,
                image: args.traefikImage,
                memoryMb: args.traefikMemoryMb,
                ...edge,
                acmeStaging: args.acmeStaging,
                protectData: args.protectData,
            },
            { parent: this },
        );

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
        });
    }

    /**
     * The GeoServer image and what the container runs (`run`). A registry image is run through a RemoteImage by its
     * image ID: the container is not replaced on every `up`, and a remote Docker host pulls exactly that digest. An
     * unpushed build is in the Docker host's image store only, so its local image ID is run directly.
     */
    private imageToRun(name: string, args: GeoStackArgs, geoserverVersion: string, platform: string) {
        const pull = (reference: pulumi.Input<string>) => pullImage(`${name}-geoserver`, reference, this, platform);

        if (args.geoserverImage !== undefined) {
            const prebuilt = pull(args.geoserverImage);
            return { name: pulumi.output(args.geoserverImage), digest: prebuilt.repoDigest, run: prebuilt.imageId };
        }
        const built = new GeoServerImage(
            `${name}-geoserver-image`,
            {
                repository: args.imageRepository ?? DEFAULT_IMAGE_REPOSITORY,
                geoserverVersion,
                extensions: args.geoserverExtensions,
                platform,
                push: args.pushImage,
                registryUsername: args.registryUsername,
                registryPassword: args.registryPassword,
                source: args.imageSource,
            },
            { parent: this },
        );
        if (!args.pushImage) return { name: built.imageName, digest: built.repoDigest, run: built.repoDigest };
        const pushed = pull(built.repoDigest);
        return { name: built.imageName, digest: built.repoDigest, run: pushed.imageId };
    }
}
