import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { DEFAULT_CPUS, DEFAULT_MEMORY_MB, DEFAULT_TRAEFIK_IMAGE, MIN_MEMORY_MB } from "../defaults";
import { arg, type Check, type EntriesFor, resolveOrThrow, spec } from "../shared/args";
import { cpuLimit, dnsName, dockerNamePrefix, groupId, imageReference, memoryMb } from "../shared/checks";
import { pullImage, withContainerDefaults } from "../shared/container";
import { edgePolicy, edgeSpec, placeholderWarnings, publicOrigin } from "../shared/edge";
import { parseImageReference } from "../shared/image-ref";
import { dashboardHost, dashboardLabels, DASHBOARD_USER } from "./dashboard";
import { ACME_STORAGE_DIR, traefikFlags } from "./flags";
import { DockerSocketProxy } from "./socket-proxy";

/** `[major, minor, patch]` of a traefik tag such as `v3.6.26` or `3.6.26`, or undefined when not pinned to a patch. */
export function traefikVersionOf(image: string): [number, number, number] | undefined {
    const match = parseImageReference(image)?.tag?.match(/^v?(\d+)\.(\d+)\.(\d+)$/);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export const supportedTraefik: Check<string> = (value) => {
    const version = traefikVersionOf(value);
    const ok = version !== undefined && version[0] === 3 && (version[1] > 6 || (version[1] === 6 && version[2] >= 1));
    return ok ? undefined : "a traefik v3 image pinned to a patch release, v3.6.1 or later (older ones cannot talk to Docker Engine 29+)";
};

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
    /** CPU limit of the container, in CPUs (0.1 to 9.99); default 1. */
    cpus?: string;
    /** HTTPS on :443 with Let's Encrypt certificates, :80 redirecting to it. Needs `acmeEmail` and a public domain. */
    tls?: boolean;
    /** Contact e-mail of the Let's Encrypt account; required when `tls` is true. */
    acmeEmail?: string;
    /** Let's Encrypt's staging CA instead of the production one. */
    acmeStaging?: boolean;
    /** Serves the dashboard on `traefik.<domain>` to the admin allowlist (and, with TLS, behind basic auth). */
    dashboard?: boolean;
    /** CIDRs that may reach the dashboard. */
    adminAllowlist?: string[];
    /** Requests per second per client IP on the dashboard's router (default 50). */
    rateLimitAverage?: number;
    /** Requests per client IP allowed at once on top of `rateLimitAverage` (default 200). */
    rateLimitBurst?: number;
    /** Protects the ACME volume from `pulumi destroy`, like the data volumes. */
    protectData?: boolean;
    /** An official haproxy image (alpine variant) for the Docker API proxy. */
    dockerSocketProxyImage?: string;
    /** The group owning the Docker socket on the host: the Docker API proxy then runs unprivileged in that group. */
    dockerSocketGroupId?: number;
    /** The Docker host's port for plain HTTP (default 80): another one lets two stacks share a host. */
    httpPort?: number;
    /** The Docker host's port for HTTPS (default 443). Let's Encrypt validates on 443: another one needs 443 forwarded to it. */
    httpsPort?: number;
    /**
     * Publishes the ports on IPv6 as well as IPv4 (default true). traefik sees an IPv6 client's own address (its
     * allowlist and rate limits need it) only if the proxy network has IPv6 enabled, as GeoStack's has; on an IPv4-only
     * network Docker relays IPv6 clients through its proxy, from the network's gateway address.
     */
    ipv6?: boolean;
    /** Publishes the ports on the loopback addresses only (127.0.0.1, ::1): a laptop, not offered to its network. */
    loopbackOnly?: boolean;
}

const edge = edgeSpec("domain", "tls", "acmeEmail", "dashboard", "adminAllowlist", "rateLimitAverage", "rateLimitBurst", "httpPort", "httpsPort");

export const TRAEFIK_SPEC = spec(
    {
        namePrefix: arg.optional<string>("string", { check: dockerNamePrefix }),
        ...edge.args,
        // Optional here: only the dashboard needs a host name.
        domain: arg.optional<string>("string", { check: dnsName }),
        image: arg.withDefault<string>(DEFAULT_TRAEFIK_IMAGE, { check: supportedTraefik }),
        memoryMb: arg.withDefault<number>(DEFAULT_MEMORY_MB.traefik, { check: memoryMb(MIN_MEMORY_MB.traefik) }),
        cpus: arg.withDefault<string>(DEFAULT_CPUS.traefik, { check: cpuLimit }),
        acmeStaging: arg.withDefault(false),
        protectData: arg.withDefault(false),
        dockerSocketProxyImage: arg.optional<string>("string", { check: imageReference }),
        dockerSocketGroupId: arg.optional<number>("integer", { check: groupId }),
        ipv6: arg.withDefault(true),
        loopbackOnly: arg.withDefault(false),
    } satisfies EntriesFor<TraefikProxyArgs, "proxyNetworkName">,
    [
        ...edge.rules,
        {
            keys: ["dashboard", "domain"],
            check: ({ dashboard, domain }, name) =>
                dashboard && domain === undefined ? `${name("domain")} is required when ${name("dashboard")} is true` : undefined,
        },
    ],
);

