import PROVIDER_SCHEMA from "./provider-schema.json";
import { inputNameOf, type Rendered, type RenderedResource, type Value, valueLines } from "./render";

export type ChangeKind = "replace" | "remove" | "update" | "add";

export interface PropertyChange {
    path: string;
    before?: Value;
    after?: Value;
    /** Said instead of the values when they are not in the render (secret, env values, inputs not shown). */
    note?: string;
}

export interface ResourceChange {
    kind: ChangeKind;
    /** The resource as the change leaves it (as it was, for a removal). */
    resource: RenderedResource;
    changes: PropertyChange[];
    /** A data volume removed or replaced: whatever it holds is gone from the stack's point of view. */
    dataLoss: boolean;
    /** A container replaced: Docker stops and removes it before it starts the new one. */
    downtime: boolean;
    notes: string[];
}

export interface StackDiff {
    stack: string;
    resources: ResourceChange[];
    outputs: PropertyChange[];
    /** The estimated seconds of a first `pulumi up` (its critical path) at the base and with the change. */
    firstUpSeconds: { before?: number; after?: number };
}

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";

/** Not provider inputs: changing them touches only Pulumi's state (or, for waitsFor, the order of creation). */
const STATE_ONLY = new Set(["parent", "protect", "retainOnDelete", "waitsFor"]);

/**
 * What a change to one input does, by the provider's schema (provider-schema.json, derived from it by
 * derive-provider-schema.ts): the resource is replaced, or updated, and for a container whether the update reaches the
 * running container or only the provider's state. Every input of the random provider's resources requires replacement.
 */
export type Effect = "replace" | "applied" | "state only";

export function effectOf(type: string, path: string): Effect {
    // Map keys (`labels["traefik.enable"]`) and list items do not matter: only the schema's object fields do.
    const [root, ...fields] = path.replace(/\[[^\]]*\]/g, "").split(".");
    const inputPath = [inputNameOf(root), ...fields].join(".");
    if (type.startsWith("random:")) return "replace";
    const schema = (PROVIDER_SCHEMA.resources as Record<string, { replacedOnChange: string[]; appliedInPlace?: string[] }>)[type];
    if (schema === undefined) return "applied";
    const replaces = schema.replacedOnChange.some(
        (replacing) => inputPath === replacing || inputPath.startsWith(`${replacing}.`) || replacing.startsWith(`${inputPath}.`),
    );
    if (replaces) return "replace";
    if (type === CONTAINER && !schema.appliedInPlace?.includes(inputPath.split(".")[0])) return "state only";
    return "applied";
}

const SEVERITY: ChangeKind[] = ["replace", "remove", "update", "add"];

const propertyKey = (segment: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `.${segment}` : `["${segment}"]`);

/** Compares two values, descending into maps so that one changed label is one row. */
function compareValues(path: string, before: Value | undefined, after: Value | undefined, out: PropertyChange[]): void {
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    const isMap = (v: Value | undefined): v is Record<string, Value> => v !== null && typeof v === "object" && !Array.isArray(v);
    if (isMap(before) && isMap(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        for (const key of keys) compareValues(`${path}${propertyKey(key)}`, before[key], after[key], out);
        return;
    }
    out.push({ path, before, after });
}

function comparable(resource: RenderedResource): Record<string, Value> {
    return { parent: resource.parent, protect: resource.protect, retainOnDelete: resource.retainOnDelete, waitsFor: resource.waitsFor, ...resource.properties };
}

function compareResources(before: RenderedResource, after: RenderedResource): PropertyChange[] {
    const changes: PropertyChange[] = [];
    const a = comparable(before);
    const b = comparable(after);
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) compareValues(key, a[key], b[key], changes);
    for (const key of [...new Set([...Object.keys(before.hidden), ...Object.keys(after.hidden)])].sort()) {
        if (before.hidden[key] === after.hidden[key]) continue;
        const visible = changes.some((c) => c.path === key || c.path.startsWith(`${key}.`) || c.path.startsWith(`${key}[`));
        if (visible) continue;
        const shown = key in before.properties || key in after.properties;
        changes.push({
            path: key,
            note:
                key === "image"
                    ? "the image ID changes (a new build or a new pull of the same reference)"
                    : shown
                      ? "values changed (not shown: they may hold secrets)"
                      : "changed (an input the render does not show)",
        });
    }
    return changes;
}

