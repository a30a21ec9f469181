import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { pullImage, withContainerDefaults } from "./helpers/container-defaults";
import { DEFAULT_MEMORY_MB, DEFAULT_RATE_LIMIT, DEFAULT_TRAEFIK_IMAGE } from "./helpers/defaults";
import { DockerSocketProxy } from "./docker-socket-proxy";
import { ACME_STORAGE_DIR, routedEntrypoint, traefikFlags } from "./helpers/traefik-flags";
import { dashboardHost, dashboardLabels } from "./helpers/traefik-labels";
import { check, edgeArgumentProblems, isDomain, isMemoryMb, isNamePrefix, isSupportedTraefik, problem, requireValid } from "./helpers/validation";

export const DASHBOARD_USER = "admin";

export interface TraefikProxyArgs {
    /** `<project>-<stack>`: prefixes the container, volume and network names and the dashboard's router; defaults to the component name. */
    namePrefix?: string;
    /** The network traefik shares with the containers it routes to. */
    proxyNetworkName: pulumi.Input<string>;
    /** The public host name; the dashboard is served on `traefik.<domain>`. Needed only with `dashboard`. */
    domain?: string;
    /** A traefik image pinned to v3.6.1 or later. */
    image?: string;
    /** Memory limit of the container in MiB (at least 64); default 256. */
    memoryMb?: number;
    /** HTTPS on :443 with Let's Encrypt certificates, :80 redirecting to it. Needs `acmeEmail` and a public domain. */
    tls?: boolean;
    acmeEmail?: string;
    /** Let's Encrypt's staging CA instead of the production one. */
    acmeStaging?: boolean;
    /** Serves the dashboard on `traefik.<domain>` to the admin allowlist (and, with TLS, behind basic auth). */
    dashboard?: boolean;
    /** CIDRs that may reach the dashboard. */
    adminAllowlist?: string[];
    rateLimitAverage?: number;
    rateLimitBurst?: number;
    /** Protects the ACME volume from `pulumi destroy`, like the data volumes. */
    protectData?: boolean;
    /** A tecnativa/docker-socket-proxy image for the Docker API proxy. */
    dockerSocketProxyImage?: string;
}

/**
 * The reverse proxy: the only container publishing ports (80, and 443 with TLS). It reads the Docker API through a
 * filtering socket proxy, never the socket itself, and runs read-only with only NET_BIND_SERVICE.
 */
export class TraefikProxy extends pulumi.ComponentResource {
    /** `<namePrefix>-traefik` */
    readonly containerName: pulumi.Output<string>;
    readonly socketProxyContainerName: pulumi.Output<string>;
    /** `<scheme>://traefik.<domain>/dashboard/`, or empty when the dashboard is off. */
    readonly dashboardUrl: pulumi.Output<string>;
    /** Basic-auth password of `admin` on the dashboard (secret); empty without TLS or dashboard. */
    readonly dashboardPassword: pulumi.Output<string>;

