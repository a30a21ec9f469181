/**
 * Runs the component resources of a Pulumi YAML program (examples/geostack-yaml) the way the engine runs them for
 * `pulumi preview`: the YAML language host registers each as a remote component, and the engine has the component
 * package construct it. Here the package's own plugin host (@pulumi/pulumi's cmd/run-plugin on the `packages:`
 * directory, as Pulumi boots a source-based package) gets each resource's ConstructRequest and registers the children
 * with the stand-in engine (engine.ts). Only what the example uses of Pulumi YAML is read: `config` defaults,
 * `resources` with literal properties or `${pulumi.project}`, `${pulumi.stack}` and `${<config key>}`, and `outputs`
 * as `${<resource>.<output>}`; anything else is an error, so the example cannot outgrow this quietly.
 *
 * `node -r ./tools/ts-loader.cjs tools/render/yaml-program.ts <program dir> <stack>` prints what was registered.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { ConstructRequest, type ConstructResponse } from "@pulumi/pulumi/proto/provider_pb";
import { deserializeProperties, serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { type Engine, startEngine } from "./engine";
import { readProjectFile } from "./stack-config";

const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");

export interface YamlRun {
    engine: Engine;
    /** Each resource's state as its Construct returned it (outputs; secrets keep their marker). */
    states: Record<string, Record<string, unknown>>;
    /** The program's `outputs`, resolved. */
    outputs: Record<string, unknown>;
}

/** `${...}` interpolation of a property, with the values the example uses. */
function interpolate(value: unknown, scope: Record<string, unknown>, where: string): unknown {
    if (typeof value !== "string") return value;
    const whole = /^\$\{([\w.-]+)\}$/.exec(value);
    if (whole) {
        if (!(whole[1] in scope)) throw new Error(`${where}: \${${whole[1]}} is not something this runner resolves`);
        return scope[whole[1]];
    }
    return value.replace(/\$\{([\w.-]+)\}/g, (_, name: string) => {
        if (!(name in scope)) throw new Error(`${where}: \${${name}} is not something this runner resolves`);
        return String(scope[name]);
    });
}

/** Starts the component package's plugin host; it prints the port it serves on as its first line. */
export function startPluginHost(dir: string, engineAddress: string): Promise<{ host: ChildProcess; port: number; stderr: () => string }> {
    const runPlugin = path.join(path.dirname(createRequire(path.join(dir, "index")).resolve("@pulumi/pulumi")), "cmd", "run-plugin");
    const host = spawn(process.execPath, [runPlugin, ".", engineAddress], { cwd: dir });
    let stderr = "";
    host.stderr!.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve, reject) => {
        let stdout = "";
        host.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const port = stdout.match(/^(\d+)\n/);
            if (port) resolve({ host, port: Number(port[1]), stderr: () => stderr });
        });
        host.on("exit", (code) => reject(new Error(`plugin host exited with ${code} before serving:\n${stdout}\n${stderr}`)));
    });
}

/**
 * Constructs every resource of the program through `clientFor(<package dir>)`, a plugin host of the package serving
 * `engine`, and resolves the program's outputs.
 */
export async function constructProgram(
    programDir: string,
    stack: string,
    engine: Engine,
    clientFor: (packageDir: string) => Promise<ResourceProviderClient>,
): Promise<Omit<YamlRun, "engine">> {
    const program = readProjectFile(programDir, "Pulumi.yaml");
    if (program.runtime !== "yaml") throw new Error(`${programDir} is not a Pulumi YAML program`);
    const config: Record<string, string> = {};
    const scope: Record<string, unknown> = { "pulumi.project": program.name, "pulumi.stack": stack };
    for (const [key, decl] of Object.entries<any>(program.config ?? {})) {
        scope[key] = decl.default;
        config[`${program.name}:${key}`] = String(decl.default);
    }
    const states: Record<string, Record<string, unknown>> = {};
    for (const [name, resource] of Object.entries<any>(program.resources ?? {})) {
        const [pkg, ...rest] = String(resource.type).split(":");
        const dir = path.resolve(programDir, program.packages?.[pkg] ?? "");
        if (!program.packages?.[pkg] || !fs.existsSync(path.join(dir, "PulumiPlugin.yaml"))) {
            throw new Error(`resource ${name}: ${resource.type} is not from a local component package under packages:`);
        }
        const client = await clientFor(dir);
        const inputs = Object.fromEntries(
            Object.entries<unknown>(resource.properties ?? {}).map(([key, value]) => [key, interpolate(value, scope, `${name}.${key}`)]),
        );
        const request = new ConstructRequest();
        request.setProject(program.name);
        request.setStack(stack);
        request.setDryrun(true);
        request.setParallel(16);
        request.setMonitorendpoint(engine.address);
        // `geostack:GeoStack` is short for `geostack:index:GeoStack`.
        request.setType(rest.length === 1 ? `${pkg}:index:${rest[0]}` : resource.type);
        request.setName(name);
        request.setInputs(Struct.fromJavaScript(await serializeProperties("yaml", inputs)));
        for (const [key, value] of Object.entries(config)) request.getConfigMap().set(key, value);
        const response = await new Promise<ConstructResponse>((resolve, reject) =>
            client.construct(request, (error, reply) => (error ? reject(error) : resolve(reply))),
        );
        states[name] = deserializeProperties(response.getState()!);
        for (const [key, value] of Object.entries(states[name])) scope[`${name}.${key}`] = value;
    }
    const outputs = Object.fromEntries(
        Object.entries<unknown>(program.outputs ?? {}).map(([key, value]) => [key, interpolate(value, scope, `outputs.${key}`)]),
    );
    return { states, outputs };
}

/** The whole run: a stand-in engine, a plugin host per package (the one package here), every resource constructed. */
export async function runYamlProgram(programDir: string, stack: string): Promise<YamlRun> {
    const program = readProjectFile(programDir, "Pulumi.yaml");
    // The plugin host runs in the package's directory: relative paths in its resources' inputs start there.
    const packageDir = path.resolve(programDir, String(Object.values(program.packages ?? {})[0] ?? "."));
    const engine = await startEngine(program.name, stack, packageDir);
    const hosts: { host: ChildProcess; client: ResourceProviderClient }[] = [];
    try {
        const clientFor = async (dir: string) => {
            const { host, port } = await startPluginHost(dir, engine.address);
            const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            hosts.push({ host, client });
            return client;
        };
        return { engine, ...(await constructProgram(programDir, stack, engine, clientFor)) };
    } finally {
        for (const { host, client } of hosts) {
            client.close();
            host.kill();
        }
        engine.stop();
    }
}

if (require.main === module) {
    const [programDir = ".", stack = "dev"] = process.argv.slice(2);
    runYamlProgram(path.resolve(programDir), stack).then(
        ({ engine, outputs }) => {
            const registered = engine.mocks.resources.map((r) => `  ${r.type}  ${r.name}`);
            process.stdout.write(`${path.basename(path.resolve(programDir))} (${stack}): ${registered.length} resources\n${registered.join("\n")}\n`);
            process.stdout.write(`outputs: ${Object.keys(outputs).sort().join(", ")}\n`);
        },
        (err) => {
            process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
        },
    );
}
