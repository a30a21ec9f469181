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
        // Prod backs up: its backup container and the never-started one that loads its scripts.
        ["prod", "https://geostack.example.org/geoserver/", ["backup", "backup-files"]],
    ])(
        "type-checks and runs the %s stack",
        (stack, url, backupRoles) => {
            const run = loadLikePulumi(stack);
            expect(run.stderr).toBe("");
            expect(run.status).toBe(0);
            expect(run.stdout).toMatch(/^ts-node \d+\.\d+\.\d+ typescript 5\./m);
            expect(run.stdout).toContain(`geoserverUrl ${url}`);
            expect(run.stdout).toContain(
                `containers ${[...backupRoles, "docker-socket-proxy", "geoserver", "postgis", "traefik"].map((role) => `geostack-${stack}-${role}`).join(",")}`,
            );
        },
        120_000,
    );
});
