import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { registryHostOf } from "../../components/shared/image-ref";

/** A resource as the program registered it: `inputs` keep the engine's secret markers (see `isSecret`). */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    id: string;
    inputs: Record<string, any>;
    /** What the mock provider returned: the inputs plus the outputs it computed (see newResource). */
    state: Record<string, any>;
    /**
     * Resource options as sent to the engine (`provider`: an explicit provider's reference, "" for the default one).
     * `dependencies` are the URNs the engine waits for before it creates the resource (its `dependsOn`, expanded to a
     * component's children, and every resource an input's value comes from); `propertyDependencies` name, per input,
     * the resources its value comes from.
     */
    options: {
        protect: boolean;
        retainOnDelete: boolean;
        parent: string;
        dependencies: string[];
        propertyDependencies: Record<string, string[]>;
        provider: string;
    };
}

type Secret = { [specialSigKey]: string; value: unknown };

/** True when the value reached the engine as a Pulumi secret (it is stored encrypted in state). */
export function isSecret(value: unknown): value is Secret {
    return typeof value === "object" && value !== null && (value as any)[specialSigKey] === specialSecretSig;
}

/** The value with every secret marker removed, for assertions on content. */
export function reveal<T = any>(value: unknown): T {
    if (isSecret(value)) return reveal(value.value);
    if (Array.isArray(value)) return value.map((v) => reveal(v)) as T;
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)])) as T;
    }
    return value as T;
}

function digest(...parts: string[]): string {
    return crypto.createHash("sha256").update(parts.join("\0")).digest("hex");
}

/** A hash of every file in a build context and of the Dockerfile; the provider fails the build without a context. */
function contextHash(location: string, dockerfile: string): string {
    if (!fs.existsSync(location)) throw new Error(`hashing build context: ${location} does not exist`);
    const hash = crypto.createHash("sha256");
    const walk = (dir: string): string[] =>
        fs
            .readdirSync(dir, { withFileTypes: true })
            .flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.isFile() ? [path.join(dir, entry.name)] : []));
    for (const file of [...walk(location).sort(), dockerfile]) hash.update(`${path.relative(location, file)}\0`).update(fs.readFileSync(file));
    return hash.digest("hex");
}

/** A password of the requested length, different per resource name, as the random provider would return. */
function fakePassword(name: string, length: number): string {
    const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    const bytes = crypto.createHash("sha512").update(name).digest();
    return Array.from({ length }, (_, i) => alphabet[bytes[i % bytes.length] % alphabet.length]).join("");
}

/**
 * The Docker daemon settings that change what the provider reads back into its state after it creates a container,
 * which the next `pulumi up` compares with the program's inputs.
 */
export interface DockerHost {
    /** daemon.json `log-driver` (Docker's default: `json-file`) and `log-opts`. */
    logDriver: string;
    logOpts: Record<string, string>;
    /** Whether the kernel accounts swap (cgroup v2, or v1 booted with `swapaccount=1`; not WSL or some ARM kernels). */
    swapAccounting: boolean;
    /** Whether the daemon takes a healthcheck's `StartInterval` (Engine API 1.44, Docker 25, and later). */
    healthcheckStartInterval: boolean;
    /** The HEALTHCHECK of the image every container runs, if it has one (a prebuilt image's, say). */
    imageHealthcheck?: { interval: string; timeout: string; startPeriod: string; startInterval: string; retries: number };
}

/** Docker Engine as installed, with no daemon.json. */
export const STOCK_DOCKER_HOST: DockerHost = { logDriver: "json-file", logOpts: {}, swapAccounting: true, healthcheckStartInterval: true };

/** Hosts on which the provider reads back something else than it was given, unless the program allows for it. */
export const DOCKER_HOSTS: Record<string, DockerHost> = {
    "a stock Docker Engine": STOCK_DOCKER_HOST,
    "a daemon.json with log-opts": { ...STOCK_DOCKER_HOST, logOpts: { "max-size": "50m", "max-file": "3", compress: "true", mode: "non-blocking" } },
    "a daemon.json defaulting to the local log driver with log-opts": { ...STOCK_DOCKER_HOST, logDriver: "local", logOpts: { "max-size": "50m" } },
    "a kernel without swap accounting": { ...STOCK_DOCKER_HOST, swapAccounting: false },
    "images whose HEALTHCHECK sets every option": {
        ...STOCK_DOCKER_HOST,
        imageHealthcheck: { interval: "1m0s", timeout: "20s", startPeriod: "3m0s", startInterval: "2s", retries: 9 },
    },
};

