/**
 * `npm run bench:loader [-- --rounds 5]`: how long `pulumi preview` / `pulumi up` take to evaluate the program, per
 * way of loading it, each run exactly as the nodejs language host starts it (@pulumi/pulumi's cmd/run against the
 * stand-in engine of tools/render/engine.ts), on a cold cache unless it says warm. Prints the medians of the
 * program process's CPU time (steady whatever else the machine runs) and wall time, and their ratio to the compiled
 * program (tsc's JavaScript, `typescript: false`) and to the floor (a bare program that loads @pulumi/pulumi,
 * @pulumi/docker and @pulumi/random and registers as many trivial resources).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { runLikePulumi } from "../render/engine";
import { secretKeysOf, stackConfig } from "../render/stack-config";
import { copyProject, median, ROOT, rounds, table } from "./support";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-bench-loader-"));

/** A copy of the project whose Pulumi.yaml loads the program another way. */
function variant(name: string, main: string, typescript: boolean): string {
    const dir = copyProject(path.join(temp, name));
    const project = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
    project.main = main;
    project.runtime = { name: "nodejs", options: { typescript } };
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(project));
    return dir;
}

function floorProject(resources: number): string {
    const dir = path.join(temp, "floor");
    fs.mkdirSync(dir);
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        stringify({ name: "floor", runtime: { name: "nodejs", options: { typescript: false } }, main: "index.js" }),
    );
    fs.writeFileSync(
        path.join(dir, "index.js"),
        [
            'require("@pulumi/pulumi");',
            'const docker = require("@pulumi/docker");',
            'const random = require("@pulumi/random");',
            `for (let i = 0; i < ${resources - 1}; i++) new docker.Volume("v" + i, { name: "v" + i });`,
            'exports.password = new random.RandomPassword("p", { length: 16 }).result;',
        ].join("\n"),
    );
    return dir;
}

const cold = () => fs.mkdtempSync(path.join(temp, "cache-"));
const cpuFile = path.join(temp, "cpu-ms");
const measured = { NODE_OPTIONS: `--require ${path.join(__dirname, "cpu-usage.cjs")}`, GEOSTACK_BENCH_CPU_FILE: cpuFile };

async function main() {
    const n = rounds(5);
    const warmCache = cold();
    const compiled = variant("compiled", "bin/index.js", false);
    // The program only, with the project's compiler options, as tsc would build it for `main: bin/index.js`.
    const programConfig = { extends: "./tsconfig.json", include: ["index.ts", "config.ts", "components/**/*.ts"] };
    fs.writeFileSync(path.join(compiled, "tsconfig.program.json"), JSON.stringify(programConfig));
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.program.json", "--outDir", "bin"], { cwd: compiled });
    const tsNode = variant("ts-node", "index.ts", true);
    const resources = (await runLikePulumi({ projectDir: ROOT, stack: "dev", config: stackConfig("dev", ROOT) })).mocks.resources.length;
    const floor = floorProject(resources);
    type Variant = { name: string; dir: string; env: () => Record<string, string> };
    const variants: Variant[] = [
        { name: "floor (bare program, compiled)", dir: floor, env: () => ({}) },
        { name: "compiled program (tsc, typescript: false)", dir: compiled, env: () => ({}) },
        { name: "main.cjs + ts-loader, cold cache (this project)", dir: ROOT, env: () => ({ GEOSTACK_TS_CACHE_DIR: cold() }) },
        { name: "main.cjs + ts-loader, warm cache (as npm ci leaves it)", dir: ROOT, env: () => ({ GEOSTACK_TS_CACHE_DIR: warmCache }) },
        { name: "Pulumi's ts-node, type-checking, cold cache", dir: tsNode, env: () => ({ TS_NODE_CACHE_DIRECTORY: cold() }) },
        {
            name: "Pulumi's ts-node, transpile-only, cold cache",
            dir: tsNode,
            env: () => ({ TS_NODE_CACHE_DIRECTORY: cold(), PULUMI_NODEJS_TRANSPILE_ONLY: "true" }),
        },
    ];
    const out: string[] = [`${os.cpus().length} cores, node ${process.version}, ${n} rounds, ${resources} resources per run`];
    for (const stack of ["dev", "prod"]) {
        const config = stackConfig(stack, ROOT);
        const secretKeys = secretKeysOf(stack, ROOT, config);
        const times = new Map<string, { cpu: number[]; wall: number[] }>(variants.map((v) => [v.name, { cpu: [], wall: [] }]));
        await runLikePulumi({ projectDir: ROOT, stack, config, secretKeys, env: { GEOSTACK_TS_CACHE_DIR: warmCache } });
        // Round-robin, so that a busy moment of the machine weighs on every variant alike.
        for (let round = 0; round < n; round++) {
            for (const v of variants) {
                const env = { ...v.env(), ...measured };
                const run = await runLikePulumi({ projectDir: v.dir, stack, config: v.dir === floor ? {} : config, secretKeys, env });
                if (run.status !== 0) throw new Error(`${v.name} (${stack}) failed:\n${run.stderr}\n${run.errors.join("\n")}`);
                times.get(v.name)!.cpu.push(Number(fs.readFileSync(cpuFile, "utf8")));
                times.get(v.name)!.wall.push(run.wallMs);
            }
        }
        const of = (v: Variant, kind: "cpu" | "wall") => median(times.get(v.name)![kind]);
        const [floor_, compiled_] = variants;
        const rows = variants.map((v) => [
            v.name,
            Math.round(of(v, "cpu")),
            (of(v, "cpu") / of(compiled_, "cpu")).toFixed(2),
            (of(v, "cpu") / of(floor_, "cpu")).toFixed(2),
            Math.round(of(v, "wall")),
            (of(v, "wall") / of(compiled_, "wall")).toFixed(2),
        ]);
        out.push("", `Stack ${stack}: one evaluation (\`pulumi preview\`; \`pulumi up\` runs two), medians`, "");
        out.push(table(["how the program is loaded", "CPU ms", "× compiled", "× floor", "wall ms", "wall × compiled"], rows));
    }
    console.log(out.join("\n"));
}

main()
    .catch((err) => {
        console.error(err);
        process.exitCode = 1;
    })
    .finally(() => fs.rmSync(temp, { recursive: true, force: true }));
