import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DEFAULT_DOCKER_SOCKET_PROXY_IMAGE, DEFAULT_MEMORY_MB, MIN_MEMORY_MB } from "../defaults";
import { arg, type EntriesFor, resolveOrThrow, spec } from "../shared/args";
import { dockerNamePrefix, imageReference, memoryMb } from "../shared/checks";
import { pullImage, withContainerDefaults } from "../shared/container";

export const DOCKER_SOCKET = "/var/run/docker.sock";
export const DOCKER_SOCKET_PROXY_ALIAS = "docker-socket-proxy";
export const DOCKER_SOCKET_PROXY_PORT = 2375;

/**
 * The proxy's API sections: only what traefik's docker provider reads (container list and inspect, the event stream
 * it watches, ping and version for API negotiation), all GET; every other section, and every write, is refused.
 */
export const DOCKER_SOCKET_PROXY_ENV: Record<string, string> = {
    CONTAINERS: "1",
    EVENTS: "1",
    PING: "1",
    VERSION: "1",
    POST: "0",
    ...Object.fromEntries(
        [
            "ALLOW_ARCHIVE",
            "ALLOW_ATTACH",
            "ALLOW_EXEC",
            "ALLOW_EXPORT",
            "ALLOW_KILL",
            "ALLOW_LOGS",
            "ALLOW_PAUSE",
            "ALLOW_RESTARTS",
            "ALLOW_START",
            "ALLOW_STOP",
            "ALLOW_UNPAUSE",
            "AUTH",
            "BUILD",
            "COMMIT",
            "CONFIGS",
            "DELETE",
            "DISTRIBUTION",
            "EXEC",
            "GRPC",
            "IMAGES",
            "INFO",
            "NETWORKS",
            "NODES",
            "PATCH",
            "PLUGINS",
            "PUT",
            "SECRETS",
            "SERVICES",
            "SESSION",
            "SWARM",
            "SYSTEM",
            "TASKS",
            "VOLUMES",
        ].map((section) => [section, "0"]),
    ),
    // Listen on IPv4 only: HAProxy's default [::] bind fails where the kernel has IPv6 disabled.
    DISABLE_IPV6: "1",
};

export interface DockerSocketProxyArgs {
    /** `<project>-<stack>`: prefixes the container and network names; defaults to the component name. */
    namePrefix?: string;
    /** A tecnativa/docker-socket-proxy image. */
    image?: string;
    /** Memory limit of the container in MiB (at least 32); default 64. */
    memoryMb?: number;
}

export const DOCKER_SOCKET_PROXY_SPEC = spec({
    namePrefix: arg.optional<string>("string", { check: dockerNamePrefix }),
    image: arg.withDefault<string>(DEFAULT_DOCKER_SOCKET_PROXY_IMAGE, { check: imageReference }),
    memoryMb: arg.withDefault<number>(DEFAULT_MEMORY_MB.dockerSocketProxy, { check: memoryMb(MIN_MEMORY_MB.dockerSocketProxy) }),
} satisfies EntriesFor<DockerSocketProxyArgs>);

/**
 * A filtering proxy in front of the Docker socket: the only container that mounts it (read-only), on an internal
 * network of its own that only its client (traefik) joins. Its port is never published.
 */
export class DockerSocketProxy extends pulumi.ComponentResource {
    /** The internal network a client must join to reach the proxy. */
    readonly networkName: pulumi.Output<string>;
    /** `tcp://docker-socket-proxy:2375`, valid on that network. */
    readonly endpoint: pulumi.Output<string>;
    /** `<namePrefix>-docker-socket-proxy` */
    readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: DockerSocketProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(
            DOCKER_SOCKET_PROXY_SPEC,
            { ...args, namePrefix: args.namePrefix ?? name },
            `Invalid arguments for DockerSocketProxy "${name}"`,
        );
        super("geostack:index:DockerSocketProxy", name, {}, opts);
        const namePrefix = settings.namePrefix ?? name;

        // Internal: no route out of the host, and Docker publishes no port of a container only on internal networks.
        const network = new docker.Network(`${name}-network`, { name: `${namePrefix}-docker-api`, driver: "bridge", internal: true }, { parent: this });

        const container = new docker.Container(
            name,
            withContainerDefaults(
                { namePrefix, role: "docker-socket-proxy", memoryMb: settings.memoryMb },
                {
                    image: pullImage(name, settings.image, this).imageId,
                    envs: Object.entries(DOCKER_SOCKET_PROXY_ENV).map(([key, value]) => `${key}=${value}`),
                    networksAdvanced: [{ name: network.name, aliases: [DOCKER_SOCKET_PROXY_ALIAS] }],
                    ports: [],
                    volumes: [{ hostPath: DOCKER_SOCKET, containerPath: DOCKER_SOCKET, readOnly: true }],
                    // HAProxy only writes its generated config (/tmp) and its pid file (/run).
                    readOnly: true,
                    tmpfs: { "/tmp": "rw,noexec,nosuid,size=1m", "/run": "rw,noexec,nosuid,size=1m" },
                    // Runs as root, which owns the socket: no capability is needed to open it or to bind :2375.
                    capabilities: { drops: ["ALL"] },
                    healthcheck: {
                        tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${DOCKER_SOCKET_PROXY_PORT}/_ping`],
                        interval: "10s",
                        timeout: "5s",
                        retries: 3,
                        startPeriod: "5s",
                    },
                    wait: true,
                    waitTimeout: 60,
                },
            ),
            { parent: this },
        );

        this.networkName = network.name;
        this.endpoint = pulumi.output(`tcp://${DOCKER_SOCKET_PROXY_ALIAS}:${DOCKER_SOCKET_PROXY_PORT}`);
        this.containerName = container.name;
        this.registerOutputs({ networkName: this.networkName, endpoint: this.endpoint, containerName: this.containerName });
    }
}
