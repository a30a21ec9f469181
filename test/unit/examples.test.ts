// examples/geostack-yaml has no Pulumi CLI to run it here; instead it is checked against the committed package
// schema: the types it uses exist, it passes every required input and only known ones, and reads only real outputs.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, readYaml } from "../support/harness";

const program = readYaml("examples/geostack-yaml/Pulumi.yaml");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "components", "schema.json"), "utf8"));
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** YAML's short form `geostack:GeoStack` means the index module. */
const schemaToken = (type: string) => (type.split(":").length === 2 ? type.replace(":", ":index:") : type);
const geostackResources = () => Object.entries<any>(program.resources).filter(([, r]) => r.type.startsWith("geostack:"));

describe("example geostack-yaml", () => {
    it("is a YAML program taking the component package from this clone's components/, which the workspace installs", () => {
        expect(program.runtime).toBe("yaml");
        const dir = path.resolve(ROOT, "examples", "geostack-yaml", program.packages.geostack);
        expect(dir).toBe(path.join(ROOT, "components"));
        expect(fs.existsSync(path.join(dir, "PulumiPlugin.yaml"))).toBe(true);
        // `pulumi install` installs a plugin's dependencies at its npm workspace root: the checkout's one node_modules,
        // not a second copy of the SDK in components/ (pulumi-language-nodejs InstallDependencies, FindWorkspaceRoot).
        expect(rootPackage.workspaces).toContain("components");
        expect(geostackResources().length).toBeGreaterThan(0);
    });

    it("uses only component types of the package, with every required input and only known ones", () => {
        for (const [name, r] of geostackResources()) {
            const spec = schema.resources[schemaToken(r.type)];
            expect(spec, `${name}: ${r.type}`).toBeDefined();
            const given = Object.keys(r.properties ?? {});
            expect(Object.keys(spec.inputProperties), name).toEqual(expect.arrayContaining(given));
            expect(given, name).toEqual(expect.arrayContaining(spec.requiredInputs ?? []));
            for (const [key, value] of Object.entries(r.properties ?? {})) {
                if (typeof value === "string" && value.includes("${")) continue;
                expect(typeof value, `${name}.${key}`).toBe(spec.inputProperties[key].type);
            }
        }
    });

    it("exports only outputs the components have", () => {
        const references = JSON.stringify(program.outputs).matchAll(/\$\{([\w-]+)\.(\w+)\}/g);
        let count = 0;
        for (const [, resourceName, output] of references) {
            const spec = schema.resources[schemaToken(program.resources[resourceName].type)];
            expect(Object.keys(spec.properties), `${resourceName}.${output}`).toContain(output);
            count++;
        }
        expect(count).toBeGreaterThan(0);
    });
});

describe("example postgis-only-ts", () => {
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, "examples", "postgis-only-ts", "package.json"), "utf8"));

    it("installs the components from this clone, never from a registry (no one owns the @geostack scope yet)", () => {
        expect(example.dependencies["@geostack/components"]).toBe("file:../..");
        expect(rootPackage.workspaces).toContain("examples/postgis-only-ts");
    });

    it("asks for the SDK and providers the components support, so the workspace holds one copy of each", () => {
        for (const [name, range] of Object.entries<string>(rootPackage.peerDependencies)) expect(example.dependencies[name], name).toBe(range);
    });
});
