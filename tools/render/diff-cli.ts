/**
 * `npm run render:diff -- --base <git-ref> [--stack <name>]...`: renders each stack at the base ref (checked out
 * in a temporary git worktree) and in the working tree, both with this checkout's render code, and prints what
 * changes as Markdown. Exits 1 when a side fails to render, 2 on bad usage.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs as parseArgsOf, promisify } from "node:util";
import type * as Diff from "./diff";
import type { Rendered } from "./render";
import { findProjectDir, isUsageError, programOf, stackFileExists, UsageError } from "./project";

const run = promisify(execFile);
const RENDER_CLI = path.join(__dirname, "cli.ts");
// The base's TypeScript is transpiled by the same loader, without a type check (CI type-checks every change, and a
// base ref has passed it); files the two sides share come from its cache.
const TS_LOADER = path.join(__dirname, "..", "ts-loader.cjs");

interface Options {
    base: string;
    stacks: string[];
    projectDir: string;
}

function parseArgs(argv: string[]): Options {
    const { values } = parseArgsOf({
        args: argv,
        options: { base: { type: "string" }, stack: { type: "string", multiple: true, default: [] }, "project-dir": { type: "string" } },
    });
    if (!values.base) throw new UsageError("--base <git-ref> is required");
    return { base: values.base, stacks: values.stack ?? [], projectDir: values["project-dir"] ? path.resolve(values["project-dir"]) : findProjectDir() };
}

function git(cwd: string, ...args: string[]): Promise<string> {
    return run("git", args, { cwd, maxBuffer: 16 * 1024 * 1024 }).then((r) => r.stdout.trim());
}

/** The stacks whose files are among these names. */
function stacksOf(files: string[]): string[] {
    return files.map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((stack): stack is string => stack !== undefined);
}

/** Runs the tasks, at most `limit` at once; the results in the tasks' order. */
async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
    const results: T[] = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) {
            const i = next++;
            results[i] = await tasks[i]();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}

type Side = { rendered: Rendered | null } | { error: string };

async function renderSide(projectDir: string, program: string, stack: string): Promise<Side> {
    if (!stackFileExists(projectDir, stack)) return { rendered: null };
    try {
        const { stdout } = await run(
            process.execPath,
            ["-r", TS_LOADER, RENDER_CLI, "--json", "--stack", stack, "--project-dir", projectDir, "--program", program],
            {
                maxBuffer: 64 * 1024 * 1024,
                timeout: 5 * 60 * 1000,
            },
        );
        return { rendered: JSON.parse(stdout) };
    } catch (err: any) {
        return { error: String(err.stderr || err.message).trim() };
    }
}

async function main(argv: string[]): Promise<number> {
    let options: Options;
    try {
        options = parseArgs(argv);
    } catch (err) {
        if (!isUsageError(err)) throw err;
        process.stderr.write(`render:diff: ${err.message}\nusage: npm run render:diff -- --base <git-ref> [--stack <name>]...\n`);
        return 2;
    }
    const { projectDir } = options;
    const sha = await git(projectDir, "rev-parse", "--verify", "--quiet", `${options.base}^{commit}`).catch(() => "");
    if (!sha) {
        process.stderr.write(`render:diff: ${options.base} is not a commit in this repository (in CI, fetch it first)\n`);
        return 2;
    }
    const topLevel = await git(projectDir, "rev-parse", "--show-toplevel");
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-render-diff-"));
    const worktree = path.join(temp, "base");
    const relative = path.relative(topLevel, fs.realpathSync(projectDir));
    const baseDir = path.join(worktree, relative);
    const nodeModulesLink = path.join(baseDir, "node_modules");
    // The base's checkout is made while this side's renders already run.
    const worktreeReady = git(projectDir, "worktree", "add", "--detach", "--quiet", worktree, sha).then(() => {
        // The base renders against this checkout's packages: its own are not installed.
        if (!fs.existsSync(nodeModulesLink)) fs.symlinkSync(path.join(projectDir, "node_modules"), nodeModulesLink, "dir");
    });
    try {
        const baseStacks = stacksOf((await git(projectDir, "ls-tree", "--name-only", `${sha}:${relative}`)).split("\n"));
        const stacks = options.stacks.length ? options.stacks : [...new Set([...stacksOf(fs.readdirSync(projectDir)), ...baseStacks])].sort();
        // Every render is its own process (the Pulumi runtime is global), as many at once as there are cores; this
        // side's first.
        const renders = [
            ...stacks.map((stack) => () => renderSide(projectDir, programOf(projectDir), stack)),
            ...stacks.map((stack) => () => worktreeReady.then(() => renderSide(baseDir, programOf(baseDir), stack))),
        ];
        const rendering = inParallel(renders, os.availableParallelism());
        // Loaded while the renders run: it brings the render code and the Pulumi SDK with it.
        const { diffRenders, formatMarkdown, code }: typeof Diff = await import("./diff");
        const sides = await rendering;
        let failed = false;
        const sections: string[] = [];
        for (const [i, stack] of stacks.entries()) {
            const [before, after] = [sides[stacks.length + i], sides[i]];
            if ("error" in before || "error" in after) {
                failed = true;
                const [side, error] = "error" in after ? ["this change", after.error] : [code(options.base), (before as { error: string }).error];
                sections.push(`### Stack ${code(stack)}: the program fails at ${side}\n\n\`\`\`\n${error}\n\`\`\`\n`);
                continue;
            }
            sections.push(formatMarkdown(diffRenders(stack, before.rendered, after.rendered), options.base));
        }
        process.stdout.write(`## GeoStack render diff against ${code(options.base)}\n\n${sections.join("\n")}`);
        return failed ? 1 : 0;
    } finally {
        await worktreeReady.catch(() => undefined);
        // Unlinked first, so that nothing that removes the worktree can reach into the real node_modules.
        if (fs.lstatSync(nodeModulesLink, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(nodeModulesLink);
        await git(projectDir, "worktree", "remove", "--force", worktree).catch(() => undefined);
        fs.rmSync(temp, { recursive: true, force: true });
        await git(projectDir, "worktree", "prune").catch(() => undefined);
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            process.stderr.write(`render:diff: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
        },
    );
}
