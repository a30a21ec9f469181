import { describe, expect, it } from "vitest";
import { geoStackProblems } from "../../../components/geostack";
import { arg, borrowRules, InvalidInputError, problem, requireNoProblems, resolve, resolveOrThrow, type Rule, spec } from "../../../components/shared/args";

const port = (value: number) => (Number.isInteger(value) && value > 0 ? undefined : "a positive whole number");
const toy = spec(
    {
        host: arg.required<string>("string", { check: (v) => (v.includes(".") ? undefined : "a dotted name") }),
        port: arg.withDefault(80, { check: port }),
        secure: arg.withDefault(false),
        email: arg.optional<string>("string", { check: (v) => (v.includes("@") ? undefined : "an e-mail address") }),
        token: arg.optional<string>("string", { check: (v) => (v.length >= 8 ? undefined : "at least 8 characters"), secret: true }),
    },
    [
        {
            keys: ["secure", "email"],
            check: ({ secure, email }, name) => (secure && email === undefined ? `${name("email")} is required when ${name("secure")} is true` : undefined),
        },
        {
            keys: ["secure", "port"],
            check: ({ secure, port }, name) => (secure && port === 80 ? problem(name("port"), port, `not 80 when ${name("secure")} is true`) : undefined),
        },
    ],
);

describe("resolve", () => {
    it("fills in defaults, leaves optional args unset and keeps what was given", () => {
        expect(resolve(toy, { host: "a.example" })).toEqual({
            settings: { host: "a.example", port: 80, secure: false, email: undefined, token: undefined },
            problems: [],
        });
        expect(resolve(toy, { host: "a.example", port: 8080 }).settings.port).toBe(8080);
    });

    it("takes each entry's kind from its default", () => {
        expect([toy.args.port.kind, toy.args.secure.kind, arg.withDefault<string[]>([]).kind, arg.withDefault("x").kind]).toEqual([
            "integer",
            "boolean",
            "array",
            "string",
        ]);
    });

    it("reports a missing required arg and a refused value with the key, the value and what is expected", () => {
        expect(resolve(toy, {}).problems).toEqual(["host is required"]);
        expect(resolve(toy, { host: "nodots", port: -1 }).problems).toEqual([
            'host = "nodots": expected a dotted name',
            "port = -1: expected a positive whole number",
        ]);
    });

    it("never prints a secret's value", () => {
        const { problems } = resolve(toy, { host: "a.example", token: "hunter2" });
        expect(problems).toEqual(["token = (secret, not shown): expected at least 8 characters"]);
        expect(problem("token", "hunter2", "x", true)).not.toContain("hunter2");
    });

    it("runs a rule on the defaulted settings", () => {
        expect(resolve(toy, { host: "a.example", secure: true, email: "ops@a.example" }).problems).toEqual(["port = 80: expected not 80 when secure is true"]);
    });

    it("runs a rule only when all its keys are valid on their own, so one mistake is reported once", () => {
        expect(resolve(toy, { host: "a.example", secure: true, email: "ops@a.example", port: 0 }).problems).toEqual([
            "port = 0: expected a positive whole number",
        ]);
        // A missing required arg is invalid too: no rule over it runs with `undefined`.
        const onHost: Rule<typeof toy.args> = { keys: ["host"], check: ({ host }) => `ran with ${host}` };
        expect(resolve(spec(toy.args, [onHost]), {}).problems).toEqual(["host is required"]);
    });

    it("names every problem as `name` says (the user's vocabulary)", () => {
        const { problems } = resolve(toy, { secure: true, port: 80 }, (key) => `app:${key}`);
        expect(problems).toEqual([
            "app:host is required",
            "app:email is required when app:secure is true",
            "app:port = 80: expected not 80 when app:secure is true",
        ]);
    });

    it("leaves keys outside the spec (wired inputs) alone", () => {
        expect(resolve(toy, { host: "a.example", networkName: "net" } as never)).toMatchObject({ problems: [] });
    });
});

