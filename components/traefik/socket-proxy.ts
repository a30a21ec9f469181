import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DEFAULT_CPUS, DEFAULT_DOCKER_SOCKET_PROXY_IMAGE, DEFAULT_MEMORY_MB, MIN_MEMORY_MB } from "../defaults";
import { arg, type EntriesFor, resolveOrThrow, spec } from "../shared/args";
import { cpuLimit, dockerNamePrefix, groupId, imageReference, memoryMb } from "../shared/checks";
import { pullImage, withContainerDefaults } from "../shared/container";

export const DOCKER_SOCKET = "/var/run/docker.sock";
export const DOCKER_SOCKET_PROXY_ALIAS = "docker-socket-proxy";
export const DOCKER_SOCKET_PROXY_PORT = 2375;
/** uid and gid of the `haproxy` user of the official image (docker-library/haproxy Dockerfile). */
export const HAPROXY_IMAGE_USER = 99;

/** The variable the proxy's rules travel in; the entrypoint writes them to a file for HAProxy. */
export const DOCKER_API_PROXY_CONFIG_ENV = "DOCKER_API_PROXY_CONFIG";
/**
 * The rules cannot be uploaded: the provider uploads through Docker's archive API, which refuses any write to a
 * read-only root filesystem (moby daemon/archive_unix.go, checkWritablePath). So they come in the environment (they
 * are no secret) and the image's busybox sh writes them to the tmpfs /tmp (TMPDIR in the test) before HAProxy starts,
 * as the image's own entrypoint would run it (`-W -db`: master-worker, foreground).
 */
export const DOCKER_API_PROXY_ENTRYPOINT = [
    "/bin/sh",
    "-c",
    `config="\${TMPDIR:-/tmp}/haproxy.cfg" && printf '%s\n' "$${DOCKER_API_PROXY_CONFIG_ENV}" > "$config" && exec haproxy -W -db -f "$config"`,
];
const CONFIG_FILE = "docker-api-proxy.cfg";

/**
 * The proxy's rules, components/traefik/docker-api-proxy.cfg: only the GET/HEAD requests traefik's docker provider
 * makes, everything else refused. Found beside this module (ts-node, the component package), in the
 * components/traefik/ of a folder above it (compiled into dist/ or elsewhere), or of the working directory, which
 * `pulumi up` sets to the project.
 */
export function dockerApiProxyConfig(): string {
    const candidates = [path.join(__dirname, CONFIG_FILE)];
    for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) candidates.push(path.join(dir, "components", "traefik", CONFIG_FILE));
    candidates.push(path.join(process.cwd(), "components", "traefik", CONFIG_FILE));
    const found = candidates.find((file) => fs.existsSync(file));
    if (found === undefined)
        throw new Error(`${CONFIG_FILE} not found beside ${__dirname}, in components/traefik/ of a folder above it, or in ${process.cwd()}`);
    return fs.readFileSync(found, "utf8");
}

export interface DockerSocketProxyArgs {
    /** `<project>-<stack>`: prefixes the container and network names; defaults to the component name. */
    namePrefix?: string;
    /** An official haproxy image, alpine variant (its busybox wget runs the healthcheck); default: GeoStack's pinned LTS release. */
    image?: string;
    /** Memory limit of the container in MiB (at least 32); default 64. */
    memoryMb?: number;
    /** CPU limit of the container, in CPUs (0.1 to 9.99); default 0.5. */
    cpus?: string;
    /**
     * The group owning the Docker socket on the host (`stat -c %g /var/run/docker.sock`): the proxy then runs as the
     * image's unprivileged `haproxy` user in that group. Unset, it runs as uid 0, the socket's owner.
     */
    socketGroupId?: number;
}

export const DOCKER_SOCKET_PROXY_SPEC = spec({
    namePrefix: arg.optional<string>("string", { check: dockerNamePrefix }),
    image: arg.withDefault<string>(DEFAULT_DOCKER_SOCKET_PROXY_IMAGE, { check: imageReference }),
    memoryMb: arg.withDefault<number>(DEFAULT_MEMORY_MB.dockerSocketProxy, { check: memoryMb(MIN_MEMORY_MB.dockerSocketProxy) }),
    cpus: arg.withDefault<string>(DEFAULT_CPUS.dockerSocketProxy, { check: cpuLimit }),
    socketGroupId: arg.optional<number>("integer", { check: groupId }),
} satisfies EntriesFor<DockerSocketProxyArgs>);

/**
 * A filtering proxy in front of the Docker socket (HAProxy with GeoStack's rules): the only container that mounts it,
 * on an internal network of its own that only its client (traefik) joins. It forwards the read-only requests traefik's
 * docker provider makes and refuses everything else. Its port is never published.
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
                { namePrefix, role: "docker-socket-proxy", memoryMb: settings.memoryMb, cpus: settings.cpus },
                {
                    image: pullImage(name, settings.image, this).imageId,
                    // The rules travel with the container, so a remote Docker host needs no file from this machine.
                    entrypoints: DOCKER_API_PROXY_ENTRYPOINT,
                    envs: [`${DOCKER_API_PROXY_CONFIG_ENV}=${dockerApiProxyConfig()}`],
                    networksAdvanced: [{ name: network.name, aliases: [DOCKER_SOCKET_PROXY_ALIAS] }],
                    ports: [],
                    // Read-only does not limit the API (connecting to a socket is no write: the rules do that); it stops
                    // the container, which runs as the socket's owner, from changing the host socket's mode.
                    volumes: [{ hostPath: DOCKER_SOCKET, containerPath: DOCKER_SOCKET, readOnly: true }],
                    // Nothing writes but the entrypoint, its config file; HAProxy keeps no pid file or stats socket and logs to stdout.
                    readOnly: true,
                    tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=1m" },
                    // The socket is root:docker, 0660. The image's user (haproxy, uid 99) opens it only as a member of
                    // that group, whose ID differs per host; without it, uid 0, the socket's owner, needs no capability
                    // to open it (nor to bind :2375).
                    ...(settings.socketGroupId === undefined
                        ? { user: "0:0" }
                        : { user: `${HAPROXY_IMAGE_USER}:${HAPROXY_IMAGE_USER}`, groupAdds: [String(settings.socketGroupId)] }),
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
