/**
 * One spec per component: each argument's kind, default and check, and the rules between arguments, declared once.
 * A component resolves its args through its spec before it registers anything; GeoStack borrows its children's
 * entries and rules (renamed to its own argument names), and the stack config reuses GeoStack's.
 */

/** Returns what is expected when the value is wrong, undefined when it is fine. */
export type Check<T> = (value: T) => string | undefined;

/** The kinds a Pulumi.yaml config key can be declared with (an object cannot be). */
export type Kind = "string" | "integer" | "boolean" | "array";

interface ArgBase<T> {
    kind: Kind;
    check?: Check<T>;
    /** Never printed in an error message. */
    secret?: boolean;
}
export interface RequiredArg<T> extends ArgBase<T> {
    presence: "required";
}
export interface DefaultedArg<T> extends ArgBase<T> {
    presence: "default";
    default: T;
}
export interface OptionalArg<T> extends ArgBase<T> {
    presence: "optional";
}
export type Arg<T> = RequiredArg<T> | DefaultedArg<T> | OptionalArg<T>;

type Options<T> = { check?: Check<T>; secret?: boolean };
const kindOf = (value: unknown): Kind =>
    Array.isArray(value) ? "array" : typeof value === "boolean" ? "boolean" : typeof value === "number" ? "integer" : "string";

export const arg = {
    required: <T>(kind: Kind, options: Options<T> = {}): RequiredArg<T> => ({ presence: "required", kind, ...options }),
    optional: <T>(kind: Kind, options: Options<T> = {}): OptionalArg<T> => ({ presence: "optional", kind, ...options }),
    withDefault: <T>(value: T, options: Options<T> = {}): DefaultedArg<T> => ({ presence: "default", kind: kindOf(value), default: value, ...options }),
};

// biome-ignore lint/suspicious/noExplicitAny: a spec holds entries of any value type (Check<T> is contravariant in T)
export type ArgEntries = Record<string, Arg<any>>;

/** The entries for every arg of `T` but the wired inputs `W`: an arg added to an interface without an entry does not compile. */
export type EntriesFor<T, W extends keyof T = never> = { [K in Exclude<keyof T, W>]-?: Arg<NonNullable<T[K]>> };

/** What a component works with once its args are resolved: defaults filled in, every value checked. */
export type Settings<A extends ArgEntries> = {
    [K in keyof A]: A[K] extends OptionalArg<infer T> ? T | undefined : A[K] extends Arg<infer T> ? T : never;
};

/** A rule between arguments; it runs only when each of its `keys` is valid on its own, so a mistake is reported once. */
export interface Rule<A extends ArgEntries> {
    keys: (keyof A & string)[];
    check: (settings: Settings<A>, name: (key: keyof A & string) => string) => string | undefined;
    /** For a borrowed rule, the child's rule it runs: two children sharing a rule (the edge's) report it once. */
    origin?: unknown;
}

export interface Spec<A extends ArgEntries> {
    args: A;
    rules: Rule<A>[];
}

export function spec<A extends ArgEntries>(args: A, rules: Rule<NoInfer<A>>[] = []): Spec<A> {
    const sameRule = (a: Rule<A>, b: Rule<A>) => (a.origin ?? a) === (b.origin ?? b) && a.keys.join() === b.keys.join();
    return { args, rules: rules.filter((rule, i) => rules.findIndex((other) => sameRule(rule, other)) === i) };
}

export class InvalidInputError extends Error {
    constructor(
        readonly problems: string[],
        context: string,
    ) {
        super(`${context} (nothing was created):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "InvalidInputError";
    }
}

/** One problem: the key, the value as given (never a secret's, nor a password written into a URL), and what is expected. */
export function problem(key: string, value: unknown, expected: string, secret = false): string {
    const shown = JSON.stringify(value)?.replace(/(\/\/)[^/?#"@]*@/g, "$1(credentials not shown)@");
    return `${key} = ${secret ? "(secret, not shown)" : shown}: expected ${expected}`;
}

/** `check`'s verdict on a value as a problem, or undefined. */
export function checked<T>(key: string, value: T, rule: Check<T>): string | undefined {
    const expected = rule(value);
    return expected === undefined ? undefined : problem(key, value, expected);
}

export interface Resolution<A extends ArgEntries> {
    settings: Settings<A>;
    problems: string[];
}

/**
 * The args with their defaults, and every problem: a missing required arg, a value its check refuses, a broken rule.
 * `name` turns an arg into the name the user wrote (GeoStack's argument, a `geostack:` config key). Keys outside the
 * spec (wired inputs such as network names) are left to the component.
 */
export function resolve<A extends ArgEntries>(spec: Spec<A>, given: { [K in keyof A]?: unknown }, name: (key: string) => string = (key) => key): Resolution<A> {
    const settings: Record<string, unknown> = {};
    const invalid = new Set<string>();
    const problems: string[] = [];
    for (const [key, entry] of Object.entries(spec.args)) {
        const value = given[key];
        if (value === undefined) {
            if (entry.presence === "required") {
                problems.push(`${name(key)} is required`);
                invalid.add(key);
            }
            settings[key] = entry.presence === "default" ? entry.default : undefined;
            continue;
        }
        const expected = entry.check?.(value);
        if (expected !== undefined) {
            problems.push(problem(name(key), value, expected, entry.secret));
            invalid.add(key);
        }
        settings[key] = value;
    }
    for (const rule of spec.rules) {
        if (rule.keys.some((key) => invalid.has(key))) continue;
        const found = rule.check(settings as Settings<A>, name);
        if (found !== undefined) problems.push(found);
    }
    return { settings: settings as Settings<A>, problems };
}

/** The settings, or one error listing every problem: nothing is registered from a half-valid input. */
export function resolveOrThrow<A extends ArgEntries>(spec: Spec<A>, given: { [K in keyof A]?: unknown }, context: string): Settings<A> {
    const { settings, problems } = resolve(spec, given);
    requireNoProblems(problems, context);
    return settings;
}

export function requireNoProblems(problems: (string | undefined)[], context: string): void {
    const found = problems.filter((p): p is string => p !== undefined);
    if (found.length > 0) throw new InvalidInputError(found, context);
}

/**
 * A child's rules over a parent's args: `names` maps each child arg the rules use to the parent's; `when` limits
 * them to the parent settings where the child exists (GeoStack builds no image when it runs a prebuilt one).
 */
export function borrowRules<C extends ArgEntries, P extends ArgEntries>(
    child: Spec<C>,
    names: { [K in keyof C & string]?: keyof P & string },
    when: (settings: Settings<P>) => boolean = () => true,
): Rule<P>[] {
    const toParent = (key: string): keyof P & string => {
        const renamed = names[key as keyof C & string];
        if (renamed === undefined) throw new Error(`borrowRules: no name for the child's ${key}`);
        return renamed;
    };
    return child.rules.map((rule) => ({
        origin: rule.origin ?? rule,
        keys: rule.keys.map(toParent),
        check: (settings, name) => {
            if (!when(settings)) return undefined;
            const childSettings = Object.fromEntries(rule.keys.map((key) => [key, settings[toParent(key)]])) as Settings<C>;
            return rule.check(childSettings, (key) => name(toParent(key)));
        },
    }));
}
