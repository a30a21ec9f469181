import * as crypto from "node:crypto";
import { type CriticalPath, criticalPath } from "./critical-path";
import { isSecret, type RegisteredResource, reveal } from "./mocks";
import type { Deployed } from "./run";

/** What a secret value prints as. */
export const SECRET = "[secret]";

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface RenderedResource {
    /** Type chain and name: identifies the resource between two renders, as Pulumi's URN does. */
    key: string;
    type: string;
    name: string;
    /** The parent's name, or null at the top of the stack. */
    parent: string | null;
    protect: boolean;
    retainOnDelete: boolean;
    /**
     * The resources the engine creates before this one (its `dependsOn`, and every resource an input's value comes
     * from), by name.
     */
    waitsFor: string[];
    /** The inputs a reviewer cares about, secrets masked. */
    properties: Record<string, Value>;
    /**
     * Digests of what the properties leave out (secret values, env values, each input not shown, the ID of an image
     * shown by reference), keyed by property or input name, so that a diff can tell a change there without printing it.
     */
    hidden: Record<string, string>;
}

export interface Rendered {
    project: string;
    stack: string;
    resources: RenderedResource[];
    outputs: Record<string, Value>;
    /** The longest chain of a first `pulumi up`, estimated (tools/render/critical-path.ts). */
    criticalPath: CriticalPath;
}

const CONTAINER = "docker:index/container:Container";

/** Per type, the inputs shown (in this order); every other input only counts through its digest in `hidden`. */
const SHOWN_INPUTS: Record<string, string[]> = {
    [CONTAINER]: [
        "name",
        "image",
        "command",
        "entrypoints",
        "user",
        "workingDir",
        "envs",
        "labels",
        "networksAdvanced",
        "networkMode",
        "ports",
        "volumes",
        "mounts",
        "tmpfs",
        "uploads",
        "healthcheck",
        "memory",
        "memorySwap",
        "cpus",
        "cpuShares",
        "cpuSet",
        "shmSize",
        "restart",
        "privileged",
        "capabilities",
        "devices",
        "securityOpts",
        "readOnly",
        "publishAllPorts",
        "logDriver",
        "logOpts",
        "stopTimeout",
    ],
    "docker:index/volume:Volume": ["name", "driver", "driverOpts", "labels"],
    "docker:index/network:Network": ["name", "driver", "internal", "attachable", "ipamConfigs", "options", "labels"],
};

/** Container inputs that only steer the provider (how long to wait, how to stop), not the container Docker runs. */
const PROVIDER_ONLY_INPUTS: Record<string, string[]> = {
    [CONTAINER]: ["wait", "waitTimeout", "mustRun", "destroyGraceSeconds", "removeVolumes", "containerReadRefreshTimeoutMilliseconds"],
};

const RENAMED: Record<string, string> = { envs: "env", networksAdvanced: "networks" };

/** The provider input a rendered property (or `hidden` key) stands for: `env` is `envs`. */
export function inputNameOf(property: string): string {
    return Object.keys(RENAMED).find((input) => RENAMED[input] === property) ?? property;
}

export function digest(value: unknown): string {
    return crypto
        .createHash("sha256")
        .update(JSON.stringify(value) ?? "undefined")
        .digest("hex")
        .slice(0, 12);
}

/** Long or multi-line strings (scripts, certificates) print as a size and digest. */
function summarizeString(text: string): string {
    if (text.length <= 200 && !text.includes("\n")) return text;
    return `[${text.split("\n").length} lines, ${text.length} characters, sha256 ${digest(text)}]`;
}

/** A plain, deterministic copy of an input: secrets masked, object keys sorted, empty values dropped. */
export function display(value: unknown): Value | undefined {
    if (isSecret(value)) return SECRET;
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return summarizeString(value);
    if (typeof value === "number" || typeof value === "boolean") return value;
    if (Array.isArray(value)) return value.map((item) => display(item) ?? null);
    if (typeof value === "object") {
        const out: Record<string, Value> = {};
        for (const key of Object.keys(value).sort()) {
            const shown = display((value as any)[key]);
            if (shown !== undefined) out[key] = shown;
        }
        return out;
    }
    return String(value);
}