describe("resolveOrThrow", () => {
    it("returns the settings, or throws one error listing every problem and saying nothing was created", () => {
        expect(resolveOrThrow(toy, { host: "a.example" }, "ctx").port).toBe(80);
        let error: unknown;
        try {
            resolveOrThrow(toy, { host: "nodots", port: 0 }, 'Invalid arguments for Toy "t"');
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(InvalidInputError);
        expect((error as InvalidInputError).problems).toEqual(['host = "nodots": expected a dotted name', "port = 0: expected a positive whole number"]);
        expect((error as Error).message).toBe(
            'Invalid arguments for Toy "t" (nothing was created):\n  - host = "nodots": expected a dotted name\n  - port = 0: expected a positive whole number',
        );
    });

    it("lets requireNoProblems skip the checks that found nothing", () => {
        expect(() => requireNoProblems([undefined, undefined], "ctx")).not.toThrow();
        expect(() => requireNoProblems([undefined, "a = 1: expected b"], "ctx")).toThrow("ctx (nothing was created):\n  - a = 1: expected b");
    });
});

describe("borrowRules", () => {
    const parent = {
        siteHost: toy.args.host,
        sitePort: toy.args.port,
        siteSecure: toy.args.secure,
        siteEmail: toy.args.email,
        external: arg.withDefault(false),
    };
    const names = { secure: "siteSecure", email: "siteEmail", port: "sitePort" } as const;

    it("runs the child's rules on the parent's args, named as the parent's", () => {
        const parentSpec = spec(parent, borrowRules(toy, names));
        expect(resolve(parentSpec, { siteHost: "a.example", siteSecure: true }).problems).toEqual([
            "siteEmail is required when siteSecure is true",
            "sitePort = 80: expected not 80 when siteSecure is true",
        ]);
    });

    it("skips a borrowed rule when one of the parent's renamed keys is invalid", () => {
        const parentSpec = spec(parent, borrowRules(toy, names));
        expect(resolve(parentSpec, { siteHost: "a.example", siteSecure: true, siteEmail: "ops@a.example", sitePort: 0 }).problems).toEqual([
            "sitePort = 0: expected a positive whole number",
        ]);
    });

    it("runs them only where `when` says the child exists", () => {
        const parentSpec = spec(
            parent,
            borrowRules(toy, names, (settings) => !settings.external),
        );
        expect(resolve(parentSpec, { siteHost: "a.example", siteSecure: true, external: true }).problems).toEqual([]);
        expect(resolve(parentSpec, { siteHost: "a.example", siteSecure: true }).problems).toHaveLength(2);
    });

    it("refuses a rule over a child arg the parent gives no name for", () => {
        expect(() => borrowRules(toy, { secure: "siteSecure" })).toThrow("borrowRules: no name for the child's email");
    });

    it("keeps one copy of a rule two children share, over the same keys", () => {
        const twice = spec(parent, [...borrowRules(toy, names), ...borrowRules(toy, names)]);
        expect(twice.rules).toHaveLength(2);
        expect(resolve(twice, { siteHost: "a.example", siteSecure: true }).problems).toHaveLength(2);
        // The same rule over other keys is another rule.
        const other = spec({ ...parent, adminEmail: toy.args.email }, [...borrowRules(toy, names), ...borrowRules(toy, { ...names, email: "adminEmail" })]);
        expect(other.rules).toHaveLength(3);
    });

    it("reports the edge rule GeoServer and traefik share once through GeoStack", () => {
        expect(geoStackProblems({ domain: "geostack.localhost", tls: true, acmeEmail: "ops@example.org" })).toEqual([
            expect.stringMatching(
                /^domain = "geostack.localhost": expected a public DNS name Let's Encrypt can certify .*, since tls is true; set tls to false for a laptop$/,
            ),
        ]);
    });
});
