/**
 * `npm run drift -- --stack <name>`: has the Docker host drifted from what the last `pulumi up` left? Runs two real
 * previews of the stack through the Automation API (the Pulumi CLI, the stack's backend, its Docker host): one as
 * the state stands, one with `--refresh`, which first reads every resource back from the host. What only the second
 * would change is drift (a container changed, stopped or removed by hand, a volume deleted); what both would change
 * is code merged but not deployed yet. Prints a Markdown report; exits 0 without drift, 1 with drift, 2 when the
 * check could not run.
 */
import * as util from "node:util";
import { type EngineEvent, LocalWorkspace, type StepEventMetadata } from "@pulumi/pulumi/automation";
import { findProjectDir } from "./render/stack-config";

/** Steps that change nothing on the host. */
const UNCHANGED = new Set(["same", "read", "refresh", "discard", "discard-replaced", "remove-pending-replace"]);

export interface Change {
    name: string;
    type: string;
    op: string;
    /** The properties that differ (the keys that force a replacement first). */
    properties: string[];
}

/** The changes a preview's steps would make, once per resource (a replacement shows as several steps). */
export function changesOf(steps: StepEventMetadata[]): Change[] {
    const byUrn = new Map<string, Change>();
    for (const step of steps) {
        if (UNCHANGED.has(step.op) || step.type === "pulumi:pulumi:Stack") continue;
        const op = step.op.endsWith("-replacement") || step.op === "delete-replaced" ? "replace" : step.op;
        const properties = [...new Set([...(step.keys ?? []), ...(step.diffs ?? []), ...Object.keys(step.detailedDiff ?? {})])];
        const known = byUrn.get(step.urn);
        byUrn.set(step.urn, {
            name: step.urn.split("::").pop()!,
            type: step.type,
            op: known?.op === "replace" ? "replace" : op,
            properties: [...new Set([...(known?.properties ?? []), ...properties])].sort(),
        });
    }
    return [...byUrn.values()].sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
}

const key = (c: Change) => `${c.type}::${c.name}::${c.op}::${c.properties.join(",")}`;

function explain(change: Change): string {
    const volume = change.type === "docker:index/volume:Volume";
    switch (change.op) {
        case "create":
            return volume
                ? "**gone from the host: `up` would create an empty volume. Restore its data from a backup.**"
                : "gone from the host: `up` would create it again";
        case "delete":
            return "on the host, not in the code: `up` would delete it";
        case "replace":
            return "changed on the host: `up` would recreate it as the code has it";
        default:
            return "changed on the host: `up` would set it back as the code has it";
    }
}

function rows(changes: Change[], explainOf: (c: Change) => string): string[] {
    return [
        "| resource | type | differs in | |",
        "| --- | --- | --- | --- |",
        ...changes.map((c) => `| \`${c.name}\` | \`${c.type}\` | ${c.properties.map((p) => `\`${p}\``).join(", ") || "(whole resource)"} | ${explainOf(c)} |`),
    ];
}

/** The report, from the steps of a preview as the state stands and of a preview with `--refresh`. */
export function driftReport(stack: string, asRecorded: StepEventMetadata[], refreshed: StepEventMetadata[]): { drifted: boolean; markdown: string } {
    const pending = changesOf(asRecorded);
    const pendingKeys = new Set(pending.map(key));
    const drift = changesOf(refreshed).filter((c) => !pendingKeys.has(key(c)));
    const lines: string[] = [];
    if (drift.length === 0) {
        lines.push(`### Stack \`${stack}\`: no drift`, "", "Every resource on the Docker host is as the last `pulumi up` left it.");
    } else {
        lines.push(`### Stack \`${stack}\`: ${drift.length} resource${drift.length === 1 ? "" : "s"} drifted on the Docker host`, "");
        lines.push(...rows(drift, explain), "");
        lines.push(
            "To reconcile (docs/operations.md, Drift): if the change on the host was a mistake,",
            "deploy again (`pulumi up --refresh`, or Actions → Deploy prod), which puts the code's state back; if it was",
            "wanted, make it in the code or the stack config, merge, then deploy.",
        );
    }
    if (pending.length) {
        lines.push("", `Merged but not deployed yet (not drift): ${pending.map((c) => `\`${c.name}\` (${c.op})`).join(", ")}.`);
    }
    return { drifted: drift.length > 0, markdown: `${lines.join("\n")}\n` };
}

async function previewSteps(stackName: string, workDir: string, refresh: boolean): Promise<StepEventMetadata[]> {
    const stack = await LocalWorkspace.selectStack({ stackName, workDir });
    const steps: StepEventMetadata[] = [];
    const onEvent = (event: EngineEvent) => {
        if (event.resourcePreEvent) steps.push(event.resourcePreEvent.metadata);
    };
    await stack.preview({ refresh, onEvent, color: "never" });
    return steps;
}

async function main(argv: string[]): Promise<number> {
    const { values } = util.parseArgs({ args: argv, options: { stack: { type: "string" } } });
    if (!values.stack) {
        process.stderr.write("usage: npm run drift -- --stack <name>\n");
        return 2;
    }
    const workDir = findProjectDir();
    try {
        const asRecorded = await previewSteps(values.stack, workDir, false);
        const refreshed = await previewSteps(values.stack, workDir, true);
        const { drifted, markdown } = driftReport(values.stack, asRecorded, refreshed);
        process.stdout.write(markdown);
        return drifted ? 1 : 0;
    } catch (err) {
        process.stdout.write(
            `### Stack \`${values.stack}\`: the drift check could not run\n\n\`\`\`\n${err instanceof Error ? err.message : String(err)}\n\`\`\`\n`,
        );
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
