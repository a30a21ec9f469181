// Loads index.ts as `pulumi up` does (@pulumi/pulumi's cmd/run: ts-node, the project's tsconfig.json, type-checking
// on), under the provider mocks, and prints what it registered. Usage: node run-like-pulumi.cjs <project dir> <stack>
const path = require("node:path");
const [root, stack] = process.argv.slice(2);
process.chdir(root);
const projectRequire = require("node:module").createRequire(path.join(root, "index.ts"));
const tsutils = projectRequire("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
const tsnode = projectRequire(tsnodeRequire);
tsnode.register({
    compiler: typescriptRequire,
    transpileOnly: compilerOptions.noCheck,
    project: "tsconfig.json",
    skipProject: false,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});
console.log(`ts-node ${tsnode.VERSION} typescript ${projectRequire(typescriptRequire).version}`);

const pulumi = projectRequire("@pulumi/pulumi");
const { secretKeysOf, stackConfig } = require(path.join(root, "tools/render/stack-config.ts"));
const { installMocks } = require(path.join(root, "tools/render/mocks.ts"));
const config = stackConfig(stack, root);
pulumi.runtime.setAllConfig(config, secretKeysOf(stack, root, config));
const mocks = installMocks("geostack", stack);
const program = require(path.join(root, "index.ts"));
pulumi.output(program.geoserverUrl).apply((url) => console.log(`geoserverUrl ${url}`));
process.on("beforeExit", () => {
    const containers = mocks.resources.filter((r) => r.type === "docker:index/container:Container").map((r) => r.inputs.name);
    console.log(`containers ${containers.sort().join(",")}`);
});
