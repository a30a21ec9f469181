// The policy pack on a program that is not GeoStack's: examples/postgis-only-ts, a team's own network and a Postgis.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks } from "../../tools/render/mocks";
import { type AnalyzedResource, analyze, analyzed, brief, envFindings } from "../support/policy";
import { registrationsDone } from "../support/refusals";

let resources: AnalyzedResource[];
beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    const mocks = installMocks("postgis-only", "dev");
    await import("../../examples/postgis-only-ts/index");
    await registrationsDone();
    resources = analyzed(mocks.resources);
});

describe("the policy pack on a team's own program (examples/postgis-only-ts)", () => {
    it("passes its own internal network and its database on it, and flags what the program leaves to its author", () => {
        const { violations } = analyze(resources);
        // Without a policy config the stack counts as production: an unprotected database volume does not pass.
        expect(brief(violations.filter((v) => v.policy !== "no-secrets-in-env"))).toEqual(["protected-data-volumes database-data-pg17"]);
        // PostGIS takes its passwords as files.
        expect(envFindings(violations)).toEqual([]);
    });

    it("holds the database to internal networks by its role label, whatever the network is called", () => {
        const onPublicNetwork = structuredClone(resources);
        for (const r of onPublicNetwork.filter((r) => r.type === "docker:index/network:Network")) {
            r.inputs.internal = false;
            r.outputs.internal = false;
        }
        const { violations } = analyze(onPublicNetwork, { "protected-data-volumes": "disabled", "no-secrets-in-env": "disabled" });
        // The network is not named *-backend, so only the stack rule, which knows PostGIS by its label, catches it.
        expect(brief(violations)).toEqual(["backend-containers-on-internal-networks database"]);
    });
});
