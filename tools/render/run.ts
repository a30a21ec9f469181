import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { installMocks, type ProviderMocks, settle } from "./mocks";

export interface Deployed {
    mocks: ProviderMocks;
    /** Every stack output (export of the program), resolved. */
    outputs: Record<string, { value: any; secret: boolean }>;
}

export interface RunArgs {
    project: string;
    stack: string;
    /** Full config keys (`geostack:domain`) to string values, as the Pulumi CLI passes them. */
    config: Record<string, string>;
    /** Keys whose values were set with `--secret`. */
    secretKeys?: string[];
    /** Loads the program module; called after the config and mocks are in place, as the Pulumi CLI does. */
    load: () => Promise<Record<string, unknown>>;
}

/**
 * Runs a Pulumi program under the provider mocks and waits for every stack output and every resource
 * registration. The Pulumi runtime is global: one program per process (or per test file).
 */
export async function runProgram(args: RunArgs): Promise<Deployed> {
    pulumi.runtime.setAllConfig(args.config, args.secretKeys);
    const mocks = installMocks(args.project, args.stack);
    const program = await args.load();
    const outputs: Deployed["outputs"] = {};
    for (const [name, output] of Object.entries(program)) {
        if (name === "default" || name === "__esModule") continue;
        outputs[name] = await settle(output as pulumi.Input<unknown>);
    }
    // Resources created inside apply callbacks register after the outputs they depend on. waitForRPCs is
    // internal to @pulumi/pulumi (absent from its typings): it resolves once every pending engine request is answered.
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { mocks, outputs };
}
