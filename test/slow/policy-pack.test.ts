import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACK_NAME, policies } from "../../policy/rules";
import { deployStack, ROOT, stackConfig } from "../support/harness";
import { type AnalyzedResource, analyze, analyzed, brief, planted, readPackConfig, reconcile, UNKNOWN, type Violation } from "../support/policy";

// The pack started as the Pulumi CLI starts it (the Node.js language host's RunPlugin for an analyzer: node on the pack's
// own @pulumi/pulumi/cmd/run-policy-pack, cwd policy/, engine address then pack directory, the stack in the environment;
// pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go), its port read from its first line of output, then called
// as the engine calls it (pkg/engine/update.go, pkg/resource/deploy/step_generator.go): ConfigureStack, GetAnalyzerInfo,
// Configure with the reconciled config, Analyze per resource with AnalyzerResourceOptions, AnalyzeStack at the end.
const PACK = path.join(ROOT, "policy");
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc = fromPulumi("@grpc/grpc-js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof import("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof import("google-protobuf/google/protobuf/empty_pb");

const LEVELS: Record<number, string> = Object.fromEntries(Object.entries(analyzer.EnforcementLevel).map(([name, value]) => [value, name.toLowerCase()]));
const TYPES: Record<number, string> = Object.fromEntries(Object.entries(analyzer.PolicyType).map(([name, value]) => [value, name]));

let pack: ChildProcess;
let client: analyzerRpc.AnalyzerClient;
let startedInMs: number;
let resources: AnalyzedResource[];

function startPack(stack: string): Promise<{ child: ChildProcess; port: number }> {
    const runPolicyPack = createRequire(path.join(PACK, "package.json")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
    const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", PACK], {
        cwd: PACK,
        env: {
            ...process.env,
            PULUMI_NODEJS_PROJECT: "geostack",
            PULUMI_NODEJS_STACK: stack,
            PULUMI_NODEJS_DRY_RUN: "true",
            PULUMI_NODEJS_TYPESCRIPT: "true",
            PULUMI_CONFIG: JSON.stringify(stackConfig(stack)),
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        child.stderr!.on("data", (chunk) => {
            stderr += chunk;
        });
        child.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const line = stdout.split("\n")[0];
            if (stdout.includes("\n") && /^\d+$/.test(line)) resolve({ child, port: Number(line) });
        });
        child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before printing its port:\n${stdout}\n${stderr}`)));
    });
}

function rpc<Req, Res>(method: (req: Req, callback: (error: Error | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => method.call(client, request, (error, response) => (error ? reject(error) : resolve(response))));
}

const struct = (value: Record<string, unknown>) => Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));

function options(r: AnalyzedResource): analyzer.AnalyzerResourceOptions {
    const o = new analyzer.AnalyzerResourceOptions();
    o.setProtect(r.protect);
    o.setParent(r.parent);
    o.setCustomtimeouts(new analyzer.AnalyzerResourceOptions.CustomTimeouts());
    return o;
}

/** Sends the pack the config the CLI would for `--policy-pack-config policy/config.<stack>.json`. */
async function configure(stack: string): Promise<void> {
    const request = new analyzer.ConfigureAnalyzerRequest();
    for (const [name, { enforcementLevel, properties }] of Object.entries(reconcile(readPackConfig(stack)))) {
        const config = new analyzer.PolicyConfig();
        config.setEnforcementlevel(analyzer.EnforcementLevel[enforcementLevel.toUpperCase() as keyof typeof analyzer.EnforcementLevel]);
        config.setProperties(struct(properties));
        request.getPolicyconfigMap().set(name, config);
    }
    await rpc(client.configure, request);
}

interface Answer {
    violations: Violation[];
    notApplicable: string[];
}

function answer(response: analyzer.AnalyzeResponse, resource: string): Answer {
    return {
        violations: response.getDiagnosticsList().map((d) => {
            expect([d.getPolicypackname(), d.getPolicypackversion()]).toEqual([PACK_NAME, packVersion()]);
            return {
                policy: d.getPolicyname(),
                level: LEVELS[d.getEnforcementlevel()] as Violation["level"],
                resource: d.getUrn() ? d.getUrn().split("::").pop()! : resource,
                message: d.getMessage(),
            };
        }),
        notApplicable: response.getNotApplicableList().map((n) => `${n.getPolicyName()} ${resource}: ${n.getReason()}`),
    };
}

/** Every resource through Analyze (inputs), then all of them through AnalyzeStack (outputs), as one preview does. */
async function analyzeOverGrpc(list: AnalyzedResource[]): Promise<Answer> {
    const all: Answer = { violations: [], notApplicable: [] };
    for (const r of list) {
        const request = new analyzer.AnalyzeRequest();
        request.setUrn(r.urn);
        request.setType(r.type);
        request.setName(r.name);
        request.setProperties(struct(r.inputs));
        request.setOptions(options(r));
        const { violations, notApplicable } = answer(await rpc(client.analyze, request), r.name);
        all.violations.push(...violations);
        all.notApplicable.push(...notApplicable);
    }
    const stack = new analyzer.AnalyzeStackRequest();
    stack.setResourcesList(
        list.map((r) => {
            const resource = new analyzer.AnalyzerResource();
            resource.setUrn(r.urn);
            resource.setType(r.type);
            resource.setName(r.name);
            resource.setProperties(struct(r.outputs));
            resource.setOptions(options(r));
            resource.setParent(r.parent);
            return resource;
        }),
    );
    const { violations, notApplicable } = answer(await rpc(client.analyzeStack, stack), "(stack)");
    return { violations: [...all.violations, ...violations], notApplicable: [...all.notApplicable, ...notApplicable] };
}

const packVersion = () => JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")).version;
const sorted = (violations: Violation[]) =>
    [...violations].sort((a, b) => `${a.policy} ${a.resource} ${a.message}`.localeCompare(`${b.policy} ${b.resource} ${b.message}`));

beforeAll(async () => {
    resources = analyzed((await deployStack("prod")).mocks.resources);
    const start = Date.now();
    const started = await startPack("prod");
    startedInMs = Date.now() - start;
    pack = started.child;
    client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
    const stack = new analyzer.AnalyzerStackConfigureRequest();
    stack.setProject("geostack");
    stack.setStack("prod");
    stack.setDryRun(true);
    await rpc(client.configureStack, stack);
}, 120_000);

afterAll(() => {
    client?.close();
    pack?.kill();
});

describe("the policy pack, served as the CLI starts it", () => {
    it("starts from policy/ with its own dependencies and describes itself as the CLI reads it", async () => {
        expect(startedInMs).toBeLessThan(60_000);
        const info = await rpc<InstanceType<typeof Empty>, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
        expect([info.getName(), info.getVersion(), info.getSupportsconfig()]).toEqual([PACK_NAME, packVersion(), true]);
        expect(info.getPoliciesList().map((p) => `${p.getName()} ${TYPES[p.getPolicyType()]} ${LEVELS[p.getEnforcementlevel()]}`)).toEqual(
            policies.map((p) => `${p.name} ${"validateStack" in p ? "POLICY_TYPE_STACK" : "POLICY_TYPE_RESOURCE"} ${p.enforcementLevel}`),
        );
        const ports = info.getPoliciesList().find((p) => p.getName() === "no-public-ports")!;
        expect(ports.getConfigschema()!.getProperties()!.toJavaScript()).toMatchObject({ edgeHostPorts: { type: "array", default: [80, 443] } });
    });

    it("finds over gRPC exactly what the rule functions find on prod: nothing, no password in any environment included", async () => {
        await configure("prod");
        const served = await analyzeOverGrpc(resources);
        expect(sorted(served.violations)).toEqual(sorted(analyze(resources, readPackConfig("prod")).violations));
        expect(brief(served.violations)).toEqual([]);
        expect(served.notApplicable).toEqual([]);
    });

    it("blocks a public database port and a backend container off the internal networks, as mandatory", async () => {
        await configure("prod");
        const faulty = planted(
            planted(resources, "geostack-postgis", (p) => {
                p.ports = [{ internal: 5432, external: 5432, ip: "0.0.0.0" }];
            }),
            "geostack-traefik-docker-socket-proxy",
            (p) => {
                p.networksAdvanced = [...p.networksAdvanced, { name: "geostack-prod-proxy" }];
            },
        );
        const served = await analyzeOverGrpc(faulty);
        const found = served.violations.filter((v) => v.policy !== "no-secrets-in-env");
        expect(found.map((v) => `${v.policy} ${v.resource} ${v.level}`)).toEqual([
            "no-public-ports geostack-postgis mandatory",
            "backend-containers-on-internal-networks geostack-traefik-docker-socket-proxy mandatory",
        ]);
        expect(found[0].message).toContain("publishes its port 5432 on every IPv4 interface (0.0.0.0), host port 5432");
    });

    it("says not applicable, instead of the SDK's advisory downgrade, for a value unknown at preview", async () => {
        await configure("prod");
        const unknownImage = planted(resources, "geostack-traefik", (p) => {
            p.image = UNKNOWN;
        });
        const served = await analyzeOverGrpc(unknownImage.filter((r) => r.name === "geostack-traefik"));
        expect(served.violations).toEqual([]);
        expect(served.notApplicable).toEqual([
            "images-pinned geostack-traefik: string value at .image can't be known during preview; checked on the resolved value when `pulumi up` registers the resource",
        ]);
    });

    it("takes each stack's config file: dev's leaves its unprotected volumes alone, prod's blocks them", async () => {
        const unprotected = planted(resources, "geostack-postgis-data-pg17", (_, r) => {
            r.protect = false;
        }).filter((r) => r.type === "docker:index/volume:Volume");
        await configure("dev");
        expect((await analyzeOverGrpc(unprotected)).violations).toEqual([]);
        await configure("prod");
        expect((await analyzeOverGrpc(unprotected)).violations.map((v) => `${v.policy} ${v.resource} ${v.level}`)).toEqual([
            "protected-data-volumes geostack-postgis-data-pg17 mandatory",
        ]);
    });
});
