import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readYaml, ROOT } from "../support/harness";

// The schema check is `npm run lint:workflows`; these hold the workflows to the project's own rules.
const files = fs.readdirSync(path.join(ROOT, ".github/workflows")).filter((f) => f.endsWith(".yml"));
const workflows = Object.fromEntries(files.map((f) => [f, readYaml(`.github/workflows/${f}`)]));
const jobs = (file: string): [string, any][] => Object.entries(workflows[file].jobs);
const steps = (file: string): any[] => jobs(file).flatMap(([, job]) => job.steps);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

describe("GitHub workflows", () => {
    it("are ci, preview and deploy", () => {
        expect(files.sort()).toEqual(["ci.yml", "deploy.yml", "preview.yml"]);
    });

    it("grant nothing by default and least privilege per job", () => {
        for (const file of files) {
            expect(workflows[file].permissions, file).toEqual({});
            for (const [name, job] of jobs(file)) {
                expect(job.permissions, `${file} ${name}`).toBeDefined();
                const writes = Object.entries(job.permissions)
                    .filter(([, level]) => level === "write")
                    .map(([scope]) => scope);
                expect(
                    writes.filter((scope) => scope !== "pull-requests"),
                    `${file} ${name} writes`,
                ).toEqual([]);
            }
        }
        expect(jobs("deploy.yml").every(([, job]) => !Object.values(job.permissions).includes("write"))).toBe(true);
    });

    it("pin every action to an exact release", () => {
        for (const file of files) {
            for (const step of steps(file).filter((s) => s.uses)) expect(step.uses, file).toMatch(/^[\w.-]+\/[\w.-]+@v\d+\.\d+\.\d+$/);
        }
    });

    it("never put a secret in a shell script (only in env, where the runner masks it)", () => {
        for (const file of files) {
            for (const step of steps(file).filter((s) => s.run)) expect(step.run, `${file}: ${step.name ?? step.run}`).not.toMatch(/secrets\./);
        }
    });

    it("ci.yml runs .ci/run, on the oldest supported Node and on the current LTS", () => {
        const job = workflows["ci.yml"].jobs.test;
        // One script: CI cannot drift from what `.ci/run` checks on a clean checkout.
        const runs = job.steps.filter((s: any) => s.run).map((s: any) => s.run);
        expect(runs).toEqual([expect.stringMatching(/ bash \.ci\/run$/)]);
        // Otherwise .ci/run would switch the older leg to Node 24.
        expect(runs[0]).toContain("GEOSTACK_KEEP_NODE=1");
        expect(job.steps.find((s: any) => s.uses?.startsWith("actions/setup-node@")).with["node-version"]).toBe("${{ matrix.node }}");
        const oldest = Number(pkg.engines.node.match(/^>=(\d+)$/)[1]);
        expect(job.strategy.matrix.node).toEqual([oldest, 24]);
    });

    it(".ci/run installs from the lock file and runs every check, with the real-PostgreSQL tests required", () => {
        const ciRun = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
        expect(ciRun).toMatch(/^npm ci\b/m);
        // A skipped PostgreSQL suite is then a failure, not a pass.
        expect(ciRun).toMatch(/^GEOSTACK_REQUIRE_POSTGRES=1 npm run check$/m);
        for (const script of ["npm run typecheck", "npm run lint", "npm test"]) expect(pkg.scripts.check, script).toContain(script);
        for (const script of ["npm run lint:dockerfile", "npm run lint:workflows"]) expect(pkg.scripts.lint, script).toContain(script);
    });

    it("preview: the render diff always, the real preview only with its secrets, for dev and prod", () => {
        const preview = workflows["preview.yml"];
        expect(Object.keys(preview.on)).toEqual(["pull_request"]);
        const render = preview.jobs["render-diff"];
        expect(render.steps.some((s: any) => /render:diff -- --base "origin\/\$\{BASE_REF\}" --stack dev --stack prod/.test(s.run ?? ""))).toBe(true);
        expect(render.steps.some((s: any) => (s.run ?? "").includes("GITHUB_STEP_SUMMARY"))).toBe(true);
        expect(render.steps.find((s: any) => s.uses?.startsWith("actions/github-script@")).if).toBe(
            "github.event.pull_request.head.repo.full_name == github.repository",
        );

        const pulumi = preview.jobs["pulumi-preview"];
        expect(pulumi.strategy.matrix.stack).toEqual(["dev", "prod"]);
        const action = pulumi.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@"));
        expect(action.with).toMatchObject({ command: "preview", diff: true, "stack-name": "${{ matrix.stack }}" });
        expect(action.with["comment-on-pr"]).toContain("head.repo.full_name == github.repository");
        expect(action.if).toBe("steps.secrets.outputs.ready == 'true'");
        expect(pulumi.steps[0].run).toContain("::notice");
    });

    it("deploy: prod only, behind an environment, never two at once and never cancelled", () => {
        const deploy = workflows["deploy.yml"];
        expect(Object.keys(deploy.on).sort()).toEqual(["push", "workflow_dispatch"]);
        expect(deploy.on.push).toEqual({ tags: ["v*.*.*"] });
        expect(deploy.concurrency).toEqual({ group: "deploy-prod", "cancel-in-progress": false });
        expect(deploy.jobs.up.environment).toBe("prod");
        expect(deploy.jobs.up.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@") && s.with?.command).with).toMatchObject({
            command: "up",
            "stack-name": "prod",
        });
    });

    it("deploy: the data guard judges the plan before the up, which never skips its preview", () => {
        const up = workflows["deploy.yml"].jobs.up.steps;
        const guard = up.findIndex((s: any) => (s.run ?? "").includes("npm run --silent data-guard -- preview.json"));
        const apply = up.findIndex((s: any) => s.with?.command === "up");
        expect(guard).toBeGreaterThan(-1);
        expect(guard).toBeLessThan(apply);
        expect(up[guard].run).toContain("pulumi preview --stack prod --non-interactive --json > preview.json");
        expect(up[apply].with.options ?? "").not.toContain("--skip-preview");
        expect(pkg.scripts["data-guard"]).toBe("tsc -p tsconfig.tools.json && node bin/tools/data-guard.js");
    });

    it("preview: prod's pulumi preview runs pull request code only in the prod-preview environment, behind its reviewers", () => {
        const job = workflows["preview.yml"].jobs["pulumi-preview"];
        expect(job.environment).toBe("${{ matrix.stack == 'prod' && 'prod-preview' || 'dev-preview' }}");
        expect(workflows["preview.yml"].on).toEqual({ pull_request: null });
    });
});