function rootOf(path: string): string {
    return path.split(/[.[]/)[0];
}

function effects(resource: RenderedResource, changes: PropertyChange[]): Effect[] {
    return changes.filter((c) => !STATE_ONLY.has(rootOf(c.path))).map((c) => effectOf(resource.type, c.path));
}

function notesFor(
    kind: ChangeKind,
    before: RenderedResource | undefined,
    after: RenderedResource,
    changes: PropertyChange[] = [],
): { dataLoss: boolean; downtime: boolean; notes: string[] } {
    const notes: string[] = [];
    const dataLoss = after.type === VOLUME && (kind === "replace" || kind === "remove");
    const downtime = after.type === CONTAINER && kind === "replace";
    const stateOnly = changes.filter((c) => !STATE_ONLY.has(rootOf(c.path)) && effectOf(after.type, c.path) === "state only").map((c) => code(c.path));
    if (dataLoss) {
        notes.push(
            kind === "replace"
                ? "Docker volumes cannot change in place: a new, empty volume replaces this one."
                : "The volume is deleted with everything in it.",
        );
        if (before?.protect) notes.push("It is protected: `pulumi up` refuses until `pulumi state unprotect` is run on it.");
        if (before?.retainOnDelete) notes.push("With retainOnDelete the old volume stays on the Docker host, but the stack no longer uses it.");
    } else if (downtime) {
        const replacing = changes.filter((c) => effectOf(after.type, c.path) === "replace").map((c) => code(c.path));
        notes.push(`Docker must recreate this container for ${replacing.join(", ")}: it is stopped, removed and started anew (downtime).`);
    } else if (kind === "update" && stateOnly.length > 0) {
        notes.push(
            `The provider records ${stateOnly.join(", ")} in the state but does not change the running container: it takes effect only when the container is next recreated.`,
        );
    } else if (kind === "replace" && after.type.startsWith("random:")) {
        notes.push("A new value is generated; anything that stored the old one (a database initialised with a password) keeps the old.");
    } else if (kind === "replace") {
        notes.push("The provider creates a new resource and deletes the old one.");
    }
    return { dataLoss, downtime, notes };
}

/** What changes between the render of the base and the render of this change; a missing stack renders as nothing. */
export function diffRenders(stack: string, base: Rendered | null, head: Rendered | null): StackDiff {
    const before = new Map((base?.resources ?? []).map((r) => [r.key, r]));
    const after = new Map((head?.resources ?? []).map((r) => [r.key, r]));
    const resources: ResourceChange[] = [];
    for (const [key, resource] of after) {
        const old = before.get(key);
        if (!old) {
            resources.push({ kind: "add", resource, changes: [], dataLoss: false, downtime: false, notes: [] });
            continue;
        }
        const changes = compareResources(old, resource);
        if (changes.length === 0) continue;
        const kind: ChangeKind = effects(resource, changes).includes("replace") ? "replace" : "update";
        resources.push({ kind, resource, changes, ...notesFor(kind, old, resource, changes) });
    }
    for (const [key, resource] of before) {
        if (!after.has(key)) resources.push({ kind: "remove", resource, changes: [], ...notesFor("remove", resource, resource) });
    }
    resources.sort((a, b) => Number(b.dataLoss) - Number(a.dataLoss) || SEVERITY.indexOf(a.kind) - SEVERITY.indexOf(b.kind));
    const outputs: PropertyChange[] = [];
    compareValues("", (base?.outputs ?? {}) as Value, (head?.outputs ?? {}) as Value, outputs);
    return {
        stack,
        resources,
        outputs: outputs.map((c) => ({ ...c, path: c.path.replace(/^\./, "").replace(/^\["(.*)"\]$/, "$1") })),
        firstUpSeconds: { before: base?.criticalPath.seconds, after: head?.criticalPath.seconds },
    };
}

/** Inline code that survives backticks in the value (traefik rules) and pipes in a table cell. */
export function code(text: string): string {
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    const padded = text.startsWith("`") || text.endsWith("`") ? ` ${text} ` : text;
    return `${fence}${padded}${fence}`.replace(/\|/g, "\\|");
}

function cell(value: Value | undefined): string {
    if (value === undefined) return "(none)";
    return code(typeof value === "string" ? value : JSON.stringify(value));
}

/** Lists of plain values show what left and what came; anything else shows both values. */
function changeCells(change: PropertyChange): [string, string] {
    if (change.note) return ["", change.note];
    const { before, after } = change;
    if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].every((v) => v === null || typeof v !== "object")) {
        const removed = before.filter((v) => !after.some((w) => JSON.stringify(w) === JSON.stringify(v)));
        const added = after.filter((v) => !before.some((w) => JSON.stringify(w) === JSON.stringify(v)));
        if (removed.length || added.length) {
            return [removed.length ? `removed: ${removed.map(cell).join(", ")}` : "", added.length ? `added: ${added.map(cell).join(", ")}` : ""];
        }
    }
    return [cell(before), cell(after)];
}