/** `[{ label, value }]` (or a secret list of them) as `{ label: value }`; a secret list keeps its labels, not its values. */
function labelMap(value: unknown): Value {
    const out: Record<string, Value> = {};
    for (const item of unwrap<unknown[]>(value) ?? []) {
        const entry = unwrap<{ label: unknown; value: unknown }>(item);
        const masked = isSecret(value) || isSecret(item);
        out[text(entry.label)] = masked ? SECRET : (display(entry.value) ?? "");
    }
    return Object.fromEntries(
        Object.keys(out)
            .sort()
            .map((k) => [k, out[k]]),
    );
}

/** One level of secret marker removed; secrets nested deeper keep theirs. */
function unwrap<T>(value: unknown): T {
    return (isSecret(value) ? value.value : value) as T;
}

function text(value: unknown): string {
    return isSecret(value) ? SECRET : String(reveal(value));
}

/** Renderers for inputs whose provider shape reads poorly; the rest go through `display`. */
const FORMATTERS: Record<string, (value: unknown) => Value> = {
    // Keys only: values may hold secrets, and a secret env list hides which ones.
    envs: (value) =>
        reveal<string[]>(value)
            .map((entry) => entry.split("=")[0])
            .sort(),
    labels: labelMap,
    networksAdvanced: (value) =>
        reveal<any[]>(value).map((network) => {
            const aliases: string[] = network.aliases ?? [];
            return `${network.name}${aliases.length ? ` (aliases: ${aliases.join(", ")})` : ""}`;
        }),
    // An IPv6 address in brackets, as in a URL: [::]:80.
    ports: (value) =>
        reveal<any[]>(value).map((port) => {
            const ip: string = port.ip ?? "0.0.0.0";
            return `${ip.includes(":") ? `[${ip}]` : ip}:${port.external ?? "(random)"} -> ${port.internal}/${port.protocol ?? "tcp"}`;
        }),
    volumes: (value) => {
        const out: Record<string, Value> = {};
        for (const volume of reveal<any[]>(value)) {
            const source = volume.volumeName
                ? `volume ${volume.volumeName}`
                : volume.hostPath
                  ? `host path ${volume.hostPath}`
                  : volume.fromContainer
                    ? `volumes of container ${volume.fromContainer}`
                    : "anonymous volume";
            out[volume.containerPath ?? "(none)"] = `${source}${volume.readOnly ? " (read-only)" : ""}`;
        }
        return out;
    },
    mounts: (value) => {
        const out: Record<string, Value> = {};
        for (const mount of reveal<any[]>(value)) {
            out[mount.target] = `${mount.type} ${mount.source ?? ""}${mount.readOnly ? " (read-only)" : ""}`.replace(/ +/g, " ").trim();
        }
        return out;
    },
    uploads: (value) => {
        const out: Record<string, Value> = {};
        // A list holding a password file is secret as a whole: its files and modes are shown, no content's digest.
        const secret = containsSecret(value);
        for (const upload of reveal<any[]>(value)) {
            const content = upload.content ?? upload.contentBase64 ?? upload.source;
            const mode = upload.permissions ? `, mode ${upload.permissions}` : upload.executable ? ", executable" : "";
            const owner = upload.owner ? `, owner ${upload.owner}:${upload.group ?? upload.owner}` : "";
            out[upload.file] = `${secret ? SECRET : `sha256 ${digest(content)}`}${mode}${owner}`;
        }
        return out;
    },
    healthcheck: (value) => {
        const check = display(value) as Record<string, Value>;
        return Array.isArray(check.tests) ? { ...check, tests: check.tests.join(" ") } : check;
    },
};

function containsSecret(value: unknown): boolean {
    if (isSecret(value)) return true;
    if (Array.isArray(value)) return value.some(containsSecret);
    return typeof value === "object" && value !== null && Object.values(value).some(containsSecret);
}

/** Formatters that read a secret list safely (they print its keys, never its values). */
const READS_SECRET_LISTS = new Set(["envs", "labels", "uploads"]);

/** A registered resource as the render reads it: a container may run an image shown by reference, with its real ID. */
type ToRender = RegisteredResource & { imageId?: unknown };

