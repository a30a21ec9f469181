import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { PACK_ENFORCEMENT_LEVEL, policies } from "../../policy/rules";
import {
    type EnforcementLevel,
    type PolicyConfigSchema,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
    UnknownValueError,
    unknownCheckingProxy,
} from "../../policy/sdk";
import { installMocks, isSecret, type ProviderMocks, type RegisteredResource } from "../../tools/render/mocks";
import { secretKeysOf, stackConfig } from "../../tools/render/stack-config";
import { ROOT } from "./harness";

/** How the engine marks an unknown value for an analyzer (plugin.MarshalProperties with KeepUnknowns). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A resource as the engine shows it to a policy pack: inputs for Analyze, outputs for AnalyzeStack, secrets in clear. */
export interface AnalyzedResource {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
    protect: boolean;
    parent: string;
}

/** A registered value as the analyzer protocol carries it: secrets unwrapped, unknowns as the sentinel. */
export function asAnalyzerValue(value: unknown): any {
    if (pulumi.isUnknown(value)) return UNKNOWN;
    if (isSecret(value)) return asAnalyzerValue(value.value);
    if (Array.isArray(value)) return value.map(asAnalyzerValue);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asAnalyzerValue(v)]));
    return value;
}

export function analyzed(resources: RegisteredResource[]): AnalyzedResource[] {
    return resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        inputs: asAnalyzerValue(r.inputs),
        outputs: asAnalyzerValue(r.state),
        protect: r.options.protect,
        parent: r.options.parent,
    }));
}

/**
 * Runs index.ts under the mocks as the CLI runs it for `pulumi preview` of a new stack: every output a provider computes
 * (IDs, image IDs and digests, generated passwords, names Docker would pick) is unknown, and so is whatever the program
 * derives from one. The inputs the program states stay known, as a real provider's preview of a create echoes them.
 */
export async function previewProgram(stack: string): Promise<ProviderMocks> {
    const config = stackConfig(stack, ROOT);
    pulumi.runtime.setAllConfig(config, secretKeysOf(stack, ROOT, config));
    const mocks = installMocks("geostack", stack);
    (settings as unknown as { _setIsDryRun(dryRun: boolean): void })._setIsDryRun(true);
    const newResource = mocks.newResource.bind(mocks);
    mocks.newResource = (args) => {
        const created = newResource(args);
        for (const key of Object.keys(created.state)) if (!(key in args.inputs)) created.state[key] = UNKNOWN;
        return { id: "", state: created.state };
    };
    await import("../../index");
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return mocks;
}

/** A policy pack config as `--policy-pack-config` reads it: a level, or an object with a level and properties. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export function readPackConfig(stack: string): PackConfig {
    return JSON.parse(fs.readFileSync(path.join(ROOT, "policy", `config.${stack}.json`), "utf8"));
}

export interface PolicySettings {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

/**
 * The config the CLI sends the pack (pkg/resource/analyzer/config.go, ReconcilePolicyPackConfig): each policy's level and
 * its schema's defaults, then `all`, then the file's entries.
 */
export function reconcile(config: PackConfig = {}): Record<string, PolicySettings> {
    const result: Record<string, PolicySettings> = {};
    for (const p of policies) {
        const schema: PolicyConfigSchema | undefined = p.configSchema;
        const defaults = Object.entries(schema?.properties ?? {}).filter(([, prop]) => prop.default !== undefined);
        result[p.name] = {
            enforcementLevel: p.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL,
            properties: Object.fromEntries(defaults.map(([key, prop]) => [key, prop.default])),
        };
    }
    const levelOf = (entry: PackConfig[string]) => (typeof entry === "string" ? entry : entry.enforcementLevel);
    if (config.all !== undefined) for (const name of Object.keys(result)) result[name].enforcementLevel = levelOf(config.all) ?? result[name].enforcementLevel;
    for (const [name, entry] of Object.entries(config)) {
        if (name === "all") continue;
        const { enforcementLevel, ...properties } = typeof entry === "string" ? { enforcementLevel: entry } : entry;
        result[name] = {
            enforcementLevel: enforcementLevel ?? result[name]?.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL,
            properties: { ...result[name]?.properties, ...properties },
        };
    }
    return result;
}

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    /** The resource's name in the program (its URN's last part). */
    resource: string;
    message: string;
}

export interface NotApplicable {
    policy: string;
    resource: string;
    reason: string;
}

