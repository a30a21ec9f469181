import { beforeAll, describe, expect, it } from "vitest";
import { type AnalyzedResource, added, analyze, analyzed, planted, previewProgram, readPackConfig, UNKNOWN } from "../support/policy";

// The first `pulumi preview` of prod, before anything exists: what a provider computes is unknown, so is everything the
// program derives from it (the containers' image IDs).
let resources: AnalyzedResource[];
beforeAll(async () => {
    resources = analyzed((await previewProgram("prod")).resources);
});

const container = (name: string) => resources.find((r) => r.type === "docker:index/container:Container" && r.name === name)!;

describe("prod's first preview under the policy pack", () => {
    it("knows what the rules identify resources by: names, labels, ports, networks", () => {
        for (const r of resources.filter((r) => r.type.startsWith("docker:index/container") || r.type.startsWith("docker:index/network"))) {
            expect(r.inputs.name, r.name).toMatch(/^geostack-prod-/);
        }
        expect(JSON.stringify(container("geostack-traefik").inputs.labels)).not.toContain(UNKNOWN);
        expect(container("geostack-postgis").inputs.image).toBe(UNKNOWN);
    });

    it("reports no violation, and no rule is downgraded to advisory by an unknown", () => {
        expect(analyze(resources, readPackConfig("prod")).violations).toEqual([]);
    });

    it("says which rules wait for `pulumi up`, and why: unknown image IDs", () => {
        const waiting = analyze(resources, readPackConfig("prod")).notApplicable;
        expect(waiting.map((n) => `${n.policy} ${n.resource}`).sort()).toEqual([
            // The backup runs PostGIS's image, by the same ID.
            "images-pinned geostack-backup",
            "images-pinned geostack-backup-files",
            "images-pinned geostack-geoserver",
            "images-pinned geostack-postgis",
            "images-pinned geostack-traefik",
            "images-pinned geostack-traefik-docker-socket-proxy",
            // No environment holds a password (they are files), so every one is known at preview.
        ]);
        for (const n of waiting)
            expect(n.reason).toMatch(/can't be known during preview; checked on the resolved value when `pulumi up` registers the resource$/);
    });

    it("with traefik's labels unknown (the dashboard's password hash), checks the others and says what waits", () => {
        const labelsUnknown = planted(resources, "geostack-traefik", (p) => {
            p.labels = UNKNOWN;
        });
        const databaseOnProxy = planted(labelsUnknown, "geostack-postgis", (p) => {
            p.networksAdvanced = [...p.networksAdvanced, { name: "geostack-prod-proxy" }];
        });
        const before = analyze(resources, readPackConfig("prod"));
        const after = analyze(databaseOnProxy, readPackConfig("prod"));
        expect(added(before.violations, after.violations)).toEqual(["backend-containers-on-internal-networks geostack-postgis"]);
        const waiting = after.notApplicable.filter((n) => !before.notApplicable.some((b) => b.policy === n.policy && b.resource === n.resource));
        expect(waiting.map((n) => `${n.policy} ${n.resource}: ${n.reason}`)).toEqual([
            // Its ports are the edge's: whether that is allowed depends on its role label.
            "no-public-ports geostack-traefik: string value at .labels can't be known during preview; checked on the resolved value when `pulumi up` registers the resource",
            "backend-containers-on-internal-networks (stack): geostack-traefik: string value at .labels can't be known during preview; checked on the resolved values at the end of `pulumi up`",
        ]);
    });

    it("still fails a mandatory rule on what is known, beside unknowns: a public database port", () => {
        const before = analyze(resources, readPackConfig("prod")).violations;
        const publicDatabase = planted(resources, "geostack-postgis", (p) => {
            p.ports = [{ internal: 5432, external: 5432, ip: "0.0.0.0" }];
        });
        const after = analyze(publicDatabase, readPackConfig("prod")).violations;
        expect(added(before, after)).toEqual(["no-public-ports geostack-postgis"]);
        expect(after.map((v) => v.level)).toEqual(["mandatory"]);
    });
});
