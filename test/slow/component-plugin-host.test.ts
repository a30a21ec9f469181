// Boots components/ the way the Pulumi CLI does after `pulumi package add` (the nodejs language host runs
// @pulumi/pulumi's run-plugin on the plugin directory, which type-checks it with ts-node and serves every exported
// component), then asks it over gRPC for its schema, which must be the committed components/schema.json, and has it
// construct examples/geostack-yaml's resources as the engine does for that YAML program, against the stand-in engine.
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import { type Engine, startEngine } from "../../tools/render/engine";
import { isSecret, reveal } from "../../tools/render/mocks";
import { constructProgram, startPluginHost } from "../../tools/render/yaml-program";
import { ROOT } from "../support/harness";

const COMPONENTS_DIR = path.join(ROOT, "components");
// The gRPC and protobuf libraries @pulumi/pulumi itself uses: no dependencies of ours.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const { Empty }: typeof emptyTypes = fromPulumi("google-protobuf/google/protobuf/empty_pb");

let host: ChildProcess;
let client: ResourceProviderClient;
let engine: Engine;
const getSchema = (): Promise<string> =>
    new Promise((resolve, reject) => client.getSchema(new GetSchemaRequest(), (error, response) => (error ? reject(error) : resolve(response.getSchema()))));
const getVersion = (): Promise<string> =>
    new Promise((resolve, reject) => client.getPluginInfo(new Empty(), (error, response) => (error ? reject(error) : resolve(response.getVersion()))));

beforeAll(async () => {
    engine = await startEngine("geostack-yaml", "dev", COMPONENTS_DIR);
    const started = await startPluginHost(COMPONENTS_DIR, engine.address);
    host = started.host;
    client = new ResourceProviderClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
    client?.close();
    host?.kill();
    engine?.stop();
});

describe("components/ as a Pulumi plugin", () => {
    it("serves the committed schema", async () => {
        const committed = JSON.parse(fs.readFileSync(path.join(COMPONENTS_DIR, "schema.json"), "utf8"));
        expect(JSON.parse(await getSchema())).toEqual(committed);
    });

    it("reports the package version", async () => {
        expect(await getVersion()).toBe(JSON.parse(fs.readFileSync(path.join(COMPONENTS_DIR, "package.json"), "utf8")).version);
    });

    it("constructs examples/geostack-yaml's GeoStack as the engine does for `pulumi preview` of that YAML program", async () => {
        const example = path.join(ROOT, "examples", "geostack-yaml");
        const { outputs } = await constructProgram(example, "dev", engine, async (dir) => {
            expect(dir).toBe(COMPONENTS_DIR);
            return client;
        });
        const containers = engine.mocks.ofType("docker:index/container:Container").map((r) => reveal(r.inputs.name));
        // namePrefix: ${pulumi.project}-${pulumi.stack}
        expect(containers.sort()).toEqual(["docker-socket-proxy", "geoserver", "postgis", "traefik"].map((role) => `geostack-yaml-dev-${role}`));
        expect(outputs).toMatchObject({ geoserverUrl: "http://geostack.localhost/geoserver/", databaseAddress: "127.0.0.1:15432" });
        // Secret outputs arrive as secrets through Construct, whatever the YAML program does with them.
        expect(isSecret(outputs.databasePassword)).toBe(true);
        expect(isSecret(outputs.geoserverAdminPassword)).toBe(true);
    }, 120_000);
});
