// The documentation a newcomer reads first: the README's tables and the component reference restate Pulumi.yaml,
// index.ts and components/schema.json, so they are generated (`npm run docs`) and must be what the generator makes;
// the README stays a front door; and no page links to a file or heading that is not there.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMPONENTS_DOC, generateDocs, README } from "../../tools/write-docs";
import { readYaml, ROOT } from "../support/harness";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const generated = generateDocs(ROOT);
const readme = read(README);
const pages = [
    README,
    ...fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((file) => file.endsWith(".md"))
        .map((file) => `docs/${file}`),
];

/** The table rows between `<!-- <name>:start -->` and `<!-- <name>:end -->`, as cells, without the header. */
function tableRows(text: string, name: string): string[][] {
    const region = text.slice(text.indexOf(`<!-- ${name}:start -->`), text.indexOf(`<!-- ${name}:end -->`));
    return region
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) =>
            line
                .split(/(?<!\\)\|/)
                .slice(1, -1)
                .map((c) => c.trim()),
        );
}

describe("generated documentation", () => {
    it("the README's config and outputs tables are what `npm run docs` writes (from Pulumi.yaml, index.ts and the schema)", () => {
        expect(readme, "README.md is stale: run `npm run docs`").toBe(generated[README]);
    });

    it("docs/components.md is what `npm run docs` writes from components/schema.json", () => {
        expect(fs.existsSync(path.join(ROOT, COMPONENTS_DOC)), `${COMPONENTS_DOC} is missing: run \`npm run docs\``).toBe(true);
        expect(read(COMPONENTS_DOC), `${COMPONENTS_DOC} is stale: run \`npm run docs\``).toBe(generated[COMPONENTS_DOC]);
    });

    it("the README documents every config key and every stack output", () => {
        const keys = Object.keys(readYaml("Pulumi.yaml").config);
        const outputs = [...read("index.ts").matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
        expect(tableRows(readme, "config").map(([key]) => key)).toEqual(keys.map((key) => `\`${key}\``));
        expect(tableRows(readme, "outputs").map(([output]) => output)).toEqual(outputs.map((output) => `\`${output}\``));
    });

    it("marks exactly the password outputs secret", () => {
        const secret = tableRows(readme, "outputs")
            .filter(([, isSecret]) => isSecret === "yes")
            .map(([output]) => output);
        const passwords = tableRows(readme, "outputs")
            .map(([output]) => output)
            .filter((output) => /Password`$/.test(output));
        expect(secret).toEqual(passwords);
        expect(passwords.length).toBeGreaterThan(0);
    });
});

describe("README", () => {
    it("is a front door, under 250 lines", () => {
        expect(readme.trimEnd().split("\n").length).toBeLessThan(250);
    });

    it("deploys dev with the state in the checkout, and no project file overrides a user's `pulumi login`", () => {
        // The CLI takes PULUMI_BACKEND_URL, else a project's backend.url, else the login (GetCurrentCloudURL).
        for (const file of ["Pulumi.yaml", "examples/postgis-only-ts/Pulumi.yaml", "examples/geostack-yaml/Pulumi.yaml"]) {
            expect(readYaml(file).backend, file).toBeUndefined();
        }
        const deploy = readme.slice(readme.indexOf("## Deploy the dev stack"));
        const block = deploy.slice(deploy.indexOf("```bash"), deploy.indexOf("```", deploy.indexOf("```bash") + 3));
        const lines = block.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim());
        expect(lines).toContain("export PULUMI_BACKEND_URL=file://.");
        expect(lines.indexOf("export PULUMI_BACKEND_URL=file://.")).toBeLessThan(lines.indexOf("pulumi stack select --create dev"));
        expect(lines.indexOf("pulumi stack select --create dev")).toBeLessThan(lines.indexOf("pulumi up"));
    });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    for (const [, heading] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
        const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
        const base = text
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        let anchor = base;
        for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
        anchors.add(anchor);
    }
    return anchors;
}

function withoutFences(markdown: string): string {
    return markdown.replace(/^```[\s\S]*?^```/gm, "");
}

/** Inline code spans blanked too, so that what they show is no link. */
function withoutCode(markdown: string): string {
    return withoutFences(markdown).replace(/`[^`\n]*`/g, "``");
}

describe("links", () => {
    it("from the README and docs/ point to files that exist, and to headings there", () => {
        const broken: string[] = [];
        for (const page of pages) {
            const text = read(page);
            for (const [, target] of withoutCode(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
                const [file, anchor] = target.split("#");
                const resolved = file === "" ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), decodeURI(file));
                if (!fs.existsSync(resolved)) {
                    broken.push(`${page}: ${target} (no such file)`);
                } else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(resolved, "utf8")).has(anchor)) {
                    broken.push(`${page}: ${target} (no such heading)`);
                }
            }
        }
        expect(broken).toEqual([]);
    });
});
