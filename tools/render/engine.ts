/**
 * A stand-in for the Pulumi engine, so that a program runs exactly as `pulumi up` and `pulumi preview` start it: the
 * nodejs language host's command line and environment, @pulumi/pulumi's cmd/run (its loader, its TypeScript handling,
 * its gRPC client), and only the engine and the providers stood in. It serves the ResourceMonitor and Engine gRPC
 * services cmd/run talks to and answers every registration with the provider mocks of `mocks.ts`.
 *
 * How the language host starts the program (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go, `Run`,
 * `constructArguments`, `execRuntime`): `node [runtime.options.nodeargs] node_modules/@pulumi/pulumi/cmd/run --monitor
 * <addr> --engine <addr> --project <p> --root-directory <dir> --stack <s> --pwd <program dir> [--dry-run] --parallel
 * <n> <main>`, with PULUMI_CONFIG (JSON, keys `<namespace>:config:<name>`), PULUMI_CONFIG_SECRET_KEYS, and
 * PULUMI_NODEJS_TYPESCRIPT=true unless `runtime.options.typescript` is false, PULUMI_NODEJS_TSCONFIG_PATH from
 * `runtime.options.tsconfig`.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type * as grpcTypes from "@grpc/grpc-js";
import * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import * as resourceGrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourceProto from "@pulumi/pulumi/proto/resource_pb";
import { deserializeProperties, serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { ProviderMocks, propertyDependenciesOf } from "./mocks";
import { readProjectFile, secretKeysOf, stackConfig } from "./stack-config";

// The gRPC and protobuf libraries @pulumi/pulumi itself uses: no dependencies of ours.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");

export interface EngineRun {
    /** cmd/run's exit code. */
    status: number | null;
    stdout: string;
    stderr: string;
    /** What the engine was told to log at warning or error level. */
    errors: string[];
    mocks: ProviderMocks;
    /** The stack's outputs, as the program registered them on its root resource (secrets keep their marker). */
    outputs: Record<string, unknown>;
    /** From spawning node to its exit, in milliseconds. */
    wallMs: number;
}

export interface RunLikePulumiArgs {
    projectDir: string;
    stack: string;
    /** Full config keys (`geostack:domain`) to string values, as the CLI resolves them. */
    config: Record<string, string>;
    secretKeys?: string[];
    /** `pulumi preview` (true) or the update of `pulumi up` (false). */
    dryRun?: boolean;
    /** Extra environment for the program (e.g. TS_NODE_* or a cache directory). */
    env?: Record<string, string>;
}

type Callback = (error: unknown, response?: unknown) => void;

