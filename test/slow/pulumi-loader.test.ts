import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSecret, reveal } from "../../tools/render/mocks";
import { programOptions, runLikePulumi } from "../../tools/render/engine";
import { secretKeysOf } from "../../tools/render/stack-config";
import { ROOT, stackConfig } from "../support/harness";

// The tests import index.ts through vitest; `pulumi up` and `pulumi preview` start Pulumi.yaml's `main` through
// @pulumi/pulumi's cmd/run, with the command line and environment of the nodejs language host. This runs exactly
// that, against a stand-in engine (tools/render/engine.ts), so a program only vitest can load fails here.
let temp: string;

beforeAll(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-loader-"));
});

afterAll(() => {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
});

/** A cache directory of its own: every run here starts cold, as on a fresh CI runner. */
const coldCache = () => ({ GEOSTACK_TS_CACHE_DIR: fs.mkdtempSync(path.join(temp, "cache-")) });

function run(projectDir: string, stack: string, dryRun: boolean, env: Record<string, string>) {
    const config = stackConfig(stack, projectDir);
    return runLikePulumi({ projectDir, stack, config, secretKeys: secretKeysOf(stack, projectDir, config), dryRun, env });
}

const containerNames = (result: Awaited<ReturnType<typeof run>>) =>
    result.mocks
        .ofType("docker:index/container:Container")
        .map((r) => reveal(r.inputs.name))
        .sort();

describe("the program under the loader `pulumi up` and `pulumi preview` use", () => {
    it("is main.cjs with Pulumi's own ts-node off (it would type-check the whole program on every run)", () => {
        expect(programOptions(ROOT)).toMatchObject({ main: "main.cjs", typescript: false });
    });

    it.each([
        ["dev", true, "http://geostack.localhost/geoserver/", []],
        ["dev", false, "http://geostack.localhost/geoserver/", []],
        // The committed prod stack keeps its placeholders, and says so (warnings to the engine).
        ["prod", true, "https://geostack.example.org/geoserver/", ["domain geostack.example.org", "acmeEmail admin@example.org"]],
        ["prod", false, "https://geostack.example.org/geoserver/", ["domain geostack.example.org", "acmeEmail admin@example.org"]],
    ])("runs the %s stack (dry run: %s) from a cold cache, its secrets kept secret over gRPC", async (stack, dryRun, url, placeholders) => {
        const result = await run(ROOT, stack, dryRun, coldCache());
        expect(result.stderr).toBe("");
        expect(result.errors).toEqual(placeholders.map((value) => expect.stringMatching(new RegExp(`^${value} is a documentation placeholder`))));
        expect(result.status).toBe(0);
        expect(result.outputs.geoserverUrl).toBe(url);
        expect(isSecret(result.outputs.databasePassword)).toBe(true);
        // Prod backs up: its backup container and the never-started one that loads its scripts.
        const backup = stack === "prod" ? ["backup", "backup-files"] : [];
        expect(containerNames(result)).toEqual(
            [...backup, "docker-socket-proxy", "geoserver", "postgis", "traefik"].map((role) => `geostack-${stack}-${role}`),
        );
    });

    describe("in a copy of the project", () => {
        let copy: string;
        let cache: Record<string, string>;
        const edit = (file: string, from: string, to: string) => {
            const target = path.join(copy, file);
            const content = fs.readFileSync(target, "utf8");
            expect(content, `${file} no longer contains ${from}`).toContain(from);
            fs.writeFileSync(target, content.replace(from, to));
        };

        beforeAll(() => {
            copy = path.join(temp, "project");
            const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" });
            for (const file of files.split("\0").filter(Boolean)) {
                if (!fs.lstatSync(path.join(ROOT, file), { throwIfNoEntry: false })?.isFile()) continue;
                fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
                fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
            }
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
            cache = coldCache();
        });

        it("never runs stale code: an edited file is transpiled afresh, through the same cache", async () => {
            const role = (result: Awaited<ReturnType<typeof run>>) =>
                reveal(result.mocks.get("docker:index/container:Container", "geostack-geoserver").inputs.labels).find(
                    (l: { label: string }) => l.label === "geostack.role",
                ).value;
            expect(role(await run(copy, "dev", true, cache))).toBe("geoserver");
            edit("components/shared/container.ts", '"geostack.role": role', '"geostack.role": role === "geoserver" ? "map-server" : role');
            expect(role(await run(copy, "dev", true, cache))).toBe("map-server");
        });

        it("reports a runtime error at its TypeScript line, through cmd/run's source-map-support", async () => {
            const start = /export function loadStackConfig\(\)[^{]*\{\n/.exec(fs.readFileSync(path.join(copy, "config.ts"), "utf8"))![0];
            edit("config.ts", start, `${start}    throw new Error("boom");\n`);
            const line = fs.readFileSync(path.join(copy, "config.ts"), "utf8").split("\n").indexOf('    throw new Error("boom");') + 1;
            const result = await run(copy, "dev", true, cache);
            expect(result.status).not.toBe(0);
            // biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI colours of the engine's log
            const reported = `${result.stderr}${result.errors.join("\n")}`.replace(/\x1b\[[0-9;]*m/g, "");
            expect(reported).toContain(`at loadStackConfig (${path.join(copy, "config.ts")}:${line}:11)`);
            edit("config.ts", '    throw new Error("boom");\n', "");
        });

        it("stops on a syntax error, naming the file and line", async () => {
            edit("config.ts", "export const CONFIG_NAMESPACE", "export const CONFIG_NAMESPACE: number =");
            const result = await run(copy, "dev", true, cache);
            expect(result.status).not.toBe(0);
            expect(`${result.stderr}${result.errors.join("\n")}`).toMatch(/config\.ts:\d+:\d+: /);
        });
    });
});
