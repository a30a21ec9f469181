// examples/geostack-yaml has no Pulumi CLI to run it here; instead it is checked against the committed package
// schema: the types it uses exist, it passes every required input and only known ones, and reads only real outputs.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, readYaml } from "../support/harness";

const program = readYaml("examples/geostack-yaml/Pulumi.yaml");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "components", "schema.json"), "utf8"));
const version = JSON.parse(fs.readFileSync(path.join(ROOT, "components", "package.json"), "utf8")).version;

/** YAML's short form `geostack:GeoStack` means the index module. */
const schemaToken = (type: string) => (type.split(":").length === 2 ? type.replace(":", ":index:") : type);
const geostackResources = () => Object.entries<any>(program.resources).filter(([, r]) => r.type.startsWith("geostack:"));

describe("example geostack-yaml", () => {
    it("is a YAML program taking the package from components/ at the current release", () => {
        expect(program.runtime).toBe("yaml");
        expect(program.packages.geostack).toMatch(new RegExp(`/components@v${version.replace(/\./g, "\\.")}$`));
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