/** The monitor's answers: every registration goes to the provider mocks, with the options the request carries. */
function monitorService(mocks: ProviderMocks, project: string, stack: string, outputs: Record<string, unknown>, cwd: string) {
    const urnOf = (parent: string, type: string, name: string) => {
        const qualified = parent ? `${parent.split("::")[2]}$${type}` : type;
        return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
    };
    const answer = (callback: Callback, work: () => Promise<unknown>) =>
        work().then(
            (response) => callback(null, response),
            (error) => callback(error),
        );
    const urns = new Map<string, string>();
    return {
        supportsFeature: (call: any, callback: Callback) => {
            // As the mock monitor of @pulumi/pulumi: everything but outputValues, so inputs arrive as plain values.
            const response = new resourceProto.SupportsFeatureResponse();
            response.setHassupport(call.request.getId() !== "outputValues");
            callback(null, response);
        },
        getDeploymentInfo: (_call: unknown, callback: Callback) => callback({ code: grpc.status.UNIMPLEMENTED }),
        registerResource: (call: any, callback: Callback) =>
            answer(callback, async () => {
                const req = call.request;
                const urn = urnOf(req.getParent(), req.getType(), req.getName());
                mocks.pendingOptions = {
                    urn,
                    protect: req.getProtect() ?? false,
                    retainOnDelete: req.getRetainondelete() ?? false,
                    parent: req.getParent(),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies: propertyDependenciesOf(req),
                    provider: req.getProvider() ?? "",
                };
                const args = {
                    type: req.getType(),
                    name: req.getName(),
                    inputs: deserializeProperties(req.getObject()),
                    provider: req.getProvider(),
                    custom: req.getCustom(),
                    id: req.getImportid(),
                };
                // The mocks read files (a build context) at paths relative to the program's working directory, as the
                // providers do: in it for this one synchronous call.
                const here = process.cwd();
                process.chdir(cwd);
                let result: { id: string; state: Record<string, any> };
                try {
                    result = mocks.newResource(args);
                } finally {
                    process.chdir(here);
                }
                urns.set(urn, result.id);
                const response = new resourceProto.RegisterResourceResponse();
                response.setUrn(urn);
                response.setId(req.getCustom() ? result.id : "");
                response.setObject(Struct.fromJavaScript(await serializeProperties("engine", result.state)));
                return response;
            }),
        registerResourceOutputs: (call: any, callback: Callback) => {
            const req = call.request;
            if (req.getUrn().split("::")[2] === "pulumi:pulumi:Stack") Object.assign(outputs, deserializeProperties(req.getOutputs()));
            callback(null, new Empty());
        },
        invoke: (call: any, callback: Callback) =>
            answer(callback, async () => {
                const req = call.request;
                const result = mocks.call({ token: req.getTok(), inputs: deserializeProperties(req.getArgs()) } as any);
                const response = new resourceProto.ResourceInvokeResponse();
                response.setReturn(Struct.fromJavaScript(await serializeProperties("engine", result)));
                return response;
            }),
        registerPackage: (_call: unknown, callback: Callback) => {
            const response = new resourceProto.RegisterPackageResponse();
            response.setRef("engine-stand-in");
            callback(null, response);
        },
        registerStackTransform: (_call: unknown, callback: Callback) => callback(null, new Empty()),
        registerStackInvokeTransform: (_call: unknown, callback: Callback) => callback(null, new Empty()),
        signalAndWaitForShutdown: (_call: unknown, callback: Callback) => callback(null, new Empty()),
    };
}

function engineService(errors: string[]) {
    let root = "";
    return {
        log: (call: any, callback: Callback) => {
            const severity = call.request.getSeverity();
            if (severity >= engineProto.LogSeverity.WARNING) errors.push(call.request.getMessage());
            callback(null, new Empty());
        },
        getRootResource: (_call: unknown, callback: Callback) => {
            const response = new engineProto.GetRootResourceResponse();
            response.setUrn(root);
            callback(null, response);
        },
        setRootResource: (call: any, callback: Callback) => {
            root = call.request.getUrn();
            callback(null, new engineProto.SetRootResourceResponse());
        },
        requirePulumiVersion: (_call: unknown, callback: Callback) => callback(null, new Empty()),
    };
}