export interface Analysis {
    violations: Violation[];
    notApplicable: NotApplicable[];
}

class NotApplicableError extends Error {}

const isResourcePolicy = (p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy => "validateResource" in p;

/**
 * Runs every policy as @pulumi/policy's server does (server.js: makeAnalyzeRpcFun, makeAnalyzeStackRpcFun), in process:
 * each resource policy on each resource's inputs, each stack policy on every resource's outputs, both behind the SDK's
 * unknown-checking proxy, with the levels and properties of `config`. A policy that reads an unknown without guarding it
 * gets the server's treatment: an advisory "can't run" finding.
 */
export function analyze(resources: AnalyzedResource[], config: PackConfig = {}): Analysis {
    const settingsOf = reconcile(config);
    const result: Analysis = { violations: [], notApplicable: [] };
    const nameOf = (urn: string) => urn.split("::").pop()!;
    for (const p of policies) {
        const { enforcementLevel: level, properties } = settingsOf[p.name];
        if (level === "disabled") continue;
        const common = {
            getConfig: <T>() => properties as T,
            stackTags: new Map<string, string>(),
            notApplicable: (reason?: string): never => {
                throw new NotApplicableError(reason);
            },
        };
        const run = (resource: string, check: (report: (message: string, urn?: string) => void) => void) => {
            try {
                // As the server words a finding: the policy's description, then the message (makeReportViolationFun).
                const report = (message: string, urn?: string) =>
                    result.violations.push({ policy: p.name, level, resource: urn ? nameOf(urn) : resource, message: `${p.description}\n${message}` });
                check(report);
            } catch (error) {
                if (error instanceof NotApplicableError) result.notApplicable.push({ policy: p.name, resource, reason: error.message });
                else if (error instanceof UnknownValueError)
                    result.violations.push({ policy: p.name, level: "advisory", resource, message: `can't run: ${error.message}` });
                else throw error;
            }
        };
        if (isResourcePolicy(p)) {
            const validations = [p.validateResource ?? []].flat();
            for (const r of resources) {
                const props = unknownCheckingProxy(structuredClone(r.inputs));
                const args = { ...common, type: r.type, props, urn: r.urn, name: r.name, opts: policyOptions(r), isType: () => false, asType: () => undefined };
                for (const validate of validations) run(r.name, (report) => validate(args, report));
            }
        } else {
            const stackResources = resources.map((r) => ({
                type: r.type,
                props: unknownCheckingProxy(structuredClone(r.outputs)),
                urn: r.urn,
                name: r.name,
                opts: policyOptions(r),
                dependencies: [],
                propertyDependencies: {},
                isType: () => false,
                asType: () => undefined,
            }));
            run("(stack)", (report) => p.validateStack({ ...common, resources: stackResources }, report));
        }
    }
    return result;
}

function policyOptions(r: AnalyzedResource) {
    return {
        protect: r.protect,
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        parent: r.parent,
    };
}

/** Violations as `policy resource` lines, for readable equality in tests. */
export function brief(violations: Violation[]): string[] {
    return violations.map((v) => `${v.policy} ${v.resource}`).sort();
}

/** `resource KEY` for each no-secrets-in-env finding. */
export function envFindings(violations: Violation[]): string[] {
    return violations
        .filter((v) => v.policy === "no-secrets-in-env")
        .map((v) => `${v.resource} ${v.message.match(/ gets (?:a URL with a password in )?(\S+?):? /)?.[1]}`)
        .sort();
}

/** The findings of `after` that `before` did not have (as a multiset of `policy resource`). */
export function added(before: Violation[], after: Violation[]): string[] {
    const left = brief(before);
    return brief(after).filter((line) => {
        const i = left.indexOf(line);
        if (i < 0) return true;
        left.splice(i, 1);
        return false;
    });
}

/** A copy of `resources` with one resource's inputs and outputs changed alike (a fault planted in the program). */
export function planted(
    resources: AnalyzedResource[],
    name: string,
    change: (props: Record<string, any>, resource: AnalyzedResource) => void,
): AnalyzedResource[] {
    const copy = structuredClone(resources);
    // A component and its main resource share a name (geostack-postgis): faults go into the Docker resource.
    const target = copy.find((r) => r.name === name && !r.type.startsWith("geostack:"));
    if (!target) throw new Error(`no resource ${name}: ${copy.map((r) => r.name).join(", ")}`);
    change(target.inputs, target);
    change(target.outputs, target);
    return copy;
}
