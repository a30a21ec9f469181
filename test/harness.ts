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
 * with Pulumi.<stack>.yaml, every value as a string.
 */
export function stackConfig(stack: string): Record<string, string> {
    const project = readYaml("Pulumi.yaml");
    const config: Record<string, string> = {};
    for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
        // The engine passes list values as JSON text.
        if (decl.default !== undefined) config[`geostack:${key}`] = typeof decl.default === "object" ? JSON.stringify(decl.default) : String(decl.default);
    }
    for (const [key, value] of Object.entries<any>(readYaml(`Pulumi.${stack}.yaml`).config ?? {})) {
        config[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return config;
}

export interface Deployed {
    mocks: ProviderMocks;
    outputs: Record<string, { value: any; secret: boolean }>;
}

/** Runs index.ts under mocks with the given config and waits for every stack output. */
export async function runProgram(stack: string, config: Record<string, string>): Promise<Deployed> {
    pulumi.runtime.setAllConfig(config);
    const mocks = installMocks("geostack", stack);
    const program: Record<string, pulumi.Output<unknown>> = await import("../index");
    const outputs: Deployed["outputs"] = {};
    for (const [name, output] of Object.entries(program)) outputs[name] = await settle(output);
    return { mocks, outputs };
}

export function deployStack(stack: string): Promise<Deployed> {
    return runProgram(stack, stackConfig(stack));
}
