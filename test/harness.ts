import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { runProgram as runUnderMocks, type Deployed } from "../render/run";
import { stackConfig } from "../render/stack-config";

export { stackConfig };
export type { Deployed };

export const ROOT = path.resolve(__dirname, "..");

export function readYaml(file: string): any {
    return parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

/** Runs index.ts under mocks with the given config and waits for every stack output. */
export function runProgram(stack: string, config: Record<string, string>): Promise<Deployed> {
    return runUnderMocks({ project: "geostack", stack, config, load: () => import("../index") });
}

export function deployStack(stack: string): Promise<Deployed> {
    return runProgram(stack, stackConfig(stack));
}

/**
 * Every secret value a run produced that can be searched for in text: generated passwords and hashes, and the
 * values of secret outputs (an empty or very short secret, such as a disabled feature's "", would match anything).
 */
export function secretValues(deployed: Deployed): string[] {
    const outputs = Object.values(deployed.outputs).filter((o) => o.secret).map((o) => String(o.value));
    return [...new Set([...deployed.mocks.generatedSecrets, ...outputs])].filter((value) => value.length >= 8);
}
