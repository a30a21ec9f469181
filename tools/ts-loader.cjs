// A require hook for this project's TypeScript, used by the program's entry point (main.cjs, which `pulumi up` and
// `pulumi preview` load) and by the tools (`node -r ./tools/ts-loader.cjs tools/render/cli.ts ...`).
//
// Each file is transpiled on its own (TypeScript's transpileModule, with the compiler options of the nearest
// tsconfig.json), without a type check: types are checked by `npm run typecheck`, the editor and CI, not again on
// every preview and deploy. The JavaScript is cached in node_modules/.cache/geostack-ts (or $GEOSTACK_TS_CACHE_DIR)
// under a digest of the TypeScript version, the tsconfig.json text, the file's name and its content: an edited file
// is transpiled afresh, an unchanged one never twice, and TypeScript itself is loaded only when something changed.
//
// Run as a command (`node tools/ts-loader.cjs <file or folder>...`, which `npm ci` runs through the prepare script),
// it fills the cache ahead: a fresh checkout's first `pulumi preview` then loads as fast as compiled JavaScript.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const cacheDir = process.env.GEOSTACK_TS_CACHE_DIR || path.join(__dirname, "..", "node_modules", ".cache", "geostack-ts");
// V8's compile cache (Node 22.1+) beside it: every module loaded after this one, the Pulumi SDK and the providers among
// them, starts from cached bytecode instead of being parsed and compiled again on every run.
require("node:module").enableCompileCache?.(path.join(cacheDir, "v8"));
const typescriptVersion = require("typescript/package.json").version;
/** Source maps of the transpiled files, for stack traces (see installSourceMaps). */
const sourceMaps = new Map();
let ts;

/** The nearest tsconfig.json above a directory, and its text (memoized per directory). */
const configs = new Map();
function configOf(dir) {
    if (!configs.has(dir)) {
        const file = path.join(dir, "tsconfig.json");
        const parent = path.dirname(dir);
        if (fs.existsSync(file)) configs.set(dir, { file, text: fs.readFileSync(file, "utf8") });
        else if (parent === dir) throw new Error(`no tsconfig.json above ${dir}`);
        else configs.set(dir, configOf(parent));
    }
    return configs.get(dir);
}

function compilerOptions(config) {
    if (!config.options) {
        ts ??= require("typescript");
        const json = ts.parseConfigFileTextToJson(config.file, config.text);
        if (json.error) throw new Error(ts.flattenDiagnosticMessageText(json.error.messageText, "\n"));
        const { options } = ts.convertCompilerOptionsFromJson(json.config.compilerOptions ?? {}, path.dirname(config.file));
        // The JavaScript runs from the .ts file's own place, so the map names the source beside it (no outDir).
        const { outDir, rootDir, ...rest } = options;
        config.options = { ...rest, sourceMap: false, declaration: false, inlineSourceMap: true, inlineSources: false };
    }
    return config.options;
}

function transpiled(filename) {
    const source = fs.readFileSync(filename, "utf8");
    const config = configOf(path.dirname(filename));
    // The base name, not the path: the inline source map names the file relative to itself, so the same file in
    // another checkout (render:diff's base) shares the entry.
    const key = crypto
        .createHash("sha256")
        .update([typescriptVersion, config.text, path.basename(filename), source].join("\0"))
        .digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // not cached yet
    }
    ts ??= require("typescript");
    const { outputText, diagnostics } = ts.transpileModule(source, { compilerOptions: compilerOptions(config), fileName: filename, reportDiagnostics: true });
    if (diagnostics?.length) {
        const [first] = diagnostics;
        const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
        throw new SyntaxError(`${filename}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(first.messageText, "\n")}`);
    }
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written whole, then renamed: processes that load the same file at once (render:diff) never read half of it.
    const temp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temp, outputText);
    fs.renameSync(temp, cached);
    return outputText;
}

/** Every .ts file (not .d.ts) under the given files and folders, node_modules left out. */
function typescriptFiles(target) {
    if (fs.statSync(target).isFile()) return target.endsWith(".ts") && !target.endsWith(".d.ts") ? [target] : [];
    return fs
        .readdirSync(target, { withFileTypes: true })
        .filter((entry) => entry.name !== "node_modules")
        .flatMap((entry) => typescriptFiles(path.join(target, entry.name)));
}

require.extensions[".ts"] = (module, filename) => {
    const code = transpiled(filename);
    const map = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(code);
    if (map) sourceMaps.set(filename, Buffer.from(map[1], "base64").toString("utf8"));
    module._compile(code, filename);
};

/**
 * Stack traces in TypeScript lines. Node maps them itself once source maps are enabled, unless source-map-support
 * has taken over `Error.prepareStackTrace`, as @pulumi/pulumi's cmd/run does: that one is given the maps here (it
 * would look for them in the .ts files).
 */
process.setSourceMapsEnabled(true);
try {
    const fromPulumi = require.resolve("source-map-support", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });
    if (require.cache[fromPulumi]) {
        require(fromPulumi).install({
            environment: "node",
            handleUncaughtExceptions: false,
            retrieveSourceMap: (file) => (sourceMaps.has(file) ? { url: file, map: sourceMaps.get(file) } : null),
        });
    }
} catch {
    // no @pulumi/pulumi or source-map-support here: Node's own source maps serve
}

if (require.main === module) {
    const files = process.argv.slice(2).flatMap((target) => typescriptFiles(path.resolve(target)));
    for (const file of files) transpiled(file);
    console.error(`ts-loader: ${files.length} files transpiled or cached in ${path.relative(process.cwd(), cacheDir) || "."}`);
}