function listen(server: grpcTypes.Server): Promise<number> {
    return new Promise((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
}

/** The `main` and `runtime.options` of a project's Pulumi.yaml, as the language host reads them. */
export function programOptions(projectDir: string): { main: string; typescript: boolean; tsconfig?: string; nodeargs: string[] } {
    const project = readProjectFile(projectDir, "Pulumi.yaml");
    const options = (typeof project.runtime === "object" && project.runtime.options) || {};
    return {
        main: project.main ?? ".",
        typescript: options.typescript ?? true,
        tsconfig: options.tsconfig,
        nodeargs: options.nodeargs ? String(options.nodeargs).split(/\s+/).filter(Boolean) : [],
    };
}

/** The stand-in engine: the ResourceMonitor and Engine services on one local port, answered by fresh provider mocks. */
export interface Engine {
    address: string;
    mocks: ProviderMocks;
    /** The stack's outputs, as the program registered them on its root resource (secrets keep their marker). */
    outputs: Record<string, unknown>;
    /** What the engine was told to log at warning or error level. */
    errors: string[];
    stop(): void;
}

/** `cwd`: the program's working directory, which relative paths in its inputs are relative to. */
export async function startEngine(project: string, stack: string, cwd: string = process.cwd()): Promise<Engine> {
    const mocks = new ProviderMocks();
    const outputs: Record<string, unknown> = {};
    const errors: string[] = [];
    const server = new grpc.Server();
    server.addService(resourceGrpc.ResourceMonitorService, monitorService(mocks, project, stack, outputs, cwd) as any);
    server.addService(engineGrpc.EngineService, engineService(errors) as any);
    const port = await listen(server);
    return { address: `127.0.0.1:${port}`, mocks, outputs, errors, stop: () => server.forceShutdown() };
}

/** PULUMI_CONFIG's keys as the language host writes them: `<namespace>:config:<name>`. */
const legacyConfig = (config: Record<string, string>) =>
    Object.fromEntries(Object.entries(config).map(([key, value]) => [key.replace(":", ":config:"), value]));

/** Runs a project's program once as `pulumi preview` (dryRun) or `pulumi up` starts it, against the stand-in engine. */
export async function runLikePulumi(args: RunLikePulumiArgs): Promise<EngineRun> {
    const project = readProjectFile(args.projectDir, "Pulumi.yaml").name;
    const engine = await startEngine(project, args.stack, args.projectDir);
    const options = programOptions(args.projectDir);
    const runPath = path.join(path.dirname(createRequire(path.join(args.projectDir, "index")).resolve("@pulumi/pulumi")), "cmd", "run");
    const argv = [
        ...options.nodeargs,
        runPath,
        ...["--monitor", engine.address, "--engine", engine.address, "--project", project, "--root-directory", args.projectDir, "--stack", args.stack],
        ...["--pwd", args.projectDir, ...(args.dryRun === false ? [] : ["--dry-run"]), "--parallel", "16", options.main],
    ];
    const env: Record<string, string | undefined> = {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(legacyConfig(args.config)),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(args.secretKeys ?? []),
        ...(options.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
        ...(options.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: options.tsconfig } : {}),
        ...args.env,
    };
    const started = performance.now();
    try {
        return await new Promise<EngineRun>((resolve, reject) => {
            const child = spawn(process.execPath, argv, { cwd: args.projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => (stdout += chunk));
            child.stderr.on("data", (chunk) => (stderr += chunk));
            child.on("error", reject);
            child.on("close", (status) => {
                const { mocks, outputs, errors } = engine;
                resolve({ status, stdout, stderr, errors, mocks, outputs, wallMs: performance.now() - started });
            });
        });
    } finally {
        engine.stop();
    }
}

/**
 * `node -r ./tools/ts-loader.cjs tools/render/engine.ts --project-dir <dir> --stack <name> [--update]`: runs a project's
 * program once as `pulumi preview` (or, with --update, `pulumi up`) starts it, against this stand-in engine, and says
 * what it registered. .ci/check-examples.sh runs the examples so.
 */
async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: { "project-dir": { type: "string", default: "." }, stack: { type: "string" }, update: { type: "boolean", default: false } },
    });
    if (!values.stack) {
        process.stderr.write("usage: engine.ts --project-dir <dir> --stack <name> [--update]\n");
        return 2;
    }
    const projectDir = path.resolve(values["project-dir"]!);
    const config = stackConfig(values.stack, projectDir);
    const run = await runLikePulumi({
        projectDir,
        stack: values.stack,
        config,
        secretKeys: secretKeysOf(values.stack, projectDir, config),
        dryRun: !values.update,
    });
    process.stderr.write(run.stderr);
    if (run.status !== 0 || run.errors.length) {
        process.stderr.write(`${run.errors.join("\n")}\nthe program failed (exit ${run.status})\n`);
        return 1;
    }
    const { main: entry, typescript } = programOptions(projectDir);
    const loader = typescript ? "Pulumi's ts-node, type-checking" : "no TypeScript loader of Pulumi's";
    process.stdout.write(
        `${path.basename(projectDir)} (${values.stack}): ${entry} ran as \`pulumi ${values.update ? "up" : "preview"}\` starts it (${loader}), ` +
            `${run.mocks.resources.length} resources, outputs ${Object.keys(run.outputs).sort().join(", ")}\n`,
    );
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
