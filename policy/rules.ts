// GeoStack's deployment rules as Pulumi policies. This module only declares them: constructing the PolicyPack (index.ts)
// starts serving gRPC, so tests import the policies from here. Type-only imports (and ./sdk) keep @pulumi/docker and the
// policy SDK's server out of whoever imports this file.
import type * as docker from "@pulumi/docker";
import type { Unwrap } from "@pulumi/pulumi";
import {
    type EnforcementLevel,
    type ReportViolation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationArgs,
    type StackValidationPolicy,
    UnknownValueError,
} from "./sdk";

export const CONTAINER = "docker:index/container:Container";
export const NETWORK = "docker:index/network:Network";
export const VOLUME = "docker:index/volume:Volume";

/** Every GeoStack container carries `geostack.role` (components/shared/container.ts, instanceLabels). */
export const ROLE_LABEL = "geostack.role";
export const EDGE_ROLE = "traefik";
export const SOCKET_PROXY_ROLE = "docker-socket-proxy";
export const DATABASE_ROLE = "postgis";
/** Containers that must sit on internal networks only: the database and the Docker API proxy. */
export const BACKEND_ROLES = [DATABASE_ROLE, SOCKET_PROXY_ROLE];
/** GeoStack's network names end so (components/geostack.ts, traefik/socket-proxy.ts). */
export const BACKEND_NETWORK_SUFFIXES = ["-backend", "-docker-api"];
/** traefik's `web` and `websecure` entrypoints listen on these ports inside the container (traefik/flags.ts). */
export const EDGE_CONTAINER_PORTS = [80, 443];
export const DEFAULT_EDGE_HOST_PORTS = [80, 443];

type Container = Unwrap<docker.ContainerArgs>;
type Network = Unwrap<docker.NetworkArgs>;
type Volume = Unwrap<docker.VolumeArgs>;

export interface NoPublicPortsConfig {
    /** Host ports the edge may publish beyond loopback. */
    edgeHostPorts?: number[];
}
export interface ProtectedDataVolumesConfig {
    /** Volume names that may stay unprotected (caches that can be rebuilt). */
    unprotectedVolumes?: string[];
}
export interface NoSecretsInEnvConfig {
    /** Environment keys that look secret by name but are not (checked by hand). */
    allowedKeys?: string[];
}

/** When a rule that met an unknown during preview runs on the resolved values instead. */
const CHECKED_AT_UP = "checked on the resolved value when `pulumi up` registers the resource";
const CHECKED_AT_END_OF_UP = "checked on the resolved values at the end of `pulumi up`";

/**
 * A value unknown during preview (an output of a resource not created yet) makes the SDK report "can't run policy during
 * preview" at level advisory: a mandatory rule would be silently weakened. This says instead that the rule does not
 * apply yet, and why; `pulumi up` registers each resource with its inputs resolved, and the rule runs on them then.
 */
function guarded<A extends { notApplicable(reason?: string): never }>(when: string, check: (args: A, report: ReportViolation) => void) {
    return (args: A, report: ReportViolation): void => {
        try {
            check(args, report);
        } catch (error) {
            if (error instanceof UnknownValueError) args.notApplicable(`${error.message}; ${when}`);
            throw error;
        }
    };
}

/** A resource policy that runs on one resource type (the others pass). */
function onType<P>(type: string, check: (props: P, args: ResourceValidationArgs, report: ReportViolation) => void) {
    return guarded<ResourceValidationArgs>(CHECKED_AT_UP, (args, report) => {
        if (args.type === type) check(args.props as P, args, report);
    });
}

export function roleOf(container: Container): string | undefined {
    return (container.labels ?? []).find((l) => l.label === ROLE_LABEL)?.value;
}

/** 127.0.0.0/8 and ::1 (also written out or IPv4-mapped). Anything else, including "", "0.0.0.0" and "::", is not. */
export function isLoopback(address: string | undefined): boolean {
    const ip = (address ?? "").trim().toLowerCase();
    const v4 = ip.replace(/^(?:0{0,4}:){5}ffff:/, "").replace(/^::ffff:/, "");
    if (/^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v4)) return true;
    return /^(?:0{0,4}:){7}0{0,3}1$/.test(ip) || ip === "::1";
}

