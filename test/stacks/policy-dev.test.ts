import { beforeAll, describe, expect, it } from "vitest";
import { deployStack } from "../support/harness";
import { type AnalyzedResource, added, analyze, analyzed, brief, planted, readPackConfig } from "../support/policy";

// The policy pack's rules on the dev stack exactly as committed, with policy/config.dev.json.
let resources: AnalyzedResource[];
beforeAll(async () => {
    resources = analyzed((await deployStack("dev")).mocks.resources);
});

describe("dev stack under the policy pack", () => {
    it("passes every rule, no-secrets-in-env included, with its loopback database port and its unprotected data", () => {
        const { violations } = analyze(resources, readPackConfig("dev"));
        expect(brief(violations)).toEqual([]);
        const postgis = resources.find((r) => r.type === "docker:index/container:Container" && r.name === "geostack-postgis")!;
        expect(postgis.inputs.ports).toEqual([{ internal: 5432, external: 15432, ip: "127.0.0.1" }]);
    });

    it("is a production stack without its config: then its unprotected volumes fail", () => {
        const { violations } = analyze(resources);
        expect(brief(violations.filter((v) => v.policy === "protected-data-volumes"))).toEqual([
            "protected-data-volumes geostack-geoserver-data",
            "protected-data-volumes geostack-geoserver-tiles",
            "protected-data-volumes geostack-postgis-data-pg17",
        ]);
        expect(readPackConfig("dev")).toEqual({ "protected-data-volumes": "disabled" });
    });
});

describe("dev's publish network, the one non-internal network PostGIS may join", () => {
    const findings = (list: AnalyzedResource[]) => added(analyze(resources, readPackConfig("dev")).violations, analyze(list, readPackConfig("dev")).violations);

    it("fails once another container joins it", () => {
        const shared = planted(resources, "geostack-geoserver", (p) => {
            p.networksAdvanced = [...p.networksAdvanced, { name: "geostack-dev-postgis-publish" }];
        });
        expect(findings(shared)).toEqual(["backend-containers-on-internal-networks geostack-postgis"]);
    });

    it("fails once PostGIS publishes nothing on it", () => {
        const unpublished = planted(resources, "geostack-postgis", (p) => {
            p.ports = [];
        });
        expect(findings(unpublished)).toEqual(["backend-containers-on-internal-networks geostack-postgis"]);
    });
});