function renderInputs(resource: ToRender): Pick<RenderedResource, "properties" | "hidden"> {
    const inputs = resource.inputs ?? {};
    const shown = SHOWN_INPUTS[resource.type] ?? Object.keys(inputs).sort();
    const properties: Record<string, Value> = {};
    const hidden: Record<string, string> = {};
    for (const key of shown) {
        const value = inputs[key];
        if (value === undefined || value === null) continue;
        const name = RENAMED[key] ?? key;
        const formatter = FORMATTERS[key] as ((value: unknown) => Value) | undefined;
        const formatted = formatter && (READS_SECRET_LISTS.has(key) || !containsSecret(value));
        properties[name] = formatted ? formatter(value) : (display(value) ?? null);
        // What the property leaves out still counts in a diff, through a digest of the whole value.
        if (key === "envs" || containsSecret(value)) hidden[name] = digest(reveal(value));
    }
    const skipped = new Set([...shown, ...(PROVIDER_ONLY_INPUTS[resource.type] ?? [])]);
    for (const key of Object.keys(inputs).sort()) {
        if (!skipped.has(key) && inputs[key] !== undefined) hidden[key] = digest(reveal(inputs[key]));
    }
    // The image shows as the reference it was pulled or built from; a new build or pull changes only its ID.
    if (resource.imageId !== undefined) hidden.image = digest(reveal(resource.imageId));
    return { properties, hidden };
}

/** Every registered resource, parents before children, siblings by name then type. */
export function renderResources(registered: ToRender[]): RenderedResource[] {
    const byUrn = new Map(registered.map((r) => [r.urn, r]));
    const keyOf = (r: ToRender): string => {
        const parent = byUrn.get(r.options.parent);
        return parent ? `${keyOf(parent).split("::")[0]}$${r.type}::${r.name}` : `${r.type}::${r.name}`;
    };
    const children = (parentUrn: string | undefined): ToRender[] =>
        registered
            .filter((r) => (byUrn.has(r.options.parent) ? r.options.parent === parentUrn : parentUrn === undefined))
            .sort((a, b) => a.name.localeCompare(b.name, "en") || a.type.localeCompare(b.type, "en"));
    const ordered: ToRender[] = [];
    const visit = (parentUrn: string | undefined): void => {
        for (const r of children(parentUrn)) {
            ordered.push(r);
            visit(r.urn);
        }
    };
    visit(undefined);
    return ordered.map((r) => ({
        key: keyOf(r),
        type: r.type,
        name: r.name,
        parent: byUrn.get(r.options.parent)?.name ?? null,
        protect: r.options.protect,
        retainOnDelete: r.options.retainOnDelete,
        waitsFor: [...new Set(r.options.dependencies.map((urn) => byUrn.get(urn)?.name ?? urn))].sort(),
        ...renderInputs(r),
    }));
}

export function renderOutputs(outputs: Deployed["outputs"]): Record<string, Value> {
    return Object.fromEntries(
        Object.keys(outputs)
            .sort()
            .map((name) => [name, outputs[name].secret ? SECRET : (display(outputs[name].value) ?? null)]),
    );
}

/**
 * Absolute paths rewritten, each relocation in turn: e.g. the compiled program's directory to the project's, then the
 * project's to `.`, so that two checkouts in different places render alike (a Docker build context, say).
 */
export type Relocations = [from: string, to: string][];

export function relocate<T>(value: T, relocations: Relocations): T {
    if (typeof value === "string") {
        let text: string = value;
        for (const [from, to] of relocations) {
            if (text === from) text = to;
            else if (text.startsWith(`${from}/`)) text = `${to}${text.slice(from.length)}`;
        }
        return text as T;
    }
    if (Array.isArray(value)) return value.map((item) => relocate(item, relocations)) as T;
    if (typeof value === "object" && value !== null) {
        // Keeps the secret marker objects as they are, with their value relocated.
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relocate(v, relocations)])) as T;
    }
    return value;
}

