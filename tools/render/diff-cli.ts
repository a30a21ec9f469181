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
import * as ts from "typescript";
import { diffRenders, formatMarkdown, code } from "./diff";
import type { Rendered } from "./render";
import { findProjectDir, isUsageError, readProjectFile, stackFileExists, UsageError } from "./stack-config";

const run = promisify(execFile);
const RENDER_CLI = path.join(__dirname, "cli.js");

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

function stacksIn(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined);
}

/**
 * Transpiles a checkout's TypeScript with its own tsconfig (no type check: CI type-checks every change, and a
 * base ref has passed it) and returns its compiled program. Much faster than tsc, which matters in CI.
 */
function transpile(projectDir: string, outDir: string): string {
    const configFile = path.join(projectDir, "tsconfig.json");
    const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    if (!parsed) throw new Error(`cannot read ${configFile}`);
    for (const file of parsed.fileNames) {
        const relative = path.relative(projectDir, file);
        if (!file.endsWith(".ts") || file.endsWith(".d.ts") || relative.startsWith("..")) continue;
        const { outputText } = ts.transpileModule(fs.readFileSync(file, "utf8"), {
            compilerOptions: { ...parsed.options, sourceMap: false, declaration: false },
            fileName: file,
        });
        const target = path.join(outDir, relative.replace(/\.ts$/, ".js"));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, outputText);
    }
    const main = String(readProjectFile(projectDir, "Pulumi.yaml").main ?? "index.ts");
    return path.join(outDir, main.replace(/\.ts$/, ".js"));
}

/** True when projectDir is the checkout this render code was compiled from (and so is compiled already). */
function isOwnCheckout(projectDir: string): boolean {
    try {
        return fs.realpathSync(projectDir) === fs.realpathSync(findProjectDir());
    } catch {
        return false;
    }
}

type Side = { rendered: Rendered | null } | { error: string };

async function renderSide(projectDir: string, program: string, stack: string): Promise<Side> {
    if (!stackFileExists(projectDir, stack)) return { rendered: null };
    try {
        const { stdout } = await run(process.execPath, [RENDER_CLI, "--json", "--stack", stack, "--project-dir", projectDir, "--program", program], {
            maxBuffer: 64 * 1024 * 1024,
            timeout: 5 * 60 * 1000,
        });
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
    const baseDir = path.join(worktree, path.relative(topLevel, fs.realpathSync(projectDir)));
    const nodeModulesLink = path.join(baseDir, "node_modules");
    try {
        await git(projectDir, "worktree", "add", "--detach", "--quiet", worktree, sha);
        // The base renders against this checkout's packages: its own are not installed.
        if (!fs.existsSync(nodeModulesLink)) fs.symlinkSync(path.join(projectDir, "node_modules"), nodeModulesLink, "dir");
        const baseProgram = transpile(baseDir, path.join(baseDir, "bin"));
        // `npm run render:diff` has just compiled this checkout to bin/; another one (--project-dir) is compiled here.
        const headProgram = isOwnCheckout(projectDir) ? path.join(projectDir, "bin", "index.js") : transpile(projectDir, path.join(projectDir, "bin"));
        const stacks = options.stacks.length ? options.stacks : [...new Set([...stacksIn(projectDir), ...stacksIn(baseDir)])].sort();
        let failed = false;
        const sections: string[] = [];
        for (const stack of stacks) {
            const [before, after] = await Promise.all([renderSide(baseDir, baseProgram, stack), renderSide(projectDir, headProgram, stack)]);
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