/** What an operator reads in a message: Docker publishes on every interface when no address is given. */
function describeAddress(ip: string | undefined): string {
    if (!ip) return "every interface (no address)";
    if (ip === "0.0.0.0" || ip === "::") return `every ${ip === "::" ? "IPv6" : "IPv4"} interface (${ip})`;
    return ip;
}

const noPublicPorts: ResourceValidationPolicy = {
    name: "no-public-ports",
    description: "Only the edge (traefik) publishes ports beyond loopback, and only its web/websecure entrypoints on the allowed host ports.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            edgeHostPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                default: DEFAULT_EDGE_HOST_PORTS,
                description: "Host ports the edge may publish on a non-loopback address.",
            },
        },
    },
    validateResource: onType<Container>(CONTAINER, (c, args, report) => {
        if (c.networkMode === "host") {
            report(`container ${c.name ?? args.name} uses the host's network: every port it listens on is on the host's interfaces.`);
        }
        const edgeHostPorts = args.getConfig<NoPublicPortsConfig>().edgeHostPorts ?? DEFAULT_EDGE_HOST_PORTS;
        for (const port of c.ports ?? []) {
            if (isLoopback(port.ip)) continue;
            const edgeEntrypoint = EDGE_CONTAINER_PORTS.includes(port.internal) && port.external !== undefined && edgeHostPorts.includes(port.external);
            // The role is read only when it decides: a port that no container may publish fails even while labels are unknown.
            if (edgeEntrypoint && roleOf(c) === EDGE_ROLE) continue;
            const host = port.external === undefined ? "a random host port" : `host port ${port.external}`;
            report(
                `container ${c.name ?? args.name} publishes its port ${port.internal} on ${describeAddress(port.ip)}, ${host}. ` +
                    `Publish on 127.0.0.1 or ::1; only the edge (label ${ROLE_LABEL}=${EDGE_ROLE}) may publish its ports ` +
                    `${EDGE_CONTAINER_PORTS.join("/")} on host ports ${edgeHostPorts.join("/")}.`,
            );
        }
    }),
};

export function isBackendNetwork(name: string): boolean {
    return BACKEND_NETWORK_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

const backendNetworksInternal: ResourceValidationPolicy = {
    name: "backend-networks-internal",
    description: `GeoStack's backend networks (names ending ${BACKEND_NETWORK_SUFFIXES.join(", ")}) are internal: no route off the host, no published port.`,
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onType<Network>(NETWORK, (n, args, report) => {
        const name = n.name ?? args.name;
        if (isBackendNetwork(name) && n.internal !== true) {
            report(`network ${name} is a backend network but not internal: set internal: true.`);
        }
    }),
};

/** The networks a container sits on; without networksAdvanced, the one of its network mode (Docker's default bridge). */
function networksJoined(c: Container): string[] {
    const advanced = (c.networksAdvanced ?? []).map((n) => n.name);
    if (advanced.length > 0) return advanced;
    const mode = c.networkMode ?? "bridge";
    return mode === "none" ? [] : [mode];
}

const backendContainersOnInternalNetworks: StackValidationPolicy = {
    name: "backend-containers-on-internal-networks",
    description:
        "PostGIS and the Docker API proxy join internal networks only; PostGIS may also join a network of its own to publish its port on loopback " +
        "(Docker publishes no port of a container that is only on internal networks).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: guarded<StackValidationArgs>(CHECKED_AT_END_OF_UP, (args, report) => {
        const containers = args.resources.filter((r) => r.type === CONTAINER);
        const networks = new Map(args.resources.filter((r) => r.type === NETWORK).map((r) => [(r.props as Network).name ?? r.name, r]));
        const internal = (name: string) => (networks.get(name)?.props as Network | undefined)?.internal === true;
        const members = (network: string) => containers.filter((r) => networksJoined(r.props as Container).includes(network));
        // Checked container by container: one container's unknown labels (a dashboard's password hash) do not hide another's fault.
        const unknown: string[] = [];
        for (const resource of containers) {
            const c = resource.props as Container;
            try {
                const role = roleOf(c);
                if (role === undefined || !BACKEND_ROLES.includes(role)) continue;
                const ports = c.ports ?? [];
                for (const name of networksJoined(c)) {
                    // A backend network that is not internal is backend-networks-internal's finding, not a second one here.
                    if (internal(name) || isBackendNetwork(name)) continue;
                    // Only a network that exists for publishing: PostGIS alone on it, publishing on loopback, its clients elsewhere.
                    const ownPublishNetwork =
                        role === DATABASE_ROLE &&
                        networks.has(name) &&
                        members(name).length === 1 &&
                        ports.length > 0 &&
                        ports.every((p) => isLoopback(p.ip)) &&
                        networksJoined(c).some(internal);
                    if (ownPublishNetwork) continue;
                    const what = networks.has(name) ? "not internal" : "not managed by this stack (its internal flag cannot be checked)";
                    report(`${role} container ${c.name ?? resource.name} joins network ${name}, which is ${what}.`, resource.urn);
                }
            } catch (error) {
                if (!(error instanceof UnknownValueError)) throw error;
                unknown.push(`${resource.name}: ${error.message}`);
            }
        }
        if (unknown.length > 0) args.notApplicable(`${unknown.join("; ")}; ${CHECKED_AT_END_OF_UP}`);
    }),
};

