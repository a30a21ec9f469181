import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { expect } from "vitest";
import { type ArgEntries, InvalidInputError, problem, resolve, type Rule, type Spec } from "../../components/shared/args";
import { installMocks } from "../../tools/render/mocks";

/**
 * Resolves once every pending engine request is answered. A resource reaches the mocks only after its constructor
 * has returned (or thrown): without this wait, "nothing was registered" would hold even for a component that had
 * registered half a stack. waitForRPCs is internal to @pulumi/pulumi (absent from its typings).
 */
export function registrationsDone(): Promise<void> {
    return (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Builds under fresh mocks; what it threw and `<type> <name>` of everything it registered, once all is answered. */
export async function attempt(build: () => unknown): Promise<{ error: unknown; registered: string[] }> {
    const mocks = installMocks("geostack", "refusals");
    let error: unknown;
    try {
        build();
    } catch (thrown) {
        error = thrown;
    }
    await registrationsDone();
    return { error, registered: mocks.resources.map((r) => `${r.type} ${r.name}`) };
}

/** One refusal: args (over a valid base) wrong in one way. A broken rule's problem is matched by `message`. */
export interface RefusalCase {
    args: Record<string, unknown>;
    message?: RegExp;
}

export const titleOf = ({ args }: RefusalCase): string =>
    Object.entries(args)
        .map(([key, value]) => `${key} = ${pulumi.Output.isInstance(value) ? "(output)" : (JSON.stringify(value) ?? "undefined")}`)
        .join(", ");

export const ruleName = (rule: Rule<any>): string => rule.keys.join(" + ");

/** What `given` breaks: the args refused on their own (missing or failing their check), and the rules that fire. */
export function breakage<A extends ArgEntries>(spec: Spec<A>, given: Record<string, unknown>): { problems: string[]; keys: string[]; rules: Rule<A>[] } {
    const problems: string[] = [];
    const keys: string[] = [];
    for (const [key, entry] of Object.entries(spec.args)) {
        const value = given[key];
        const expected = value === undefined ? undefined : entry.check?.(value);
        if (value === undefined && entry.presence === "required") problems.push(`${key} is required`);
        else if (expected !== undefined) problems.push(problem(key, value, expected, entry.secret));
        else continue;
        keys.push(key);
    }
    const { settings } = resolve(spec, given);
    const rules = spec.rules.filter((rule) => !rule.keys.some((key) => keys.includes(key)) && rule.check(settings, (key) => key) !== undefined);
    return { problems, keys, rules };
}

/**
 * What of `spec` no case breaks: an arg with a check that no case gives a value it refuses, a required arg that no case
 * leaves out, a rule that no case breaks. A new entry or rule without a case fails here. `unreachable` names the rules
 * that no input can break, each with the reason.
 */
export function uncovered<A extends ArgEntries>(spec: Spec<A>, base: Record<string, unknown>, cases: RefusalCase[], unreachable: Record<string, string> = {}) {
    const givens = cases.map((c) => ({ ...base, ...c.args }));
    const args = Object.entries(spec.args).flatMap(([key, entry]) => {
        const refused = entry.check === undefined || givens.some((given) => given[key] !== undefined && entry.check?.(given[key]) !== undefined);
        const missing = entry.presence !== "required" || givens.some((given) => given[key] === undefined);
        return [...(refused ? [] : [`${key}: no value its check refuses`]), ...(missing ? [] : [`${key}: never missing`])];
    });
    const fired = new Set(givens.flatMap((given) => breakage(spec, given).rules));
    return { args, rules: spec.rules.filter((rule) => !fired.has(rule) && !(ruleName(rule) in unreachable)).map(ruleName) };
}

/**
 * The refusal as a user sees it: one InvalidInputError in `context`, with exactly the one problem the case makes,
 * never a secret's value, and nothing registered, not even the component itself.
 */
export async function expectRefusal<A extends ArgEntries>(
    spec: Spec<A>,
    context: string,
    base: Record<string, unknown>,
    refusal: RefusalCase,
    build: (args: Record<string, unknown>) => unknown,
): Promise<void> {
    const given = { ...base, ...refusal.args };
    const { error, registered } = await attempt(() => build(given));
    expect(error).toBeInstanceOf(InvalidInputError);
    const { problems, message } = error as InvalidInputError;
    expect(message.startsWith(`${context} (nothing was created):\n  - `), message).toBe(true);
    const broken = breakage(spec, given);
    expect(broken.keys.length + broken.rules.length, "a case breaks exactly one arg or rule").toBe(1);
    if (refusal.message) {
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(refusal.message);
    } else {
        expect(problems).toEqual(broken.problems);
    }
    for (const [key, entry] of Object.entries(spec.args)) {
        const value = given[key];
        if (entry.secret && typeof value === "string") expect(message).not.toContain(value);
    }
    expect(registered).toEqual([]);
}
