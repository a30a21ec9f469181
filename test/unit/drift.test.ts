import type { StepEventMetadata } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { changesOf, driftReport } from "../../tools/drift";
import { CONTAINER } from "../support/resources";

const VOLUME = "docker:index/volume:Volume";
const urn = (type: string, name: string) => `urn:pulumi:prod::geostack::geostack:index:GeoStack$${type}::${name}`;
function step(op: StepEventMetadata["op"], type: string, name: string, extra: Partial<StepEventMetadata> = {}): StepEventMetadata {
    return { op, type, urn: urn(type, name), provider: "docker", ...extra };
}
const same = [
    step("same", CONTAINER, "geostack-postgis"),
    step("refresh", CONTAINER, "geostack-traefik"),
    step("same", "pulumi:pulumi:Stack", "geostack-prod"),
];

describe("the drift check", () => {
    it("reports nothing when both previews change nothing", () => {
        expect(driftReport("prod", same, same)).toEqual({ drifted: false, markdown: expect.stringContaining("no drift") });
    });

    it("calls what only the refreshed preview changes drift, once per resource, a replacement's steps folded", () => {
        const refreshed = [
            ...same,
            step("create-replacement", CONTAINER, "geostack-geoserver", { keys: ["envs"] }),
            step("replace", CONTAINER, "geostack-geoserver", { keys: ["envs"], diffs: ["envs", "image"] }),
            step("delete-replaced", CONTAINER, "geostack-geoserver"),
            step("create", VOLUME, "geostack-geoserver-data"),
        ];
        expect(changesOf(refreshed)).toEqual([
            { name: "geostack-geoserver", type: CONTAINER, op: "replace", properties: ["envs", "image"] },
            { name: "geostack-geoserver-data", type: VOLUME, op: "create", properties: [] },
        ]);
        const { drifted, markdown } = driftReport("prod", same, refreshed);
        expect(drifted).toBe(true);
        expect(markdown).toContain("### Stack `prod`: 2 resources drifted on the Docker host");
        expect(markdown).toContain(
            "| `geostack-geoserver` | `docker:index/container:Container` | `envs`, `image` | changed on the host: `up` would recreate it",
        );
        // A volume gone from the host is data gone: said in bold, with what to do.
        expect(markdown).toMatch(/`geostack-geoserver-data`.*\*\*gone from the host: `up` would create an empty volume\. Restore its data from a backup\.\*\*/);
        expect(markdown).toContain("To reconcile");
    });

    it("does not call code merged but not deployed drift", () => {
        const pending = [...same, step("update", CONTAINER, "geostack-traefik", { diffs: ["memory"] })];
        const { drifted, markdown } = driftReport("prod", pending, pending);
        expect(drifted).toBe(false);
        expect(markdown).toContain("Merged but not deployed yet (not drift): `geostack-traefik` (update).");
    });
});
