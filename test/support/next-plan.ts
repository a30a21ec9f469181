import { type Effect, effectOf } from "../../tools/render/diff";
import { containerReadBack, type DockerHost, type RegisteredResource, reveal } from "../../tools/render/mocks";
import { CONTAINER } from "./resources";

export interface PlannedChange {
    input: string;
    effect: Effect;
    given: unknown;
    stored: unknown;
}

/** The container's inputs with the provider schema's defaults filled in, as the next plan compares them. */
function withDefaults(inputs: Record<string, any>): Record<string, any> {
    const out = { ...reveal<Record<string, any>>(inputs) };
    if (out.ports)
        out.ports = out.ports.map((p: any) => ({ internal: p.internal, external: p.external, ip: p.ip || "0.0.0.0", protocol: p.protocol ?? "tcp" }));
    if (out.healthcheck) {
        const { tests, interval = "0s", timeout = "0s", startPeriod = "0s", startInterval = "0s", retries = 0 } = out.healthcheck;
        out.healthcheck = { tests, interval, timeout, startPeriod, startInterval, retries };
    }
    return out;
}

/**
 * What the next `pulumi up` would plan for a container created from these inputs on `host`: the provider compares the
 * program's inputs with what its Read stored (the mocks' containerReadBack). An input the program leaves unset that
 * the provider reads back without being Computed (memory_swap) shows as a change too.
 */
export function nextPlan(container: RegisteredResource, host: DockerHost): PlannedChange[] {
    if (container.type !== CONTAINER) throw new Error(`${container.name} is not a container`);
    const given = withDefaults(container.inputs);
    const stored = reveal<Record<string, any>>(containerReadBack(container.inputs, host));
    const notComputed = ["memorySwap"];
    const inputs = [...new Set([...Object.keys(given), ...notComputed.filter((key) => key in stored)])];
    return inputs
        .filter((input) => JSON.stringify(given[input]) !== JSON.stringify(stored[input]))
        .map((input) => ({ input, effect: effectOf(CONTAINER, input), given: given[input], stored: stored[input] }));
}
