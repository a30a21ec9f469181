/**
 * `npm run bench:render [-- --rounds 5]`: wall time of `npm run render` for one stack on a warm machine (its cache
 * filled), beside what it cost before (a full `tsc` of the program and the tools, then the compiled render), and of
 * `npm run render:diff` of dev and prod against HEAD (both sides rendered, in parallel), beside one render per side.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { median, ROOT, rounds, table } from "./support";

function timed(command: string, args: string[], cwd = ROOT): number {
    const started = performance.now();
    const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
    return performance.now() - started;
}

function main() {
    const n = rounds(5);
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-bench-render-"));
    try {
        // The render before: tsc of the program and tools into bin/, then node on the compiled CLI.
        const tsconfig = path.join(temp, "tsconfig.json");
        fs.writeFileSync(
            tsconfig,
            JSON.stringify({
                extends: path.join(ROOT, "tsconfig.json"),
                compilerOptions: { outDir: path.join(temp, "bin"), rootDir: ROOT },
                include: ["index.ts", "config.ts", "components/**/*.ts", "tools/**/*.ts"].map((p) => path.join(ROOT, p)),
            }),
        );
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(temp, "node_modules"), "dir");
        const tsc = require.resolve("typescript/bin/tsc");
        const before = () =>
            timed(process.execPath, [tsc, "-p", tsconfig]) +
            timed(process.execPath, [path.join(temp, "bin", "tools", "render", "cli.js"), "--stack", "prod", "--project-dir", ROOT]);
        const render = (stack: string) => timed("npm", ["run", "--silent", "render", "--", "--stack", stack]);
        const diff = (...stacks: string[]) =>
            timed("npm", ["run", "--silent", "render:diff", "--", "--base", "HEAD", ...stacks.flatMap((s) => ["--stack", s])]);
        render("prod");
        diff("dev", "prod");
        const times: Record<string, number[]> = { before: [], dev: [], prod: [], diff: [], diffProd: [] };
        for (let round = 0; round < n; round++) {
            times.before.push(before());
            times.dev.push(render("dev"));
            times.prod.push(render("prod"));
            times.diff.push(diff("dev", "prod"));
            times.diffProd.push(diff("prod"));
        }
        const [beforeMs, devMs, prodMs, diffMs, diffProdMs] = ["before", "dev", "prod", "diff", "diffProd"].map((k) => median(times[k]));
        const sequential = 2 * (devMs + prodMs);
        console.log(`${os.cpus().length} cores, node ${process.version}, ${n} rounds, warm cache, medians`);
        console.log("");
        console.log(
            table(
                ["command", "ms", "note"],
                [
                    ["npm run render -- --stack dev", Math.round(devMs), "goal: under 2000 ms"],
                    ["npm run render -- --stack prod", Math.round(prodMs), `${(beforeMs / prodMs).toFixed(1)}× faster than before`],
                    ["before: tsc of program and tools, then render prod", Math.round(beforeMs), ""],
                    [
                        "npm run render:diff -- --base HEAD --stack prod",
                        Math.round(diffProdMs),
                        `${(diffProdMs / (2 * prodMs)).toFixed(2)}× one render per side`,
                    ],
                    [
                        "npm run render:diff -- --base HEAD --stack dev --stack prod",
                        Math.round(diffMs),
                        `${(diffMs / sequential).toFixed(2)}× its four renders one after another`,
                    ],
                ],
            ),
        );
        execFileSync("git", ["worktree", "prune"], { cwd: ROOT });
    } finally {
        fs.rmSync(temp, { recursive: true, force: true });
    }
}

main();
