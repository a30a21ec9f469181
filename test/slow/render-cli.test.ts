import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../config";
import { ROOT, STAND_IN_SECRET } from "../support/harness";

// The CLIs as `npm run render` and `npm run render:diff` run them: node with tools/ts-loader.cjs, one process each.
// What they print is tested in-process by test/stacks (render) and the diff tests.
let temp: string;

beforeAll(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-render-test-"));
});

afterAll(() => {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
});

function node(script: string, args: string[]) {
    const loader = path.join(ROOT, "tools", "ts-loader.cjs");
    const result = spawnSync(process.execPath, ["-r", loader, path.join(ROOT, "tools", "render", script), ...args], { encoding: "utf8", timeout: 120_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run render", () => {
    it("prints the dev stack deterministically, secrets masked", () => {
        const first = node("cli.ts", ["--stack", "dev", "--project-dir", ROOT]);
        const second = node("cli.ts", ["--stack", "dev", "--project-dir", ROOT]);
        expect(first.status, first.stderr).toBe(0);
        expect(second.stdout).toBe(first.stdout);
        expect(first.stdout).toContain("docker:index/container:Container  geostack-geoserver");
        expect(first.stdout).toContain("geoserverAdminPassword: [secret]");
        // Built from the project's images/geoserver, named relative to it: the render does not depend on where it runs from.
        expect(first.stdout).toMatch(/\n {2}context:\n {4}location: images\/geoserver\n/);
    });

    it("prints JSON with --json, with the secret a stack sets through `pulumi config set --secret` stood in and masked", () => {
        const json = node("cli.ts", ["--stack", "prod", "--json", "--project-dir", ROOT]);
        expect(json.status, json.stderr).toBe(0);
        const rendered = JSON.parse(json.stdout);
        expect(rendered.stack).toBe("prod");
        expect(rendered.resources.map((r: any) => r.name)).toContain("geostack-geoserver-data");
        expect(json.stdout.includes(STAND_IN_SECRET), "the registry token leaked").toBe(false);
    });

    it("fails on a bad stack config with the error `pulumi up` shows, and prints no render", () => {
        const project = path.join(temp, "broken");
        fs.mkdirSync(project);
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        fs.writeFileSync(path.join(project, "Pulumi.broken.yaml"), "config:\n  geostack:domain: http://maps.example.org\n  geostack:postgisMemoryMb: lots\n");
        const result = node("cli.ts", ["--stack", "broken", "--project-dir", project, "--program", path.join(ROOT, "main.cjs")]);
        expect(result.status).toBe(1);
        expect(result.stdout).toBe("");
        let expected = "";
        try {
            parseStackConfig({ domain: "http://maps.example.org", postgisMemoryMb: "lots" });
        } catch (err) {
            expected = (err as Error).message;
        }
        expect(expected).toContain("geostack:postgisMemoryMb");
        expect(result.stderr).toBe(`error: Running program '${project}' failed with an unhandled exception:\nInvalidInputError: ${expected}\n`);
    });

    it("refuses an unknown stack and a missing --stack", () => {
        expect(node("cli.ts", ["--stack", "nosuchstack", "--project-dir", ROOT])).toMatchObject({
            status: 1,
            stderr: expect.stringContaining("Pulumi.nosuchstack.yaml"),
        });
        expect(node("cli.ts", [])).toMatchObject({ status: 2, stderr: expect.stringContaining("--stack <name> is required") });
    });
});

describe("npm run render:diff on real git history", () => {
    let repo: string;
    const author = { GIT_AUTHOR_NAME: "render test", GIT_AUTHOR_EMAIL: "render-test@example.invalid" };
    const identity = { ...author, GIT_COMMITTER_NAME: author.GIT_AUTHOR_NAME, GIT_COMMITTER_EMAIL: author.GIT_AUTHOR_EMAIL };
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8", env: { ...process.env, ...identity } });
    /** Edits a file of the temp repo; fails loudly when the text to change is gone (the code moved on). */
    const edit = (file: string, from: string, to: string) => {
        const target = path.join(repo, file);
        const content = fs.readFileSync(target, "utf8");
        expect(content, `${file} no longer contains ${from}`).toContain(from);
        fs.writeFileSync(target, content.replace(from, to));
    };
    const diff = (...args: string[]) => node("diff-cli.ts", ["--base", "main", "--project-dir", repo, ...args]);

    beforeAll(() => {
        // The working tree as it is (committed or not, deleted files left out), as the base of a fresh repository.
        repo = path.join(temp, "repo");
        fs.mkdirSync(repo);
        const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
            .split("\0")
            .filter(Boolean);
        for (const file of files) {
            // Regular files only: a deleted file, or a node_modules link that a checkout committed, stays out.
            if (!fs.lstatSync(path.join(ROOT, file), { throwIfNoEntry: false })?.isFile()) continue;
            fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
            fs.copyFileSync(path.join(ROOT, file), path.join(repo, file));
        }
        git("init", "--quiet", "--initial-branch=main");
        git("add", "--all");
        git("commit", "--quiet", "--message", "base");
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
    });

    it("says `no changes` when the stack is unchanged, and leaves no worktree behind", () => {
        const result = diff("--stack", "dev");
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toContain("### Stack `dev`: no changes");
        expect(git("worktree", "list").trim().split("\n")).toHaveLength(1);
    }, 120_000);

    it("flags a changed label as a replacement of the GeoServer container only", () => {
        git("checkout", "--quiet", "-b", "label", "main");
        edit("components/shared/container.ts", '"geostack.role": role', '"geostack.role": role === "geoserver" ? "map-server" : role');
        git("commit", "--quiet", "--all", "--message", "rename GeoServer's role label");
        const result = diff("--stack", "dev");
        expect(result.status, result.stderr).toBe(0);
        const out = result.stdout;
        expect(out).toContain("### Stack `dev`: 1 to replace, 0 to remove, 0 to update, 0 to add");
        expect(out).toContain("#### Replace `geostack-geoserver` (`docker:index/container:Container`, named `geostack-dev-geoserver`)");
        expect(out).toContain("Docker must recreate this container");
        expect(out).toContain('| `labels["geostack.role"]` | `geoserver` | `map-server` |');
        expect(out).not.toContain("DATA LOSS");
    }, 120_000);

    it("flags an added GeoServer extension as a rebuild and a replacement of the GeoServer container, with downtime", () => {
        git("checkout", "--quiet", "-b", "extension", "main");
        // Nothing is pinned in extension-checksums.sha256 yet: the stack accepts an unpinned zip.
        edit(
            "Pulumi.dev.yaml",
            "geostack:pushImage: false",
            "geostack:pushImage: false\n    geostack:allowUnpinnedExtensions: true\n    geostack:geoserverExtensions:\n        - wps",
        );
        git("commit", "--quiet", "--all", "--message", "add WPS");
        const result = diff("--stack", "dev");
        expect(result.status, result.stderr).toBe(0);
        const out = result.stdout;
        expect(out).toContain("> ⏸️ **Downtime: `geostack-dev-geoserver` is recreated (stopped, removed, started anew).**");
        expect(out).toContain("#### Replace `geostack-geoserver` (`docker:index/container:Container`, named `geostack-dev-geoserver`)");
        expect(out).toMatch(/Docker must recreate this container for `image`: it is stopped, removed and started anew \(downtime\)\./);
        // The image itself is rebuilt in place.
        expect(out).toContain("#### Update `geostack-geoserver-image` (`docker-build:index:Image`)");
        expect(out).toMatch(/\| `buildArgs\.GEOSERVER_EXTENSIONS` \| [^|]* \| `wps` \|/);
    }, 120_000);

    it("flags a change of the GeoServer image's build context as a rebuild that replaces the GeoServer container", () => {
        git("checkout", "--quiet", "-b", "dockerfile", "main");
        edit("images/geoserver/Dockerfile", "USER root\n", 'LABEL geostack.note="rebuilt"\nUSER root\n');
        git("commit", "--quiet", "--all", "--message", "a label in the GeoServer image");
        const result = diff("--stack", "dev");
        expect(result.status, result.stderr).toBe(0);
        const out = result.stdout;
        expect(out).toContain("### Stack `dev`: 1 to replace, 0 to remove, 1 to update, 0 to add");
        expect(out).toContain("#### Replace `geostack-geoserver` (`docker:index/container:Container`, named `geostack-dev-geoserver`)");
        expect(out).toContain("#### Update `geostack-geoserver-image` (`docker-build:index:Image`)");
        expect(out).toMatch(/\| `contextHash` \| `[0-9a-f]{64}` \| `[0-9a-f]{64}` \|/);
        expect(out).toMatch(
            /\| `image` \| `geostack\/geoserver:2\.28\.4 \(built here, image ID sha256:[0-9a-f]{12}\)` \| `geostack\/geoserver:2\.28\.4 \(built here, image ID sha256:[0-9a-f]{12}\)` \|/,
        );
    }, 120_000);

    it("flags a renamed volume as data loss, in bold, noting prod's protection", () => {
        git("checkout", "--quiet", "-b", "volume", "main");
        edit("components/geoserver/geoserver.ts", "-geoserver-data` }", "-geoserver-files` }");
        git("commit", "--quiet", "--all", "--message", "rename GeoServer's volume");
        const result = diff();
        expect(result.status, result.stderr).toBe(0);
        const out = result.stdout;
        expect(out).toContain("> ⚠️ **Data loss: `geostack-dev-geoserver-files` is removed or replaced.**");
        expect(out).toContain("#### ⚠️ **Replace `geostack-geoserver-data` (`docker:index/volume:Volume`, named `geostack-prod-geoserver-files`): DATA LOSS**");
        expect(out).toContain("| `name` | `geostack-prod-geoserver-data` | `geostack-prod-geoserver-files` |");
        expect(out).toMatch(/\*\*Docker volumes cannot change in place[^\n]*It is protected: `pulumi up` refuses/);
        // The container mounting it changes too.
        expect(out).toContain('| `volumes["/opt/geoserver_data"]` | `volume geostack-dev-geoserver-data` | `volume geostack-dev-geoserver-files` |');
    }, 120_000);

    it("renders a stack file of any name, its unset secrets stood in (a staging copy of prod)", () => {
        git("checkout", "--quiet", "-b", "staging", "main");
        const prod = fs.readFileSync(path.join(repo, "Pulumi.prod.yaml"), "utf8");
        expect(prod).not.toMatch(/^ *geostack:registryPassword:/m);
        fs.writeFileSync(path.join(repo, "Pulumi.staging.yaml"), prod.replace("geostack.example.org", "staging.example.org"));
        git("add", "Pulumi.staging.yaml");
        git("commit", "--quiet", "--message", "a staging stack");
        const result = diff();
        expect(result.status, result.stdout).toBe(0);
        expect(result.stdout).toContain("### Stack `staging`: 0 to replace, 0 to remove, 0 to update,");
        expect(result.stdout).toContain("geostack-staging-geoserver");
        expect(result.stdout).toContain("### Stack `prod`: no changes");
        expect(result.stdout).not.toContain(STAND_IN_SECRET);
    }, 120_000);

    it("reports a base that does not exist, and a stack config that fails, with a non-zero exit", () => {
        expect(node("diff-cli.ts", ["--base", "no-such-ref", "--project-dir", repo])).toMatchObject({
            status: 2,
            stderr: expect.stringContaining("no-such-ref"),
        });
        git("checkout", "--quiet", "-b", "broken", "main");
        edit("Pulumi.dev.yaml", "geostack:publishDatabasePort: 15432", "geostack:publishDatabasePort: 99999");
        git("commit", "--quiet", "--all", "--message", "bad port");
        const result = diff("--stack", "dev");
        expect(result.status).toBe(1);
        expect(result.stdout).toContain("### Stack `dev`: the program fails at this change");
        expect(result.stdout).toContain("geostack:publishDatabasePort = 99999");
    }, 120_000);
});
