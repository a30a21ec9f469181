// Boots components/ the way the Pulumi CLI does after `pulumi package add` (the nodejs language host runs
// @pulumi/pulumi's run-plugin on the plugin directory, which type-checks it with ts-node and serves every exported
// component), then asks it over gRPC for its schema: it must be the committed components/schema.json.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import { ROOT } from "../support/harness";

const COMPONENTS_DIR = path.join(ROOT, "components");
// The gRPC and protobuf libraries @pulumi/pulumi itself uses: no dependencies of ours.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const { Empty }: typeof emptyTypes = fromPulumi("google-protobuf/google/protobuf/empty_pb");

let host: ChildProcess;
let client: ResourceProviderClient;
let stderr = "";

/** Starts the plugin host; it prints the port it serves on as its first line. */
function startHost(): Promise<number> {
    host = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-plugin"), "."], { cwd: COMPONENTS_DIR });
    host.stderr!.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve, reject) => {
        let stdout = "";
        host.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const port = stdout.match(/^(\d+)\n/);
            if (port) resolve(Number(port[1]));
        });
        host.on("exit", (code) => reject(new Error(`plugin host exited with ${code} before serving:\n${stdout}\n${stderr}`)));
    });
}

const getSchema = (): Promise<string> =>
    new Promise((resolve, reject) => client.getSchema(new GetSchemaRequest(), (error, response) => (error ? reject(error) : resolve(response.getSchema()))));
const getVersion = (): Promise<string> =>
    new Promise((resolve, reject) => client.getPluginInfo(new Empty(), (error, response) => (error ? reject(error) : resolve(response.getVersion()))));

beforeAll(async () => {
    const port = await startHost();
    client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
    client?.close();
    host?.kill();
});

describe("components/ as a Pulumi plugin", () => {
    it("serves the committed schema", async () => {
        const committed = JSON.parse(fs.readFileSync(path.join(COMPONENTS_DIR, "schema.json"), "utf8"));
        expect(JSON.parse(await getSchema())).toEqual(committed);
    });

    it("reports the package version", async () => {
        expect(await getVersion()).toBe(JSON.parse(fs.readFileSync(path.join(COMPONENTS_DIR, "package.json"), "utf8")).version);
    });
});
