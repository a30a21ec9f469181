import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { GeoServer } from "./geoserver";
import { Postgis } from "./postgis";
import { TraefikProxy } from "./traefik";
import { officialGeoserverImage, DEFAULT_GEOSERVER_VERSION, DEFAULT_RATE_LIMIT } from "./defaults";
import { check, edgeArgumentProblems, isDomain, isGeoserverVersion, isNamePrefix, requireValid } from "./validation";

export interface GeoStackArgs {
    /** `<project>-<stack>`: prefixes every container, volume and network name; defaults to the component name. */
    namePrefix?: string;
    /** Public host name; GeoServer is served at `<scheme>://<domain>/geoserver/`. */
    domain: string;
    /** Official GeoServer image version, used when `geoserverImage` is not given. */
    geoserverVersion?: string;
    /** Image (reference or ID) to run GeoServer from instead of the official one. */
    geoserverImage?: pulumi.Input<string>;
    /** A `postgis/postgis` image of PostgreSQL 14 or later (default: GeoStack's pinned release). */
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
    /** `http://<domain>/geoserver/` */
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
    /** PostGIS, GeoServer and traefik container names. */
    readonly containerNames: pulumi.Output<string[]>;
    /** PostGIS and GeoServer data volume names. */
    readonly volumeNames: pulumi.Output<string[]>;
    readonly dashboardUrl: pulumi.Output<string>;
    readonly dashboardPassword: pulumi.Output<string>;

    constructor(name: string, args: GeoStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const namePrefix = args.namePrefix ?? name;
        const geoserverVersion = args.geoserverVersion ?? DEFAULT_GEOSERVER_VERSION;
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
        ]);
        // Validated before super(): a bad argument registers nothing, not even this component.
        super("geostack:index:GeoStack", name, {}, opts);

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
                image: args.geoserverImage ?? officialGeoserverImage(geoserverVersion),
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
        });
    }
}
