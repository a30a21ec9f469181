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
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
const runs = (file: string): string[] => steps(file).flatMap((s) => (s.run ? [s.run] : []));

/** The write permissions each workflow may grant: comments on pull requests, and what a release needs. */
const WRITES: Record<string, string[]> = {
    "preview.yml": ["pull-requests"],
    "release.yml": ["contents", "id-token"],
};

describe("GitHub workflows", () => {
    it("are ci, preview, deploy, drift and release", () => {
        expect(files.sort()).toEqual(["ci.yml", "deploy.yml", "drift.yml", "preview.yml", "release.yml"]);
    });

    it("grant nothing by default and least privilege per job", () => {
        for (const file of files) {
            expect(workflows[file].permissions, file).toEqual({});
            for (const [name, job] of jobs(file)) {
                expect(job.permissions, `${file} ${name}`).toBeDefined();
                const writes = Object.entries(job.permissions)
                    .filter(([, level]) => level === "write")
                    .map(([scope]) => scope)
                    .sort();
                for (const scope of writes) expect(WRITES[file] ?? [], `${file} ${name} writes ${scope}`).toContain(scope);
            }
        }
    });

    it("keep releasing and deploying apart: neither workflow can start the other", () => {
        const deploy = workflows["deploy.yml"];
        const release = workflows["release.yml"];
        // Deploying is started by hand only: no tag, release, push, schedule or other workflow starts it.
        expect(Object.keys(deploy.on)).toEqual(["workflow_dispatch"]);
        // Releasing is started by a version tag only, never by a push to a branch or by hand.
        expect(release.on).toEqual({ push: { tags: ["v*.*.*"] } });
        // No workflow starts on another's run or on a dispatch event, and none dispatches one: events made with the
        // job's GITHUB_TOKEN (the release's tag and GitHub release) start no workflow, except these two.
        for (const file of files) {
            const on = workflows[file].on;
            for (const event of ["workflow_run", "repository_dispatch", "release"]) expect(Object.keys(on), file).not.toContain(event);
            for (const run of runs(file)) expect(run, file).not.toMatch(/gh workflow run|\/dispatches|git push|git tag/);
        }
        // The release publishes an existing tag, it does not make one; the deploy pushes nothing anywhere.
        expect(runs("release.yml").find((r) => r.includes("gh release create"))).toContain("--verify-tag");
        expect(jobs("deploy.yml").every(([, job]) => !Object.values(job.permissions).includes("write"))).toBe(true);
        // A push to main runs CI only: ci.yml listens to branches, so tags do not start it either.
        expect(workflows["ci.yml"].on.push).toEqual({ branches: ["main"] });
    });

    it("pin the Pulumi CLI in every workflow from .pulumi-version, the release of the SDK the lock file holds", () => {
        const version = fs.readFileSync(path.join(ROOT, ".pulumi-version"), "utf8").trim();
        expect(version).toBe(lock.packages["node_modules/@pulumi/pulumi"].version);
        const pulumiSteps = files.flatMap((file) =>
            steps(file)
                .filter((s) => s.uses?.startsWith("pulumi/actions@"))
                .map((s) => [file, s]),
        );
        expect([...new Set(pulumiSteps.map(([file]) => file))].sort()).toEqual(["deploy.yml", "drift.yml", "preview.yml"]);
        for (const [file, step] of pulumiSteps) {
            expect(step.with["pulumi-version-file"], file).toBe(".pulumi-version");
            expect(step.with["pulumi-version"], file).toBeUndefined();
        }
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
        // The examples as a newcomer gets them: a fresh clone, installed and run.
        expect(ciRun).toMatch(/^bash \.ci\/check-examples\.sh$/m);
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

    it("deploy: prod from main only, behind an environment, types checked first, never two at once and never cancelled", () => {
        const deploy = workflows["deploy.yml"];
        expect(deploy.concurrency).toEqual({ group: "deploy-prod", "cancel-in-progress": false });
        expect(deploy.jobs.up.environment).toBe("prod");
        const [guard] = deploy.jobs.up.steps;
        expect(guard).toMatchObject({ if: "github.ref != 'refs/heads/main'", run: expect.stringMatching(/exit 1$/m) });
        const names = deploy.jobs.up.steps.map((s: any) => s.uses ?? s.run);
        const action = deploy.jobs.up.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);
        expect(names.indexOf("npm run typecheck")).toBeLessThan(names.indexOf(action.uses));
        expect(action.with).toMatchObject({ command: "up", "stack-name": "prod", refresh: true });
    });

    it("drift: every morning and by hand, each stack deploy.yml deploys, failing with the report in the summary", () => {
        const drift = workflows["drift.yml"];
        expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        const deployed = workflows["deploy.yml"].jobs.up.steps.find((s: any) => s.with?.command === "up").with["stack-name"];
        expect(drift.jobs.drift.strategy.matrix.stack).toEqual([deployed]);
        // Its credentials live in an environment of its own (main only), not in repository secrets every run can read.
        expect(drift.jobs.drift.environment).toBe("${{ matrix.stack }}-drift");
        const check = drift.jobs.drift.steps.find((s: any) => s.run?.includes("npm run --silent drift"));
        expect(check.run).toContain('--stack "$STACK"');
        expect(check.run).toContain("GITHUB_STEP_SUMMARY");
        expect(check.run).toMatch(/exit 1/);
        expect(pkg.scripts.drift).toContain("tools/drift.ts");
    });

    it("release: checks the tag against both versions and the changelog, runs every check, then publishes with provenance", () => {
        const names = workflows["release.yml"].jobs.release.steps.map((s: any) => s.uses ?? s.run);
        const at = (pattern: RegExp) => names.findIndex((n: string) => pattern.test(n));
        expect(at(/tools\/release-notes\.ts "\$TAG"/)).toBeGreaterThan(-1);
        expect(at(/bash \.ci\/run/)).toBeGreaterThan(at(/release-notes/));
        expect(at(/npm publish .* --provenance/)).toBeGreaterThan(at(/bash \.ci\/run/));
        expect(at(/gh release create/)).toBeGreaterThan(at(/npm publish/));
    });

    it("deploy: the data guard judges the plan before the up, which never skips its preview", () => {
        const up = workflows["deploy.yml"].jobs.up.steps;
        const guard = up.findIndex((s: any) => (s.run ?? "").includes("npm run --silent data-guard -- preview.json"));
        const apply = up.findIndex((s: any) => s.with?.command === "up");
        expect(guard).toBeGreaterThan(-1);
        expect(guard).toBeLessThan(apply);
        // The plan the guard judges is the one the up makes: with the same refresh.
        expect(up[guard].run).toContain("pulumi preview --stack prod --refresh --non-interactive --json > preview.json");
        expect(up[apply].with.refresh).toBe(true);
        expect(up[apply].with.options ?? "").not.toContain("--skip-preview");
        expect(pkg.scripts["data-guard"]).toBe("node -r ./tools/ts-loader.cjs tools/data-guard.ts");
    });

    it("preview: prod's pulumi preview runs pull request code only in the prod-preview environment, behind its reviewers", () => {
        const job = workflows["preview.yml"].jobs["pulumi-preview"];
        expect(job.environment).toBe("${{ matrix.stack == 'prod' && 'prod-preview' || 'dev-preview' }}");
        expect(workflows["preview.yml"].on).toEqual({ pull_request: null });
    });
});