export function render(project: string, stack: string, deployed: Deployed, relocations: Relocations = []): Rendered {
    // Containers run images by ID; a reviewer reads the reference the ID stands for.
    const pulledFrom = new Map([
        ...deployed.mocks
            .ofType("docker:index/remoteImage:RemoteImage")
            .map((r) => [String(reveal(r.state.imageId)), `${reveal(r.inputs.name)} (by image ID)`]),
        ...deployed.mocks
            .ofType("docker-build:index:Image")
            // With the ID: the mocks derive it from the build's inputs, so a diff shows the container replaced when they change.
            .map((r) => [
                String(reveal(r.state.digest)),
                `${reveal(r.inputs.tags)?.[0]} (built here, image ID ${String(reveal(r.state.digest)).slice(0, 19)})`,
            ]),
    ] as [string, string][]);
    const resources = deployed.mocks.resources.map((r) => {
        const inputs = relocate(r.inputs, relocations);
        const image = r.type === "docker:index/container:Container" && pulledFrom.get(String(reveal(inputs.image)));
        // docker-build rebuilds when the files of the context change, which its inputs do not show: its hash does.
        if (r.type === "docker-build:index:Image") return { ...r, inputs: { ...inputs, contextHash: r.state.contextHash } };
        return image ? { ...r, inputs: { ...inputs, image }, imageId: inputs.image } : { ...r, inputs };
    });
    const outputs = Object.fromEntries(Object.entries(deployed.outputs).map(([name, o]) => [name, { ...o, value: relocate(o.value, relocations) }]));
    return { project, stack, resources: renderResources(resources), outputs: renderOutputs(outputs), criticalPath: criticalPath(deployed.mocks.resources) };
}

/** A value as indented text lines: lists as `- item`, maps as `key: value`. */
export function valueLines(value: Value, indent: string): string[] {
    if (Array.isArray(value)) {
        if (value.length === 0) return [`${indent}(none)`];
        return value.flatMap((item) => {
            if (item !== null && typeof item === "object") {
                const [first, ...rest] = valueLines(item, `${indent}  `);
                return [`${indent}- ${first.trimStart()}`, ...rest];
            }
            return [`${indent}- ${scalar(item)}`];
        });
    }
    if (value !== null && typeof value === "object") {
        const keys = Object.keys(value);
        if (keys.length === 0) return [`${indent}(none)`];
        return keys.flatMap((key) => entryLines(key, value[key], indent));
    }
    return [`${indent}${scalar(value)}`];
}

function entryLines(key: string, value: Value, indent: string): string[] {
    if (value !== null && typeof value === "object" && (Array.isArray(value) ? value.length : Object.keys(value).length)) {
        return [`${indent}${key}:`, ...valueLines(value, `${indent}  `)];
    }
    return [`${indent}${key}: ${valueLines(value, "")[0]}`];
}

function scalar(value: Value): string {
    return value === "" ? '""' : value === null ? "null" : String(value);
}

/** The render as text for people: one block per resource, then the outputs. */
export function formatText(rendered: Rendered): string {
    const lines = [
        `Stack ${rendered.project}/${rendered.stack}: ${rendered.resources.length} resources (desired state, rendered offline; secrets print as ${SECRET}, env values never)`,
    ];
    for (const r of rendered.resources) {
        lines.push("", `${r.type}  ${r.name}`);
        if (r.parent) lines.push(`  parent: ${r.parent}`);
        if (r.protect) lines.push("  protect: true");
        if (r.retainOnDelete) lines.push("  retainOnDelete: true");
        if (r.waitsFor.length) lines.push(`  waits for: ${r.waitsFor.join(", ")}`);
        for (const [key, value] of Object.entries(r.properties)) lines.push(...entryLines(key, value, "  "));
    }
    lines.push("", "Outputs");
    for (const [key, value] of Object.entries(rendered.outputs)) lines.push(...entryLines(key, value, "  "));
    lines.push("", ...criticalPathLines(rendered.criticalPath));
    return `${lines.join("\n")}\n`;
}

/** The critical path as text: one line per step, its estimate, then the totals. */
export function criticalPathLines(path: CriticalPath): string[] {
    const lines = ["Critical path of a first `pulumi up` (estimated; resources off it run beside it)"];
    for (const step of path.steps) {
        const giveUp = step.giveUpSeconds ? `; gives up after ${step.giveUpSeconds} s` : "";
        lines.push(`  ${String(Math.round(step.seconds)).padStart(4)} s  ${step.name} (${step.type.split(":").pop()}): ${step.what}${giveUp}`);
    }
    lines.push(`  about ${Math.round(path.seconds)} s in all`);
    const failure = path.slowestFailure;
    if (failure) lines.push(`  slowest to fail: ${failure.name} never turning healthy stops \`pulumi up\` after ${Math.round(failure.seconds)} s`);
    return lines;
}

export function formatJson(rendered: Rendered): string {
    return `${JSON.stringify(rendered, null, 2)}\n`;
}
