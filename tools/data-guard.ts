/**
 * Stops a deploy whose plan would delete or replace a data volume. Reads what `pulumi preview --json` prints (Pulumi's
 * PreviewDigest, pkg/display/json.go: `steps[]` of `{ op, urn, ... }`, ops as in pkg/resource/deploy/step.go) and
 * exits 1 with the reason when a step deletes or replaces a Docker volume: a PostgreSQL major bump (the old
 * cluster's volume leaves the program), a renamed stack or volume, a changed volume option. Such a change is made
 * by hand, after a backup (docs/operations.md), never by the deploy job.
 *
 *     pulumi preview --json > preview.json && npm run --silent data-guard -- preview.json
 */
import * as fs from "node:fs";

export const VOLUME_TYPE = "docker:index/volume:Volume";

/** The ops that end a volume, or stand for its replacement (Pulumi shows a replacement as several steps). */
const DESTRUCTIVE_OPS = new Set(["delete", "replace", "create-replacement", "delete-replaced", "import-replacement", "discard-replaced"]);

interface PreviewStep {
    op: string;
    urn: string;
    replaceReasons?: string[];
    oldState?: { type?: string; inputs?: Record<string, unknown>; retainOnDelete?: boolean; protect?: boolean };
    newState?: { type?: string };
}

/** A URN's resource type (the last of its type chain) and name. */
function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const types = (parts[2] ?? "").split("$");
    return { type: types[types.length - 1], name: parts[3] ?? "" };
}

/** Every step that would delete or replace a data volume, as one line each; empty when the plan keeps them all. */
export function dataAtStake(preview: { steps?: PreviewStep[] }): string[] {
    const found = new Map<string, string>();
    for (const step of preview.steps ?? []) {
        const { type, name } = parseUrn(step.urn);
        if (type !== VOLUME_TYPE || !DESTRUCTIVE_OPS.has(step.op)) continue;
        const volume = typeof step.oldState?.inputs?.name === "string" ? ` (Docker volume ${step.oldState.inputs.name})` : "";
        const why = step.replaceReasons?.length ? `, because ${step.replaceReasons.join(", ")} changed` : "";
        const action = step.op === "delete" ? "would delete" : "would replace";
        // One line per volume, however many steps a replacement takes.
        if (!found.has(step.urn)) found.set(step.urn, `${name}${volume} ${action} a data volume${why}`);
    }
    return [...found.values()];
}

/** Parses the preview's JSON (the CLI may print other lines before it) and judges it. */
export function judge(text: string): { ok: boolean; report: string } {
    const start = text.indexOf("{");
    if (start < 0) throw new Error("no JSON object in the preview output");
    const steps = dataAtStake(JSON.parse(text.slice(start)));
    if (steps.length === 0) return { ok: true, report: "Data guard: the plan deletes and replaces no data volume." };
    return {
        ok: false,
        report: [
            "Data guard: the deploy stops, the plan would lose data:",
            ...steps.map((s) => `- ${s}`),
            "Back up, then make this change by hand (docs/operations.md, upgrades), or revert it.",
        ].join("\n"),
    };
}

if (require.main === module) {
    const file = process.argv[2];
    if (!file) {
        console.error("usage: data-guard <preview.json>");
        process.exit(2);
    }
    const { ok, report } = judge(fs.readFileSync(file, "utf8"));
    console.log(report);
    if (!ok) console.log(`::error title=Data guard::${report.split("\n")[1].slice(2)}`);
    process.exit(ok ? 0 : 1);
}
