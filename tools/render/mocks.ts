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
    /** Resource options as sent to the engine (`provider`: an explicit provider's reference, "" for the default one). */
    options: { protect: boolean; retainOnDelete: boolean; parent: string; dependencies: string[]; provider: string };
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
 * Mocks that behave like the providers where the program reads their outputs: generated passwords come back
 * secret (as `additionalSecretOutputs` makes them), Docker auto-names resources without a `name`, and images get
 * digests derived from what was built.
 */
export class ProviderMocks implements pulumi.runtime.Mocks {
    readonly resources: RegisteredResource[] = [];
    /** Every secret value the mocks generated (passwords, their hashes): tests check that none leaks into output. */
    readonly generatedSecrets: string[] = [];
    /** Set by `installMocks` just before the engine request reaches `newResource` (the mock monitor calls it synchronously). */
    pendingOptions?: RegisteredResource["options"] & { urn: string };

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
        const id = digest(args.type, args.name).slice(0, 24);
        if (!this.pendingOptions) throw new Error("use installMocks(): the mocks need the engine request to record options");
        const { urn, ...options } = this.pendingOptions;
        this.pendingOptions = undefined;
        const state: Record<string, any> = { ...args.inputs };
        // The provider uploads before the first start through Docker's archive API at "/", which Docker refuses on a
        // read-only root filesystem (moby daemon/archive_unix.go, checkWritablePath): the create fails.
        if (args.type === "docker:index/container:Container" && reveal(args.inputs.readOnly) && reveal<unknown[]>(args.inputs.uploads ?? []).length > 0) {
            throw new Error(`${args.name}: Unable to upload volume content: Error response from daemon: container rootfs is marked read-only`);
        }
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
