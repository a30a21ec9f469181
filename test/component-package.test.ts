// The multi-language component package in components/ (PulumiPlugin.yaml): its schema, inferred offline exactly as
// the nodejs plugin host infers it, is committed as components/schema.json so a pull request shows any change of the
// public API. `npm run schema` (GEOSTACK_WRITE_SCHEMA=1) rewrites it after an intended change.
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";
import { parse } from "yaml";
import * as components from "../components";
import { installMocks, settle } from "../render/mocks";
import { ROOT } from "./harness";

const COMPONENTS_DIR = path.join(ROOT, "components");
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
const pluginManifest = readJson("components/package.json");
const npmManifest = readJson("package.json");

const componentClasses = getPulumiComponents(components);
const provider = new ComponentProvider({ name: "geostack", components: componentClasses, dirname: COMPONENTS_DIR });
let schema: any;

beforeAll(async () => {
    installMocks("consumer", "dev");
    schema = JSON.parse(await provider.getSchema());
});

const resource = (name: string) => schema.resources[`geostack:index:${name}`];

describe("component package manifest", () => {
    it("is a nodejs plugin whose entry is the components' index", () => {
        expect(parse(fs.readFileSync(path.join(COMPONENTS_DIR, "PulumiPlugin.yaml"), "utf8"))).toEqual({ runtime: "nodejs" });
        // The plugin host names the package after package.json's name: the `geostack` of geostack:index:<ClassName>.
        expect(pluginManifest).toMatchObject({ name: "geostack", main: "index.ts" });
        expect(pluginManifest.version).toBe(npmManifest.version);
    });

    it("pins the SDK and providers the program is tested with", () => {
        for (const [name, version] of Object.entries(pluginManifest.dependencies)) {
            expect(version, name).toBe(npmManifest.devDependencies[name]);
        }
    });

    it("declares every package the components import, in the plugin and as npm peer dependencies", () => {
        const imported = new Set<string>();
        const files = fs.readdirSync(COMPONENTS_DIR, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
        expect(files).toContain(path.join("helpers", "validation.ts"));
        for (const file of files) {
            const source = fs.readFileSync(path.join(COMPONENTS_DIR, file), "utf8");
            for (const [, spec] of source.matchAll(/(?:from|import|require\()\s*"([^".][^"]*)"/g)) {
                if (spec.startsWith("node:") || builtinModules.includes(spec)) continue;
                imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
            }
        }
        expect([...imported].sort()).toEqual(expect.arrayContaining(["@pulumi/docker", "@pulumi/pulumi", "@pulumi/random"]));
        for (const name of imported) {
            expect(pluginManifest.dependencies, `components/package.json dependencies: ${name}`).toHaveProperty([name]);
            expect(npmManifest.peerDependencies, `package.json peerDependencies: ${name}`).toHaveProperty([name]);
        }
    });
});

describe("package schema", () => {
    it("matches the committed components/schema.json (run `npm run schema` after an intended API change)", () => {
        const generated = `${JSON.stringify(schema, null, 2)}\n`;
        const committed = path.join(COMPONENTS_DIR, "schema.json");
        if (process.env.GEOSTACK_WRITE_SCHEMA === "1") fs.writeFileSync(committed, generated);
        expect(fs.existsSync(committed), "components/schema.json is missing: run `npm run schema`").toBe(true);
        expect(generated).toBe(fs.readFileSync(committed, "utf8"));
    });

    it("has exactly the exported components, each as geostack:index:<ClassName>", () => {
        const names = componentClasses.map((c) => c.name).sort();
        expect(names).toEqual(expect.arrayContaining(["GeoServer", "GeoStack", "Postgis", "TraefikProxy"]));
        expect(Object.keys(schema.resources).sort()).toEqual(names.map((n) => `geostack:index:${n}`));
        for (const name of names) expect(resource(name).isComponent, name).toBe(true);
    });

    it("registers each component under the token its schema entry has (construct fails otherwise)", () => {
        for (const { name } of componentClasses) {
            const file = fs
                .readdirSync(COMPONENTS_DIR)
                .filter((f) => f.endsWith(".ts"))
                .map((f) => fs.readFileSync(path.join(COMPONENTS_DIR, f), "utf8"))
                .find((source) => new RegExp(`export class ${name} extends pulumi\\.ComponentResource`).test(source));
            expect(file, name).toBeDefined();
            expect(file).toContain(`super("geostack:index:${name}", name,`);
        }
    });

    // Consumers break when an input or output disappears or an input becomes required: these lists only grow
    // (semver minor); shrinking them is a major release.
    const API: Record<string, { required: string[]; inputs: string[]; outputs: string[] }> = {
        GeoStack: {
            required: ["domain"],
            inputs: [
                "namePrefix", "domain", "geoserverVersion", "geoserverImage", "postgisImage", "traefikImage", "geoserverAdminUser",
                "publishDatabasePort", "protectData", "postgisMemoryMb", "geoserverMemoryMb", "traefikMemoryMb",
            ],
            outputs: ["url", "adminUser", "adminPassword", "databasePassword", "databaseSuperuserPassword", "databaseAddress", "containerNames", "volumeNames"],
        },
        Postgis: {
            required: ["networkName"],
            inputs: ["namePrefix", "networkName", "image", "memoryMb", "publishPort", "protectData"],
            outputs: ["containerName", "volumeName", "host", "port", "database", "username", "password", "superuserPassword", "publishedAddress"],
        },
        GeoServer: {
            required: ["domain", "proxyNetworkName", "databaseHost", "databaseName", "databaseUser", "databasePassword"],
            inputs: [
                "namePrefix", "domain", "image", "backendNetworkName", "proxyNetworkName", "databaseHost", "databasePort",
                "databaseName", "databaseUser", "databasePassword", "adminUser", "memoryMb", "protectData",
            ],
            outputs: ["url", "adminUser", "adminPassword", "containerName", "volumeName"],
        },
        TraefikProxy: {
            required: ["proxyNetworkName"],
            inputs: ["namePrefix", "proxyNetworkName", "image", "memoryMb"],
            outputs: ["containerName"],
        },
    };

    for (const [name, api] of Object.entries(API)) {
        it(`keeps ${name}'s required inputs, inputs and outputs`, () => {
            const r = resource(name);
            expect([...(r.requiredInputs ?? [])].sort(), "required inputs").toEqual([...api.required].sort());
            expect(Object.keys(r.inputProperties), "inputs").toEqual(expect.arrayContaining(api.inputs));
            expect(Object.keys(r.properties), "outputs").toEqual(expect.arrayContaining(api.outputs));
            expect([...r.required].sort(), "outputs always set").toEqual(Object.keys(r.properties).sort());
        });
    }

    it("takes values from other resources (network names, passwords) as inputs, not plain values", () => {
        const inputs = (name: string) => resource(name).inputProperties;
        expect(inputs("Postgis").networkName.plain).toBeUndefined();
        for (const key of ["proxyNetworkName", "backendNetworkName", "databaseHost", "databaseName", "databaseUser", "databasePassword", "image"]) {
            expect(inputs("GeoServer")[key].plain, key).toBeUndefined();
        }
        expect(inputs("TraefikProxy").proxyNetworkName.plain).toBeUndefined();
        expect(inputs("GeoServerImage").registryPassword.plain).toBeUndefined();
        // Decides whether anything is built, so it must be known when the program runs.
        expect(inputs("GeoStack").geoserverImage.plain).toBe(true);
    });

    it("describes every component (the generated SDKs' documentation)", () => {
        for (const [token, r] of Object.entries<any>(schema.resources)) expect(r.description, token).toBeTruthy();
    });
});

// What `construct` receives from a Python/Go/.NET/Java/YAML program: plain values for plain inputs, outputs for
// values from other resources and for secrets. Each component must build from that alone and return every
// output its schema promises.
const CONSTRUCT_SAMPLES: Record<string, Record<string, unknown>> = {
    GeoStack: { domain: "maps.example.org" },
    Postgis: { networkName: pulumi.output("app-net") },
    GeoServer: {
        domain: "maps.example.org",
        proxyNetworkName: "edge",
        databaseHost: "db.example.org",
        databaseName: "gis",
        databaseUser: "geoserver",
        databasePassword: pulumi.secret("from-another-program"),
    },
    TraefikProxy: { proxyNetworkName: "edge" },
    DockerSocketProxy: {},
    GeoServerImage: { repository: "ghcr.io/acme/geoserver" },
};

describe("construct, as the plugin host runs it for other languages", () => {
    it("has sample inputs for every component in the schema (add one for a new component)", () => {
        expect(Object.keys(CONSTRUCT_SAMPLES).sort()).toEqual(componentClasses.map((c) => c.name).sort());
    });

    for (const [name, inputs] of Object.entries(CONSTRUCT_SAMPLES)) {
        it(`builds ${name} from its required inputs and returns every output`, async () => {
            const r = resource(name);
            expect(Object.keys(inputs).sort()).toEqual([...(r.requiredInputs ?? [])].sort());
            const { urn, state } = await provider.construct(`sample-${name.toLowerCase()}`, `geostack:index:${name}`, inputs, {});
            expect((await settle(urn)).value).toContain(`geostack:index:${name}::sample-${name.toLowerCase()}`);
            expect(Object.keys(state).sort()).toEqual(Object.keys(r.properties).sort());
            for (const [key, value] of Object.entries(state)) {
                const settled = await settle(value);
                expect(settled.value, `${name}.${key}`).not.toBeUndefined();
                if (/[pP]assword$/.test(key)) expect(settled.secret, `${name}.${key} stays secret`).toBe(true);
            }
        });
    }
});