/** Host paths whose bind mount hands out the Docker API: the socket itself or a directory above it. */
export function exposesDockerSocket(hostPath: string): boolean {
    const normalized = `/${hostPath
        .split("/")
        .filter((part) => part !== "" && part !== ".")
        .join("/")}`;
    if (normalized.endsWith("/docker.sock")) return true;
    return ["/var/run/docker.sock", "/run/docker.sock"].some(
        (socket) => socket === normalized || socket.startsWith(`${normalized === "/" ? "" : normalized}/`),
    );
}

const dockerSocketOnlyInProxy: ResourceValidationPolicy = {
    name: "docker-socket-only-in-proxy",
    description: `Only the Docker API proxy (label ${ROLE_LABEL}=${SOCKET_PROXY_ROLE}) mounts the Docker socket; everyone else goes through its filter.`,
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: onType<Container>(CONTAINER, (c, args, report) => {
        const binds = [
            ...(c.volumes ?? []).flatMap((v) => (v.hostPath ? [v.hostPath] : [])),
            ...(c.mounts ?? []).flatMap((m) => (m.type === "bind" && m.source ? [m.source] : [])),
        ];
        const socketBinds = binds.filter(exposesDockerSocket);
        if (socketBinds.length > 0 && roleOf(c) !== SOCKET_PROXY_ROLE) {
            report(
                `container ${c.name ?? args.name} mounts ${socketBinds.join(", ")} from the host: that is root on the host. ` +
                    "Reach the Docker API through the socket proxy's endpoint instead.",
            );
        }
    }),
};

const memoryLimits: ResourceValidationPolicy = {
    name: "memory-limits",
    description: "Every container has a hard memory limit, so one process cannot take the host's memory from the others.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: onType<Container>(CONTAINER, (c, args, report) => {
        if (!(typeof c.memory === "number" && c.memory > 0)) report(`container ${c.name ?? args.name} has no memory limit: set memory (MB).`);
    }),
};

const noNewPrivileges: ResourceValidationPolicy = {
    name: "no-new-privileges",
    description: "Every container runs with no-new-privileges (setuid binaries cannot raise privileges) and none is privileged.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onType<Container>(CONTAINER, (c, args, report) => {
        const name = c.name ?? args.name;
        // moby accepts `no-new-privileges`, `no-new-privileges:true` and `no-new-privileges=true`.
        if (!(c.securityOpts ?? []).some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o.trim()))) {
            report(`container ${name} lacks securityOpts "no-new-privileges:true".`);
        }
        if (c.privileged === true) report(`container ${name} is privileged: every capability and every host device.`);
    }),
};

/** An image ID (`sha256:<64 hex>`) or a reference by digest (`repo@sha256:<64 hex>`). */
export function isPinnedImage(image: string): boolean {
    return /^(?:[^\s@]+@)?sha256:[0-9a-f]{64}$/.test(image);
}

