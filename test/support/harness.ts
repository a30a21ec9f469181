import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { installMocks, type ProviderMocks } from "../../tools/render/mocks";
import { runProgram as runUnderMocks, type Deployed } from "../../tools/render/run";
import { secretKeysOf, STAND_IN_SECRET, stackConfig } from "../../tools/render/stack-config";

export { stackConfig, STAND_IN_SECRET };
export type { Deployed };

export const ROOT = path.resolve(__dirname, "..", "..");

export function readYaml(file: string): any {
    return parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

/** Runs index.ts under mocks with the given config (`secret`: more keys set with `--secret`) and waits for every stack output. */
export function runProgram(stack: string, config: Record<string, string>, secret: string[] = []): Promise<Deployed> {
    const secretKeys = [...secretKeysOf(stack, ROOT, config), ...secret];
    return runUnderMocks({ project: "geostack", stack, config, secretKeys, load: () => import("../../index") });
}

/** Runs index.ts expecting it to stop; returns the error and what was registered before it. */
export async function failProgram(stack: string, config: Record<string, string>, secret: string[] = []): Promise<{ mocks: ProviderMocks; error: Error }> {
    pulumi.runtime.setAllConfig(config, [...secretKeysOf(stack, ROOT, config), ...secret]);
    const mocks = installMocks("geostack", stack);
    try {
        await import("../../index");
    } catch (error) {
        // A resource reaches the mocks only once its registration is sent, after the constructor returned: without
        // this wait, "nothing was registered" would hold even for a program that registered before it threw.
        await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        return { mocks, error: error as Error };
    }
    throw new Error("the program ran without an error");
}

export function deployStack(stack: string): Promise<Deployed> {
    return runProgram(stack, stackConfig(stack));
}

/**
 * Every secret value a run produced that can be searched for in text: generated passwords and hashes, and the
 * values of secret outputs (an empty or very short secret, such as a disabled feature's "", would match anything).
 */
export function secretValues(deployed: Deployed): string[] {
    const outputs = Object.values(deployed.outputs)
        .filter((o) => o.secret)
        .map((o) => String(o.value));
    return [...new Set([...deployed.mocks.generatedSecrets, ...outputs])].filter((value) => value.length >= 8);
}
