import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config";
import { InvalidInputError } from "../components/helpers/validation";

/** A valid prod-like config, as the engine passes it (strings; lists as JSON). */
const prod: Record<string, string> = {
    domain: "maps.example.org",
    tls: "true",
    acmeEmail: "ops@example.org",
    adminAllowlist: JSON.stringify(["203.0.113.0/24", "2001:db8::/32"]),
    rateLimitAverage: "30",
    rateLimitBurst: "90",
    dashboard: "true",
};

function problemsOf(raw: Record<string, string>): string[] {
    try {
        parseStackConfig(raw);
    } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        return (error as InvalidInputError).problems;
    }
    throw new Error("the config was accepted");
}

describe("edge config", () => {
    it("parses a prod config into typed values", () => {
        expect(parseStackConfig(prod)).toMatchObject({
            tls: true,
            acmeEmail: "ops@example.org",
            acmeStaging: false,
            adminAllowlist: ["203.0.113.0/24", "2001:db8::/32"],
            rateLimitAverage: 30,
            rateLimitBurst: 90,
            dashboard: true,
        });
    });

    it("defaults to plain HTTP, no dashboard and no admin route, which needs no e-mail", () => {
        expect(parseStackConfig({ domain: "geostack.localhost" })).toMatchObject({
            tls: false,
            acmeEmail: "",
            acmeStaging: false,
            adminAllowlist: [],
            rateLimitAverage: 50,
            rateLimitBurst: 200,
            dashboard: false,
        });
    });

    it.each([
        ["tls without acmeEmail", { acmeEmail: undefined }, /^geostack:acmeEmail = "": expected an e-mail address .*geostack:tls is true/],
        ["an invalid acmeEmail", { acmeEmail: "ops@" }, /^geostack:acmeEmail = "ops@": expected an e-mail address/],
        ["a *.localhost domain with tls", { domain: "geostack.localhost" }, /^geostack:domain = "geostack.localhost": expected a public DNS name Let's Encrypt can certify/],
        ["a .internal domain with tls", { domain: "gis.corp.internal" }, /^geostack:domain = "gis.corp.internal": expected a public DNS name Let's Encrypt/],
        ["an IP address as domain", { domain: "203.0.113.7" }, /^geostack:domain = "203.0.113.7": expected a lower-case DNS name/],
        ["a single-label domain", { domain: "maps" }, /^geostack:domain = "maps": expected a lower-case DNS name/],
        ["an invalid IPv4 CIDR", { adminAllowlist: JSON.stringify(["10.0.0.0/33"]) }, /^geostack:adminAllowlist = \["10.0.0.0\/33"\]: expected IPv4 or IPv6 ranges in CIDR notation/],
        ["an invalid IPv6 CIDR", { adminAllowlist: JSON.stringify(["2001:db8::/200"]) }, /^geostack:adminAllowlist = .*not CIDRs: "2001:db8::\/200"/],
        ["an allowlist that is not a list", { adminAllowlist: "203.0.113.0/24" }, /^geostack:adminAllowlist = "203.0.113.0\/24": expected a list of strings/],
        ["a zero rate", { rateLimitAverage: "0" }, /^geostack:rateLimitAverage = 0: expected a whole number of requests, at least 1/],
        ["a negative burst", { rateLimitBurst: "-3" }, /^geostack:rateLimitBurst = -3: expected a whole number of requests, at least 1/],
        ["a dashboard without allowlist", { adminAllowlist: "[]" }, /^geostack:adminAllowlist = \[\]: expected at least one CIDR, since geostack:dashboard is true/],
        ["a tls value that is not a boolean", { tls: "yes" }, /^geostack:tls = "yes": expected true or false/],
    ])("rejects %s, naming the key", (_, change, message) => {
        const raw = Object.fromEntries(Object.entries({ ...prod, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;
        const problems = problemsOf(raw);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(message);
    });

    it("accepts a .localhost domain and no e-mail without tls", () => {
        expect(parseStackConfig({ ...prod, tls: "false", acmeEmail: "", domain: "geostack.localhost" }).domain).toBe("geostack.localhost");
    });

    it("reports every edge problem at once", () => {
        const problems = problemsOf({ ...prod, acmeEmail: "", domain: "geostack.localhost", rateLimitBurst: "0", adminAllowlist: JSON.stringify(["nope"]) });
        expect(problems.map((p) => p.split(" = ")[0]).sort()).toEqual(["geostack:acmeEmail", "geostack:adminAllowlist", "geostack:domain", "geostack:rateLimitBurst"]);
    });
});
