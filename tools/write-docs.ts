/**
 * `npm run docs`: writes the documentation that restates facts declared elsewhere, so that it cannot drift from them:
 * README.md's config table (from Pulumi.yaml) and outputs table (from index.ts and components/schema.json), and
 * docs/components.md (from components/schema.json). Plain TypeScript on node's built-ins and `yaml`, no import of the
 * program: it runs by node's own type stripping, and the unit tests call `generateDocs` to compare without writing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const README = "README.md";
export const COMPONENTS_DOC = "docs/components.md";
export const GENERATOR = "tools/write-docs.ts";

interface ConfigDecl {
    type: string;
    items?: { type: string };
    description?: string;
    default?: unknown;
}

interface SchemaProperty {
    type?: string;
    $ref?: string;
    items?: SchemaProperty;
    plain?: boolean;
    description?: string;
}

interface SchemaResource {
    description?: string;
    inputProperties?: Record<string, SchemaProperty>;
    requiredInputs?: string[];
    properties?: Record<string, SchemaProperty>;
}

interface Schema {
    name: string;
    description?: string;
    resources: Record<string, SchemaResource>;
}

const GEOSTACK_TOKEN = "geostack:index:GeoStack";

/**
 * Text for one Markdown table cell: on one line, pipes escaped, and `<...>` shown as written outside code spans
 * (where a renderer would take `<domain>` for an HTML tag).
 */
export function cell(text: string): string {
    return text
        .replace(/\s*\n\s*/g, " ")
        .split(/(`[^`]*`)/)
        .map((part) => (part.startsWith("`") ? part : part.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")))
        .join("")
        .replace(/\|/g, "\\|");
}