/** A duration as Go's time.Duration.String() prints it (how the provider reads healthcheck durations back). */
export function goDuration(text: string): string {
    const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000_001 };
    let ms = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(amount) * units[unit];
    if (ms === 0) return "0s";
    if (ms < 1000) return `${ms}ms`;
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const sec = (ms % 60_000) / 1000;
    return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${sec}s`;
}

const isIPv6 = (ip: string) => ip.includes(":");

/**
 * A `cpus` value as the provider reads it back: Docker stores NanoCPUs (the CLI's opts.ParseCPUs: the decimal times
 * 1e9), and Read prints them with kreuzwerker's nanoInt64ToDecimalString (nine decimals; when nine zeros are among
 * them, counting the integer part's, one decimal instead; otherwise trailing zeros trimmed).
 */
export function cpusReadBack(cpus: string): string {
    const [whole, fraction = ""] = cpus.split(".");
    const nanos = BigInt(whole || "0") * 1_000_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9));
    if (nanos === 0n) return "0";
    const nine = `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, "0")}`;
    if ([...nine].filter((c) => c === "0").length !== 9) return nine.replace(/0+$/, "");
    const tenths = (nanos + 50_000_000n) / 100_000_000n;
    return `${tenths / 10n}.${tenths % 10n}`;
}

/**
 * The container as the provider stores it once created, on `host`: what Docker did with the inputs (moby
 * daemon/create.go, daemon_unix.go, commit.go) and what the provider's Read makes of it (kreuzwerker v4.5.0,
 * internal/provider/resource_docker_container_funcs.go, resourceDockerContainerRead). Other inputs read back as given.
 */
export function containerReadBack(inputs: Record<string, any>, host: DockerHost = STOCK_DOCKER_HOST): Record<string, any> {
    const state: Record<string, any> = { ...inputs };
    // log_driver is Computed: unset, it reads back as the daemon's default.
    const logDriver = inputs.logDriver ?? host.logDriver;
    state.logDriver = logDriver;
    // mergeAndVerifyLogConfig copies the daemon's log-opts into a container of the daemon's default driver, and Read
    // returns the whole stored map whenever the config sets log_opts (containerLogOptsForState).
    if (inputs.logOpts !== undefined) state.logOpts = logDriver === host.logDriver ? { ...host.logOpts, ...reveal(inputs.logOpts) } : reveal(inputs.logOpts);
    const memory = reveal<number | undefined>(inputs.memory) ?? 0;
    if (memory > 0) {
        // adaptContainerSettings doubles an unset swap limit; verifyPlatformContainerResources stores -1 without swap
        // accounting; Read keeps -1 as -1 and converts the rest from bytes to MiB.
        const swap = reveal<number | undefined>(inputs.memorySwap) ?? 0;
        state.memorySwap = !host.swapAccounting ? -1 : swap === 0 ? 2 * memory : swap;
    }
    // cpus is ForceNew: a spelling other than the read-back one replaces the container at every `up`.
    if (inputs.cpus !== undefined) state.cpus = cpusReadBack(String(reveal(inputs.cpus)));
    if (inputs.healthcheck !== undefined) {
        const given = reveal<Record<string, any>>(inputs.healthcheck);
        const image = host.imageHealthcheck;
        // The image's HEALTHCHECK fills every field the container leaves at zero (moby daemon/commit.go merge); an
        // Engine API before 1.44 drops StartInterval; Read prints durations with time.Duration.String().
        const duration = (key: "interval" | "timeout" | "startPeriod" | "startInterval") => {
            const own = goDuration(given[key] ?? "0s");
            if (key === "startInterval" && !host.healthcheckStartInterval) return "0s";
            return own === "0s" && image ? image[key] : own;
        };
        state.healthcheck = {
            tests: given.tests,
            interval: duration("interval"),
            timeout: duration("timeout"),
            startPeriod: duration("startPeriod"),
            startInterval: duration("startInterval"),
            retries: (given.retries ?? 0) === 0 && image ? image.retries : (given.retries ?? 0),
        };
    }
    if (inputs.ports !== undefined) {
        // Read lists Docker's port map: by container port, each port's bindings IPv4 first (libnetwork sorts them).
        state.ports = reveal<any[]>(inputs.ports)
            .map((p) => ({ internal: p.internal, external: p.external, ip: p.ip || "0.0.0.0", protocol: p.protocol ?? "tcp" }))
            .sort((a, b) => a.internal - b.internal || Number(isIPv6(a.ip)) - Number(isIPv6(b.ip)) || a.ip.localeCompare(b.ip));
    }
    return state;
}

/**
 * A Swarm service as the provider stores it (kreuzwerker internal/provider/resource_docker_service.go, schema defaults
 * and Computed fields, resource_docker_service_structures.go): unset update/rollback settings read back as Docker's
 * defaults, a secret or config file as 0444 owned by root, a port as published through the ingress mesh.
 */
export function serviceReadBack(inputs: Record<string, any>): Record<string, any> {
    const rolloutDefaults = { parallelism: 1, delay: "0s", failureAction: "pause", monitor: "5s", maxFailureRatio: "0.0", order: "stop-first" };
    const fileDefaults = (file: Record<string, any>) => ({ fileUid: "0", fileGid: "0", fileMode: 0o444, ...file });
    const spec = inputs.taskSpec ?? {};
    const container = spec.containerSpec ?? {};
    return {
        mode: inputs.mode ?? { replicated: { replicas: 1 }, global: false },
        updateConfig: { ...rolloutDefaults, ...(inputs.updateConfig ?? {}) },
        rollbackConfig: { ...rolloutDefaults, ...(inputs.rollbackConfig ?? {}) },
        endpointSpec: {
            mode: inputs.endpointSpec?.mode ?? "vip",
            ports: (inputs.endpointSpec?.ports ?? []).map((port: Record<string, any>) => ({ protocol: "tcp", publishMode: "ingress", ...port })),
        },
        taskSpec: {
            ...spec,
            containerSpec: {
                isolation: "default",
                ...container,
                secrets: (container.secrets ?? []).map(fileDefaults),
                configs: (container.configs ?? []).map(fileDefaults),
            },
        },
    };
}

/**
 * Mocks that behave like the providers where the program reads their outputs: generated passwords come back
 * secret (as `additionalSecretOutputs` makes them), Docker auto-names resources without a `name`, and images get
 * digests derived from what was built.
 */
export class ProviderMocks implements pulumi.runtime.Mocks {
    readonly resources: RegisteredResource[] = [];

    constructor(readonly dockerHost: DockerHost = STOCK_DOCKER_HOST) {}
    /** Every secret value the mocks generated (passwords, their hashes): tests check that none leaks into output. */
    readonly generatedSecrets: string[] = [];
    /** Set by `installMocks` just before the engine request reaches `newResource` (the mock monitor calls it synchronously). */
    pendingOptions?: RegisteredResource["options"] & { urn: string };

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
        const id = digest(args.type, args.name).slice(0, 24);
        if (!this.pendingOptions) throw new Error("use installMocks(): the mocks need the engine request to record options");
        const { urn, ...options } = this.pendingOptions;
        this.pendingOptions = undefined;
        // The provider uploads before the first start through Docker's archive API at "/", which Docker refuses on a
        // read-only root filesystem (moby daemon/archive_unix.go, checkWritablePath): the create fails, with the
        // provider's words around the daemon's (kreuzwerker resource_docker_container_funcs.go, resourceDockerContainerCreate).
        if (args.type === "docker:index/container:Container" && reveal(args.inputs.readOnly) && reveal<unknown[]>(args.inputs.uploads ?? []).length > 0) {
            throw new Error(`${args.name}: Unable to upload volume content: Error response from daemon: container rootfs is marked read-only`);
        }
        const state: Record<string, any> =
            args.type === "docker:index/container:Container" ? containerReadBack(args.inputs, this.dockerHost) : { ...args.inputs };
        this.resources.push({ type: args.type, name: args.name, urn, id, inputs: args.inputs, state, options });
        switch (args.type) {
            case "random:index/randomPassword:RandomPassword": {
                const password = fakePassword(args.name, args.inputs.length);
                // As the engine returns additionalSecretOutputs: marked secret (readable with `reveal` in tests).
                state.result = { [specialSigKey]: specialSecretSig, value: password };
                const bcryptHash = `$2a$10$${digest(password).slice(0, 53)}`;
                state.bcryptHash = { [specialSigKey]: specialSecretSig, value: bcryptHash };
                this.generatedSecrets.push(password, bcryptHash);
                break;
            }
            case "docker:index/container:Container":
            case "docker:index/network:Network":
            case "docker:index/volume:Volume":
                state.name = args.inputs.name ?? `${args.name}-${id.slice(0, 7)}`;
                break;
            case "docker:index/secret:Secret":
            case "docker:index/serviceConfig:ServiceConfig":
                // Auto-named with a random suffix when `name` is unset (so a replacement gets a new name); a secret's
                // data is never read back (kreuzwerker resource_docker_secret.go, Read keeps the state's) and stays
                // secret (additionalSecretOutputs ["data"]).
                state.name = args.inputs.name ?? `${args.name}-${id.slice(0, 7)}`;
                if (args.type === "docker:index/secret:Secret") state.data = { [specialSigKey]: specialSecretSig, value: reveal(args.inputs.data) };
                break;
            case "docker:index/service:Service":
                Object.assign(state, serviceReadBack(args.inputs));
                break;
            case "docker:index/remoteImage:RemoteImage": {
                // The provider reports the pulled manifest as `repo@sha256:...`, also when the name was a tag.
                const name = String(reveal(args.inputs.name));
                state.imageId = `sha256:${digest(name)}`;
                state.repoDigest = name.includes("@sha256:") ? name : `${name.replace(/:[^/:]+$/, "")}@sha256:${digest("manifest", name)}`;
                break;
            }
            case "docker-build:index:Image": {
                // pulumi-docker-build provider/internal/image.go, Create: `contextHash` hashes the build context;
                // `digest` is the exporter's (for a `load` into the Docker engine its image ID, for a push the pushed
                // manifest's), set only when the build was exported; `ref` is the first tag, with `@<digest>` when the
                // tag names its registry (addDigest needs a fully qualified name). Same inputs, same image.
                const inputs = reveal(args.inputs);
                const location = String(inputs.context?.location ?? ".");
                state.contextHash = contextHash(location, String(inputs.dockerfile?.location ?? path.join(location, "Dockerfile")));
                const exported = Boolean(inputs.load || inputs.push || inputs.exports?.length);
                const made = JSON.stringify([state.contextHash, inputs.buildArgs ?? {}, inputs.platforms ?? [], inputs.target ?? ""]);
                state.digest = exported ? `sha256:${digest(made)}` : "";
                const tag: string | undefined = inputs.tags?.[0];
                const qualified = tag !== undefined && registryHostOf(tag) !== undefined;
                state.ref = tag === undefined ? "" : state.digest && qualified ? `${/:[^/]+$/.test(tag) ? tag : `${tag}:latest`}@${state.digest}` : tag;
                break;
            }
            case "docker:index/registryImage:RegistryImage":
                // The digest the registry reports for the tag just pushed: another image pushed (triggers), another digest.
                state.sha256Digest = `sha256:${digest(String(reveal(args.inputs.name)), JSON.stringify(reveal(args.inputs.triggers ?? {})))}`;
                break;
        }
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        return args.inputs;
    }

    ofType(type: string): RegisteredResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource of that type and name; fails loudly when missing. */
    get(type: string, name: string): RegisteredResource {
        const found = this.resources.find((r) => r.type === type && r.name === name);
        if (!found) throw new Error(`no ${type} named ${name}; registered: ${this.resources.map((r) => `${r.type} ${r.name}`).join(", ")}`);
        return found;
    }
}

/** A RegisterResourceRequest's property dependencies: per input, the URNs of the resources its value comes from. */
export function propertyDependenciesOf(req: any): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        out[key] = deps.getUrnsList();
    });
    return out;
}

export function installMocks(project = "geostack", stack = "test"): ProviderMocks {
    const mocks = new ProviderMocks();
    pulumi.runtime.setMocks(mocks, project, stack, false);
    // The Mocks interface does not see resource options; read them off the request the SDK sends.
    const monitor = pulumi.runtime.getMonitor() as any;
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
        mocks.pendingOptions = {
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            protect: req.getProtect() ?? false,
            retainOnDelete: req.getRetainondelete() ?? false,
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            propertyDependencies: propertyDependenciesOf(req),
            provider: req.getProvider() ?? "",
        };
        return registerResource(req, callback);
    };
    return mocks;
}

/** Resolves an output to its value and whether it is secret. */
export function settle<T>(output: pulumi.Input<T>): Promise<{ value: T; secret: boolean }> {
    const out = pulumi.output(output);
    return new Promise((resolve) => {
        out.apply(async (value) => {
            resolve({ value: value as T, secret: await pulumi.isSecret(out) });
            return value;
        });
    });
}
