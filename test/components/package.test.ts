// The multi-language component package in components/ (PulumiPlugin.yaml): its schema, inferred offline as the nodejs
// plugin host infers it, is committed as components/schema.json so that a pull request shows every change of the
// public API (`npm run schema` rewrites it; this file only compares), and every component builds from what
// `construct` receives from another language.
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";
import { beforeAll, describe, expect, it } from "vitest";
import * as components from "../../components";
import { installMocks, settle } from "../../tools/render/mocks";
import { COMPONENTS_DIR, componentProvider, SCHEMA_FILE, schemaText } from "../../tools/write-schema";
import { ROOT } from "../support/harness";

const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
const pluginManifest = readJson("components/package.json");
const npmManifest = readJson("package.json");

const componentNames = getPulumiComponents(components)
    .map((c) => c.name)
    .sort();
const provider = componentProvider();
let generated: string;
let schema: any;

beforeAll(async () => {
    installMocks("consumer", "dev");
    generated = await schemaText(provider);
    schema = JSON.parse(generated);
});

const resource = (name: string) => schema.resources[`geostack:index:${name}`];

describe("component package manifest", () => {
    it("has the npm package's version", () => {
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
        expect(files).toContain(path.join("shared", "args.ts"));
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
    it("is the committed components/schema.json (run `npm run schema` after an intended API change)", () => {
        expect(fs.existsSync(SCHEMA_FILE), "components/schema.json is missing: run `npm run schema`").toBe(true);
        expect(generated).toBe(fs.readFileSync(SCHEMA_FILE, "utf8"));
    });

    it("has exactly the exported components, each as geostack:index:<ClassName>", () => {
        expect(componentNames).toEqual([
            "Backup",
            "DockerSocketProxy",
            "GeoServer",
            "GeoServerImage",
            "GeoStack",
            "GeoStackSwarm",
            "OffsiteCopy",
            "Postgis",
            "TraefikProxy",
        ]);
        expect(Object.keys(schema.resources).sort()).toEqual(componentNames.map((n) => `geostack:index:${n}`));
        for (const name of componentNames) expect(resource(name).isComponent, name).toBe(true);
    });

    it("promises every output always set (the generated SDKs type none as optional)", () => {
        for (const name of componentNames) expect([...resource(name).required].sort(), name).toEqual(Object.keys(resource(name).properties).sort());
    });

    it("takes values from other resources (network names, passwords, the database port) as inputs, not plain values", () => {
        const inputs = (name: string) => resource(name).inputProperties;
        expect(inputs("Postgis").networkName.plain).toBeUndefined();
        for (const key of [
            "proxyNetworkName",
            "backendNetworkName",
            "databaseHost",
            "databasePort",
            "databaseName",
            "databaseUser",
            "databasePassword",
            "image",
        ]) {
            expect(inputs("GeoServer")[key].plain, key).toBeUndefined();
        }
        expect(inputs("TraefikProxy").proxyNetworkName.plain).toBeUndefined();
        expect(inputs("GeoServerImage").registryPassword.plain).toBeUndefined();
        expect(inputs("GeoStack").registryPassword.plain).toBeUndefined();
        for (const key of ["networkName", "image", "databaseHost", "databasePort", "databaseName", "superuserPassword", "geoserverDataVolumeName"]) {
            expect(inputs("Backup")[key].plain, key).toBeUndefined();
        }
        for (const key of ["offsitePassword", "offsiteAccessKeyId", "offsiteSecretAccessKey"]) expect(inputs("Backup")[key].plain, key).toBeUndefined();
        for (const key of ["backupVolumeName", "password", "accessKeyId", "secretAccessKey"]) expect(inputs("OffsiteCopy")[key].plain, key).toBeUndefined();
        // Decides whether anything is built, so it must be known when the program runs.
        expect(inputs("GeoStack").geoserverImage.plain).toBe(true);
    });

    it("describes every component (the generated SDKs' documentation)", () => {
        for (const [token, r] of Object.entries<any>(schema.resources)) expect(r.description, token).toBeTruthy();
    });
});

// What `construct` receives from a Python/Go/.NET/Java/YAML program: plain values for plain inputs, outputs for
// values from other resources and for secrets. Each component must build from its required inputs alone and return
// every output its schema promises. A component registered under another token than its schema's fails here.
const CONSTRUCT_SAMPLES: Record<string, Record<string, unknown>> = {
    GeoStack: { domain: "maps.example.org" },
    GeoStackSwarm: { domain: "maps.example.org", geoserverImage: "ghcr.io/acme/geoserver:2.28.4", postgisNodeHost: "ssh://deploy@db1" },
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
    Backup: {
        networkName: pulumi.output("app-net"),
        image: pulumi.output("sha256:0123"),
        postgresMajor: 17,
        databaseHost: "db",
        superuserPassword: pulumi.secret("from-another-program"),
    },
    OffsiteCopy: {
        backupVolumeName: pulumi.output("app-backups"),
        backupDir: "/var/lib/postgresql/data",
        repository: "s3:s3.example.net/bucket/app",
        password: pulumi.secret("restic"),
        accessKeyId: pulumi.secret("AKIA"),
        secretAccessKey: pulumi.secret("key"),
    },
};

describe("construct, as the plugin host runs it for other languages", () => {
    it("has sample inputs for every component in the schema (add one for a new component)", () => {
        expect(Object.keys(CONSTRUCT_SAMPLES).sort()).toEqual(componentNames);
    });

    for (const [name, inputs] of Object.entries(CONSTRUCT_SAMPLES)) {
        it(`builds ${name} from its required inputs and returns every output`, async () => {
            const r = resource(name);
            expect(Object.keys(inputs).sort()).toEqual([...(r.requiredInputs ?? [])].sort());
            const { urn, state } = await provider.construct(`sample-${name.toLowerCase()}`, `geostack:index:${name}`, inputs, {});
            expect((await settle(urn)).value).toContain(`::geostack:index:${name}::sample-${name.toLowerCase()}`);
            expect(Object.keys(state).sort()).toEqual(Object.keys(r.properties).sort());
            for (const [key, value] of Object.entries(state)) {
                const settled = await settle(value);
                expect(settled.value, `${name}.${key}`).not.toBeUndefined();
                if (/[pP]assword$/.test(key)) expect(settled.secret, `${name}.${key} stays secret`).toBe(true);
            }
        });
    }
});