function table(header: string[], rows: string[][]): string {
    return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

function configType(decl: ConfigDecl): string {
    return decl.type === "array" ? `list of ${decl.items?.type ?? "string"}s` : decl.type;
}

function configDefault(decl: ConfigDecl): string {
    if (decl.default === undefined) return "(required)";
    if (decl.default === "") return '`""`';
    return `\`${typeof decl.default === "object" ? JSON.stringify(decl.default) : String(decl.default)}\``;
}

/** The config table: every key Pulumi.yaml declares, in its order. */
export function configTable(pulumiYaml: string): string {
    const config: Record<string, ConfigDecl> = parse(pulumiYaml).config ?? {};
    const rows = Object.entries(config).map(([key, decl]) => {
        if (!decl.description) throw new Error(`Pulumi.yaml: config key ${key} has no description`);
        return [`\`${key}\``, configType(decl), configDefault(decl), cell(decl.description)];
    });
    return table(["key", "type", "default", "description"], rows);
}

/** `export const <output> = geostack.<member>;` of the program, in order; any other export is an error. */
export function programOutputs(indexTs: string): { output: string; member: string }[] {
    const outputs: { output: string; member: string }[] = [];
    for (const line of indexTs.split("\n")) {
        if (!/^export\s/.test(line)) continue;
        const match = /^export const (\w+) = geostack\.(\w+);\s*$/.exec(line);
        if (!match) throw new Error(`index.ts: an export the outputs table cannot document (expected \`export const <name> = geostack.<member>;\`): ${line}`);
        outputs.push({ output: match[1], member: match[2] });
    }
    return outputs;
}

/** A GeoStack output is secret when its doc comment says "(secret)", as every password output's does. */
export function isSecretDescription(description: string): boolean {
    return description.includes("(secret)");
}

/** The outputs table: the program's outputs, described by the GeoStack member each one is. */
export function outputsTable(indexTs: string, schema: Schema): string {
    const properties = schema.resources[GEOSTACK_TOKEN]?.properties ?? {};
    const rows = programOutputs(indexTs).map(({ output, member }) => {
        const description = properties[member]?.description;
        if (!description)
            throw new Error(`components/schema.json: GeoStack output ${member} (program output ${output}) has no description; give it a doc comment`);
        return [`\`${output}\``, isSecretDescription(description) ? "yes" : "no", cell(description)];
    });
    return table(["output", "secret", "description"], rows);
}

function schemaType(property: SchemaProperty): string {
    if (property.type === "array") return `${schemaType(property.items ?? {})}[]`;
    if (property.$ref) return property.$ref.split("/").pop() ?? property.$ref;
    return property.type ?? "any";
}

const shortName = (token: string) => token.split(":").pop() ?? token;

/** The component API reference: every resource of the package schema, its description, inputs and outputs. */
export function componentsReference(schema: Schema): string {
    const sections = Object.entries(schema.resources).map(([token, resource]) => {
        const required = new Set(resource.requiredInputs ?? []);
        const inputs = Object.entries(resource.inputProperties ?? {}).map(([name, p]) => [
            `\`${name}\``,
            p.plain ? `${schemaType(p)}, plain` : schemaType(p),
            required.has(name) ? "yes" : "no",
            cell(p.description ?? ""),
        ]);
        const outputs = Object.entries(resource.properties ?? {}).map(([name, p]) => [`\`${name}\``, schemaType(p), cell(p.description ?? "")]);
        return [
            `## ${shortName(token)}`,
            "",
            `\`${token}\`: ${cell(resource.description ?? "")}`,
            "",
            "Inputs:",
            "",
            inputs.length ? table(["input", "type", "required", "description"], inputs) : "(none)",
            "",
            "Outputs:",
            "",
            outputs.length ? table(["output", "type", "description"], outputs) : "(none)",
            "",
        ].join("\n");
    });
    return [
        "# Component API reference",
        "",
        `<!-- Generated by \`npm run docs\` (${GENERATOR}) from components/schema.json: do not edit. -->`,
        "",
        `Generated from \`components/schema.json\`, which is inferred from the components' TypeScript types and doc comments:`,
        "do not edit this file. To change it, change the doc comments in `components/`, then run `npm run schema` and",
        "`npm run docs`.",
        "",
        `The \`${schema.name}\` package: ${cell(schema.description ?? "")}.`,
        "",
        "Every component takes `(name, args, opts)`. Inputs marked *plain* take literal values only; the others also take",
        "outputs of other resources. `number` inputs take whole numbers. Every output is always set, to an empty string",
        "when it does not apply. Child resource names, Docker names and how to pass secrets: [reuse.md](reuse.md).",
        "",
        ...sections,
    ].join("\n");
}

/** `text` with what stands between `<!-- <name>:start -->` and `<!-- <name>:end -->` replaced by `content`. */
export function replaceBetween(text: string, name: string, content: string, file = README): string {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from || text.indexOf(start, from + 1) >= 0) throw new Error(`${file}: expected one ${start} followed by one ${end}`);
    const note = `<!-- Generated by \`npm run docs\` (${GENERATOR}): edit ${name === "config" ? "Pulumi.yaml" : "the GeoStack doc comments and index.ts"} instead. -->`;
    return `${text.slice(0, from + start.length)}\n${note}\n${content}\n${text.slice(to)}`;
}

/** What each generated file must contain, by path relative to `root`. Reads the sources and the current README. */
export function generateDocs(root: string): Record<string, string> {
    const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
    const schema: Schema = JSON.parse(read("components/schema.json"));
    let readme = read(README);
    readme = replaceBetween(readme, "config", configTable(read("Pulumi.yaml")));
    readme = replaceBetween(readme, "outputs", outputsTable(read("index.ts"), schema));
    return { [README]: readme, [COMPONENTS_DOC]: componentsReference(schema) };
}

/** Writes the generated files that differ; returns their paths. */
export function writeDocs(root: string): string[] {
    const changed: string[] = [];
    for (const [file, content] of Object.entries(generateDocs(root))) {
        const target = path.join(root, file);
        if (fs.existsSync(target) && fs.readFileSync(target, "utf8") === content) continue;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
        changed.push(file);
    }
    return changed;
}

/** The directory holding Pulumi.yaml, upwards from the working directory (npm runs scripts in the package root). */
function projectRoot(start: string): string {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml in ${start} or any directory above it`);
    }
}

if (/write-docs\.[cm]?[jt]s$/.test(process.argv[1] ?? "")) {
    const changed = writeDocs(projectRoot(process.cwd()));
    console.log(changed.length ? `docs: wrote ${changed.join(", ")}` : "docs: up to date");
}