    constructor(name: string, args: TraefikProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        const namePrefix = args.namePrefix ?? name;
        const image = args.image ?? DEFAULT_TRAEFIK_IMAGE;
        const memoryMb = args.memoryMb ?? DEFAULT_MEMORY_MB.traefik;
        const tls = args.tls ?? false;
        const acmeEmail = args.acmeEmail ?? "";
        const dashboard = args.dashboard ?? false;
        const adminAllowlist = args.adminAllowlist ?? [];
        const rateLimitAverage = args.rateLimitAverage ?? DEFAULT_RATE_LIMIT.average;
        const rateLimitBurst = args.rateLimitBurst ?? DEFAULT_RATE_LIMIT.burst;
        requireValid(`Invalid arguments for TraefikProxy "${name}"`, [
            check("namePrefix", namePrefix, isNamePrefix),
            check("image", image, isSupportedTraefik),
            check("memoryMb", memoryMb, isMemoryMb("traefik")),
            args.domain === undefined
                ? dashboard ? problem("domain", args.domain, "the public host name, since dashboard is true") : undefined
                : check("domain", args.domain, isDomain),
            ...edgeArgumentProblems({ domain: args.domain, tls, acmeEmail, adminAllowlist, dashboard, rateLimitAverage, rateLimitBurst }),
        ]);
        // Validated before super(): a bad argument registers nothing, not even this component.
        super("geostack:index:TraefikProxy", name, {}, opts);

        const protectData = args.protectData ?? false;
        const entrypoint = routedEntrypoint(tls);

        const socketProxy = new DockerSocketProxy(`${name}-docker-socket-proxy`, { namePrefix, image: args.dockerSocketProxyImage }, { parent: this });

        // Always retained: a destroyed stack leaves acme.json on the host, and the next `up` (Docker creates a volume
        // of an existing name by reusing it) finds its certificates instead of asking Let's Encrypt again.
        const acmeVolume = tls
            ? new docker.Volume(`${name}-acme`, { name: `${namePrefix}-traefik-acme` }, { parent: this, protect: protectData, retainOnDelete: true })
            : undefined;

        // Basic auth only over HTTPS: on plain HTTP the password would cross the network in clear.
        const password =
            dashboard && tls ? new random.RandomPassword(`${name}-dashboard-password`, { length: 24, special: false }, { parent: this }) : undefined;
        const labels = dashboard
            ? pulumi.output(password?.bcryptHash ?? "").apply((hash) =>
                  dashboardLabels({
                      namePrefix,
                      domain: args.domain!,
                      entrypoint,
                      adminAllowlist,
                      rateLimitAverage,
                      rateLimitBurst,
                      basicAuthUsers: hash === "" ? "" : `${DASHBOARD_USER}:${hash}`,
                  }),
              )
            : undefined;

        const ports: docker.types.input.ContainerPort[] = [{ internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" }];
        if (tls) ports.push({ internal: 443, external: 443, ip: "0.0.0.0", protocol: "tcp" });

        const container = new docker.Container(
            name,
            withContainerDefaults(
                { namePrefix, role: "traefik", memoryMb, labels },
                {
                    image: pullImage(name, image, this).imageId,
                    command: pulumi
                        .all([args.proxyNetworkName, socketProxy.endpoint])
                        .apply(([proxyNetworkName, dockerEndpoint]) =>
                            traefikFlags({ proxyNetworkName, dockerEndpoint, tls, acmeEmail, acmeStaging: args.acmeStaging ?? false, dashboard }),
                        ),
                    networksAdvanced: [{ name: args.proxyNetworkName }, { name: socketProxy.networkName }],
                    ports,
                    volumes: acmeVolume ? [{ volumeName: acmeVolume.name, containerPath: ACME_STORAGE_DIR }] : [],
                    // traefik writes nothing but acme.json, which lives on the volume.
                    readOnly: true,
                    // Runs as root to bind :80 and :443; nothing else.
                    // CAP_-prefixed, as Docker 28+ reports it back: the plain name would read as a change and replace traefik on every `up`.
                    capabilities: { drops: ["ALL"], adds: ["CAP_NET_BIND_SERVICE"] },
                    healthcheck: {
                        tests: ["CMD", "traefik", "healthcheck", "--ping"],
                        interval: "10s",
                        timeout: "5s",
                        retries: 3,
                        startPeriod: "10s",
                    },
                    wait: true,
                    waitTimeout: 60,
                },
            ),
            { parent: this, dependsOn: [socketProxy] },
        );

        const scheme = tls ? "https" : "http";
        this.containerName = container.name;
        this.socketProxyContainerName = socketProxy.containerName;
        this.dashboardUrl = pulumi.output(dashboard ? `${scheme}://${dashboardHost(args.domain!)}/dashboard/` : "");
        this.dashboardPassword = pulumi.secret(password?.result ?? "");
        this.registerOutputs({
            containerName: this.containerName,
            socketProxyContainerName: this.socketProxyContainerName,
            dashboardUrl: this.dashboardUrl,
            dashboardPassword: this.dashboardPassword,
        });
    }
}
