import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/harness";

// The tests import index.ts through vitest; `pulumi up` loads it through @pulumi/pulumi's ts-node with our
// tsconfig.json. This runs that loader, so a program that only vitest can load fails here.
function loadLikePulumi(stack: string) {
    return spawnSync(process.execPath, [path.join(ROOT, "test", "support", "run-like-pulumi.cjs"), ROOT, stack], { encoding: "utf8", timeout: 120_000 });
}

describe("index.ts under the loader `pulumi up` uses", () => {
    it.each([
        ["dev", "http://geostack.localhost/geoserver/", []],
        // The committed prod stack keeps its placeholders, and says so.
        ["prod", "https://geostack.example.org/geoserver/", ["domain geostack.example.org", "acmeEmail admin@example.org"]],
    ])(
        "type-checks and runs the %s stack",
        (stack, url, placeholders) => {
            const run = loadLikePulumi(stack);
            const warnings = placeholders.map((value) => expect.stringMatching(new RegExp(`^warning: \\[runtime\\] ${value} is a documentation placeholder`)));
            expect(run.stderr.split("\n").filter(Boolean)).toEqual(warnings);
            expect(run.status).toBe(0);
            expect(run.stdout).toMatch(/^ts-node \d+\.\d+\.\d+ typescript 5\./m);
            expect(run.stdout).toContain(`geoserverUrl ${url}`);
            expect(run.stdout).toContain(
                `containers ${["docker-socket-proxy", "geoserver", "postgis", "traefik"].map((role) => `geostack-${stack}-${role}`).join(",")}`,
            );
        },
        120_000,
    );
});