const imagesPinned: ResourceValidationPolicy = {
    name: "images-pinned",
    description: "Every container runs an image ID or a repo@sha256 digest, never a tag that can move.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onType<Container>(CONTAINER, (c, args, report) => {
        if (!isPinnedImage(c.image)) {
            report(`container ${c.name ?? args.name} runs ${c.image}: use the image ID (a RemoteImage's imageId) or repo@sha256:<digest>.`);
        }
    }),
};

const protectedDataVolumes: ResourceValidationPolicy = {
    name: "protected-data-volumes",
    description:
        "In a production stack every volume is protected (opts.protect), so no destroy or replacement deletes data. " +
        "Policies cannot see retainOnDelete (the analyzer protocol does not carry it): the program's own tests check that.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            unprotectedVolumes: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Names of volumes that may stay unprotected, such as caches that can be rebuilt.",
            },
        },
    },
    validateResource: onType<Volume>(VOLUME, (v, args, report) => {
        const name = v.name ?? args.name;
        if (args.opts.protect || (args.getConfig<ProtectedDataVolumesConfig>().unprotectedVolumes ?? []).includes(name)) return;
        report(`volume ${name} is not protected: set the resource option protect (GeoStack: geostack:protectData true).`);
    }),
};

/** Words of an environment key that name a secret (`DB_PASS`, `API_KEY`, `GITHUB_TOKEN`); PASSWORD also inside a word (`PGPASSWORD`). */
const SECRET_WORDS = ["PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATE"];

export function isSecretLikeKey(key: string): boolean {
    const upper = key.toUpperCase();
    if (upper.endsWith("_FILE")) return false;
    const words = upper.split(/[^A-Z0-9]+/);
    // PWD alone is the shell's working directory, not a password.
    if (upper === "PWD") return false;
    return /PASSWORD|PASSWD/.test(upper) || words.some((word) => SECRET_WORDS.includes(word));
}

/** `scheme://user:password@host`: a password inside a connection string, whatever the key is called. */
export function hasUrlCredentials(value: string): boolean {
    return /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i.test(value);
}

const noSecretsInEnv: ResourceValidationPolicy = {
    name: "no-secrets-in-env",
    description:
        "No password-like value in a container's environment (docker inspect shows it to anyone with API access): hand secrets over as files " +
        "(`*_FILE` keys are fine). Judged by key name and by credentials in URLs, since policies see secrets in clear.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            allowedKeys: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Environment keys that look secret by name but hold no secret.",
            },
        },
    },
    validateResource: onType<Container>(CONTAINER, (c, args, report) => {
        const allowed = args.getConfig<NoSecretsInEnvConfig>().allowedKeys ?? [];
        for (const entry of c.envs ?? []) {
            const split = entry.indexOf("=");
            const key = split < 0 ? entry : entry.slice(0, split);
            if (allowed.includes(key)) continue;
            // Never the value: policies see secrets unwrapped, and a message ends up in CI logs.
            if (isSecretLikeKey(key)) report(`container ${c.name ?? args.name} gets ${key} through its environment: pass it as a file (${key}_FILE).`);
            else if (split >= 0 && hasUrlCredentials(entry.slice(split + 1))) {
                report(`container ${c.name ?? args.name} gets a URL with a password in ${key}: pass the password as a file.`);
            }
        }
    }),
};

/** Log drivers that keep logs on the Docker host, where only rotation bounds them. */
const LOCAL_FILE_DRIVERS = ["json-file", ""];

const logRotation: ResourceValidationPolicy = {
    name: "log-rotation",
    description: "Container logs kept on the host as json-file are rotated (log option max-size), so they cannot fill the disk.",
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: onType<Container>(CONTAINER, (c, args, report) => {
        if (LOCAL_FILE_DRIVERS.includes(c.logDriver ?? "") && !c.logOpts?.["max-size"]) {
            report(`container ${c.name ?? args.name} logs to json-file without max-size: set logOpts max-size and max-file.`);
        }
    }),
};

export const PACK_NAME = "geostack";
/** Policies that do not say otherwise (all of ours do). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    noPublicPorts,
    backendNetworksInternal,
    backendContainersOnInternalNetworks,
    dockerSocketOnlyInProxy,
    memoryLimits,
    noNewPrivileges,
    imagesPinned,
    protectedDataVolumes,
    noSecretsInEnv,
    logRotation,
];
