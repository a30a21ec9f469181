import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installMocks, ProviderMocks, settle } from "../render/mocks";

export const ROOT = path.resolve(__dirname, "..");

export function readYaml(file: string): any {
    return parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

/**
 * The `geostack:*` config the Pulumi CLI hands the program for a stack: Pulumi.yaml defaults overlaid
 * with Pulumi.<stack>.yaml and the operator's secrets (stood in for), every value as a string.
 */
export function stackConfig(stack: string): Record<string, string> {
    const project = readYaml("Pulumi.yaml");
    const config: Record<string, string> = {};
    // The engine hands lists (and objects) to the program as JSON text.
    const asConfigText = (value: unknown) => (typeof value === "object" ? JSON.stringify(value) : String(value));
    for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
        if (decl.default !== undefined) config[`geostack:${key}`] = asConfigText(decl.default);
    }
    for (const [key, value] of Object.entries<any>(readYaml(`Pulumi.${stack}.yaml`).config ?? {})) {
        config[key] = asConfigText(value);
    }
    return { ...config, ...STAND_IN_SECRETS[stack] };
}

/**
 * Secrets an operator sets on a real stack with `pulumi config set --secret` and which therefore are in no stack file
 * here: the tests stand in for them, so that the stack files can be deployed as they are.
 */
export const STAND_IN_SECRETS: Record<string, Record<string, string>> = {
    prod: { "geostack:registryPassword": "stand-in-registry-token" },
};

export interface Deployed {
    mocks: ProviderMocks;
    outputs: Record<string, { value: any; secret: boolean }>;
}

function prepare(stack: string, config: Record<string, string>): ProviderMocks {
    // As the CLI does: the program is told which values were set with --secret.
    pulumi.runtime.setAllConfig(config, Object.keys(STAND_IN_SECRETS[stack] ?? {}).filter((key) => key in config));
    return installMocks("geostack", stack);
}

/** Runs index.ts under mocks with the given config and waits for every stack output. */
export async function runProgram(stack: string, config: Record<string, string>): Promise<Deployed> {
    const mocks = prepare(stack, config);
    const program: Record<string, pulumi.Output<unknown>> = await import("../index");
    const outputs: Deployed["outputs"] = {};
    for (const [name, output] of Object.entries(program)) outputs[name] = await settle(output);
    return { mocks, outputs };
}

/**
 * Runs index.ts under mocks expecting it to stop: returns its error and the mocks, which show what it had registered
 * (after giving pending registrations time to reach them).
 */
export async function failProgram(stack: string, config: Record<string, string>): Promise<{ mocks: ProviderMocks; error: Error }> {
    const mocks = prepare(stack, config);
    try {
        await import("../index");
    } catch (error) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { mocks, error: error as Error };
    }
    throw new Error("the program ran without an error");
}

/** The stack as its files configure it, with the stand-ins for the secrets an operator would have set. */
export function deployStack(stack: string): Promise<Deployed> {
    return runProgram(stack, stackConfig(stack));
}
