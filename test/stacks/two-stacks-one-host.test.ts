// The dev and prod stacks on one Docker host: each as the program builds it (its stack config through the same parser,
// its namePrefix `<project>-<stack>`), side by side in one run, checked for whatever the host could not take twice.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { GeoStack } from "../../components";
import { parseStackConfig } from "../../config";
import { installMocks, type ProviderMocks } from "../../tools/render/mocks";
import { stackConfig } from "../support/harness";
import { hostConflicts, routedBy, type Stack } from "../support/host";
import { registrationsDone } from "../support/refusals";
import { CONTAINER, labelsOf } from "../support/resources";

let mocks: ProviderMocks;

/** GeoStack `name`, built from a stack file's config with `overrides`, as index.ts builds it for that stack. */
function stack(name: string, stackName: string, overrides: Record<string, string> = {}) {
    const raw = Object.entries({ ...stackConfig(stackName), ...overrides })
        .filter(([key]) => key.startsWith("geostack:"))
        .map(([key, value]) => [key.slice("geostack:".length), value]);
    new GeoStack(name, { ...parseStackConfig(Object.fromEntries(raw)), namePrefix: `geostack-${stackName}` });
}
const resourcesOf = (name: string): Stack => ({ name, resources: mocks.resources.filter((r) => r.name === name || r.name.startsWith(`${name}-`)) });

beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    mocks = installMocks("geostack", "one-host");
    stack("dev", "dev");
    stack("devmoved", "dev", { "geostack:httpPort": "8080" });
    stack("prod", "prod");
    await registrationsDone();
});

describe("dev and prod on one Docker host", () => {
    it("share it once one of them publishes HTTP on another port: no name, port, router or label collides", () => {
        const host = [resourcesOf("devmoved"), resourcesOf("prod")];
        // Prod's two more: its backup, and the never-started container that loads the backup's files.
        expect(host.map((s) => s.resources.filter((r) => r.type === CONTAINER).length)).toEqual([4, 6]);
        expect(hostConflicts(host)).toEqual([]);
    });

    it("collide as committed only on port 80, which both traefiks publish (dev on loopback, prod everywhere)", () => {
        expect(hostConflicts([resourcesOf("dev"), resourcesOf("prod")])).toEqual([
            "port 80/tcp: geostack-dev-traefik on 127.0.0.1 and geostack-prod-traefik on 0.0.0.0",
        ]);
    });

    it("each have a traefik that routes exactly its own stack's GeoServer (and dashboard), never the other's", () => {
        const host = [resourcesOf("devmoved"), resourcesOf("prod")];
        for (const own of host) {
            const traefik = own.resources.find((r) => r.type === CONTAINER && labelsOf(r)["geostack.role"] === "traefik")!;
            const routed = routedBy(traefik, host).map((c) => c.inputs.name);
            const prefix = own.name === "prod" ? "geostack-prod" : "geostack-dev";
            expect(routed).toEqual([`${prefix}-geoserver`]);
        }
    });

    it("would not be told apart without the constraint: every GeoServer carries traefik's enable label", () => {
        const enabled = mocks.ofType(CONTAINER).filter((c) => labelsOf(c)["traefik.enable"] === "true");
        expect(enabled.map((c) => c.inputs.name).sort()).toEqual(["geostack-dev-geoserver", "geostack-dev-geoserver", "geostack-prod-geoserver"]);
    });
});