const TITLES: Record<ChangeKind, string> = { replace: "Replace", remove: "Remove", update: "Update", add: "Add" };

function resourceSection(change: ResourceChange, baseLabel: string): string[] {
    const r = change.resource;
    const named = typeof r.properties.name === "string" && r.properties.name !== r.name ? `, named ${code(r.properties.name)}` : "";
    const title = `${TITLES[change.kind]} ${code(r.name)} (${code(r.type)}${named})`;
    const lines = [change.dataLoss ? `#### ⚠️ **${title}: DATA LOSS**` : `#### ${title}`, ""];
    if (change.notes.length) lines.push(change.dataLoss ? `**${change.notes.join(" ")}**` : change.notes.join(" "), "");
    if (change.changes.length) {
        lines.push(`| property | ${baseLabel} | this change |`, "| --- | --- | --- |");
        for (const c of change.changes) {
            const [before, after] = changeCells(c);
            lines.push(`| ${code(c.path)} | ${before} | ${after} |`);
        }
        lines.push("");
    } else if (change.kind === "add" || change.kind === "remove") {
        const body = Object.entries(r.properties).flatMap(([key, value]) => valueLines({ [key]: value }, ""));
        if (r.parent) body.unshift(`parent: ${r.parent}`);
        if (r.protect) body.push("protect: true");
        if (r.retainOnDelete) body.push("retainOnDelete: true");
        if (body.length) lines.push("<details><summary>properties</summary>", "", "```", ...body, "```", "", "</details>", "");
    }
    return lines;
}

function count(diff: StackDiff, kind: ChangeKind): number {
    return diff.resources.filter((r) => r.kind === kind).length;
}

/** Markdown for a pull request comment or a job summary. */
export function formatMarkdown(diff: StackDiff, baseRef: string): string {
    const baseLabel = code(baseRef);
    if (diff.resources.length === 0 && diff.outputs.length === 0) {
        return `### Stack ${code(diff.stack)}: no changes\n\nThe render of this change and the render of ${baseLabel} are identical.\n`;
    }
    const counts = SEVERITY.map((kind) => `${count(diff, kind)} to ${kind}`).join(", ");
    const lines = [`### Stack ${code(diff.stack)}: ${counts}`, ""];
    const named = (r: ResourceChange) => code(String(r.resource.properties.name ?? r.resource.name));
    const lost = diff.resources.filter((r) => r.dataLoss);
    if (lost.length) {
        lines.push(`> ⚠️ **Data loss: ${lost.map(named).join(", ")} ${lost.length === 1 ? "is" : "are"} removed or replaced.**`, "");
    }
    const down = diff.resources.filter((r) => r.downtime);
    if (down.length) {
        lines.push(`> ⏸️ **Downtime: ${down.map(named).join(", ")} ${down.length === 1 ? "is" : "are"} recreated (stopped, removed, started anew).**`, "");
    }
    const { before, after } = diff.firstUpSeconds;
    if (before !== undefined && after !== undefined && Math.round(before) !== Math.round(after)) {
        lines.push(`The critical path of a first \`pulumi up\` (estimated) goes from about ${Math.round(before)} s to about ${Math.round(after)} s.`, "");
    }
    for (const change of diff.resources) lines.push(...resourceSection(change, baseLabel));
    if (diff.outputs.length) {
        lines.push("#### Outputs", "", `| output | ${baseLabel} | this change |`, "| --- | --- | --- |");
        for (const c of diff.outputs) {
            const [before, after] = changeCells(c);
            lines.push(`| ${code(c.path)} | ${before} | ${after} |`);
        }
        lines.push("");
    }
    return `${lines.join("\n")}\n`;
}