/** The host addresses traefik's ports are published on: every address, or loopback only; IPv4 first, as Docker lists them. */
export function publishAddresses(settings: { ipv6: boolean; loopbackOnly: boolean }): string[] {
    const addresses = settings.loopbackOnly ? ["127.0.0.1", "::1"] : ["0.0.0.0", "::"];
    return settings.ipv6 ? addresses : addresses.slice(0, 1);
}

/**
 * The reverse proxy: the only container publishing ports (80, and 443 with TLS, on IPv4 and IPv6). It routes only the
 * containers of its own stack, reads the Docker API through a filtering socket proxy, never the socket itself, and
 * runs read-only with only NET_BIND_SERVICE.
 */
export class TraefikProxy extends pulumi.ComponentResource {
    /** `<namePrefix>-traefik` */
    readonly containerName: pulumi.Output<string>;
    /** `<namePrefix>-docker-socket-proxy` */
    readonly socketProxyContainerName: pulumi.Output<string>;
    /** `<scheme>://traefik.<domain>[:<port>]/dashboard/`, or empty when the dashboard is off. */
    readonly dashboardUrl: pulumi.Output<string>;
    /** Basic-auth password of `admin` on the dashboard (secret); empty without TLS or dashboard. */
    readonly dashboardPassword: pulumi.Output<string>;

    constructor(name: string, args: TraefikProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(TRAEFIK_SPEC, { ...args, namePrefix: args.namePrefix ?? name }, `Invalid arguments for TraefikProxy "${name}"`);
        super("geostack:index:TraefikProxy", name, {}, opts);
        const namePrefix = settings.namePrefix ?? name;
        const { tls, dashboard, domain } = settings;
        const policy = edgePolicy(settings);
        // The domain is GeoServer's to warn about (GeoStack passes both the same one).
        for (const warning of placeholderWarnings({ tls, acmeEmail: settings.acmeEmail })) pulumi.log.warn(warning, this);

        const socketProxy = new DockerSocketProxy(
            `${name}-docker-socket-proxy`,
            { namePrefix, image: settings.dockerSocketProxyImage, socketGroupId: settings.dockerSocketGroupId },
            { parent: this },
        );

        // Always retained: a destroyed stack leaves acme.json on the host, and the next `up` (Docker creates a volume
        // of an existing name by reusing it) finds its certificates instead of asking Let's Encrypt again.
        const acmeVolume = tls
            ? new docker.Volume(`${name}-acme`, { name: `${namePrefix}-traefik-acme` }, { parent: this, protect: settings.protectData, retainOnDelete: true })
            : undefined;

        // Basic auth only over HTTPS: on plain HTTP the password would cross the network in clear.
        const password =
            dashboard && tls ? new random.RandomPassword(`${name}-dashboard-password`, { length: 24, special: false }, { parent: this }) : undefined;
        const labels = dashboard
            ? pulumi
                  .output(password?.bcryptHash ?? "")
                  .apply((hash) =>
                      dashboardLabels({ namePrefix, domain: domain!, edge: policy, basicAuthUsers: hash === "" ? "" : `${DASHBOARD_USER}:${hash}` }),
                  )
            : undefined;

        // Ordered as the provider reads them back (by container port, IPv4 first), or every `up` would replace traefik.
        const published: [number, number][] = tls
            ? [
                  [80, settings.httpPort],
                  [443, settings.httpsPort],
              ]
            : [[80, settings.httpPort]];
        const ports: docker.types.input.ContainerPort[] = published.flatMap(([internal, external]) =>
            publishAddresses(settings).map((ip) => ({ internal, external, ip, protocol: "tcp" })),
        );

        const container = new docker.Container(
            name,
            withContainerDefaults(
                { namePrefix, role: "traefik", memoryMb: settings.memoryMb, cpus: settings.cpus, labels },
                {
                    image: pullImage(name, settings.image, this).imageId,
                    command: pulumi.all([args.proxyNetworkName, socketProxy.endpoint]).apply(([proxyNetworkName, dockerEndpoint]) =>
                        traefikFlags({
                            proxyNetworkName,
                            dockerEndpoint,
                            instance: namePrefix,
                            httpsPort: settings.httpsPort,
                            tls,
                            acmeEmail: settings.acmeEmail,
                            acmeStaging: settings.acmeStaging,
                            dashboard,
                        }),
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
                    // traefik answers its ping within a second or two; a bad static config exits at once (and restarts).
                    waitTimeout: 30,
                },
            ),
            { parent: this, dependsOn: [socketProxy] },
        );

        this.containerName = container.name;
        this.socketProxyContainerName = socketProxy.containerName;
        this.dashboardUrl = pulumi.output(dashboard ? `${publicOrigin(policy, dashboardHost(domain!))}/dashboard/` : "");
        this.dashboardPassword = pulumi.secret(password?.result ?? "");
        this.registerOutputs({
            containerName: this.containerName,
            socketProxyContainerName: this.socketProxyContainerName,
            dashboardUrl: this.dashboardUrl,
            dashboardPassword: this.dashboardPassword,
        });
    }
}
