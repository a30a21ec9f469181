import { describe, expect, it } from "vitest";
import { resolve, spec } from "../../../components/shared/args";
import { EDGE_ARGS, edgePolicy, edgeSpec, ENTRYPOINTS, placeholderWarnings, publicOrigin } from "../../../components/shared/edge";

// Every edge arg and every rule among them, as a component holding them all resolves them.
const all = edgeSpec("domain", "tls", "acmeEmail", "adminAllowlist", "rateLimitAverage", "rateLimitBurst", "dashboard", "httpPort", "httpsPort");
const edge = spec(all.args, all.rules);
const prod = { domain: "maps.example.org", tls: true, acmeEmail: "ops@example.org", adminAllowlist: ["203.0.113.0/24"], dashboard: true };
const problemsOf = (given: Record<string, unknown>) => resolve(edge, given, (key) => `geostack:${key}`).problems;

describe("the edge args", () => {
    it("default to plain HTTP, no dashboard, no admin route and the pinned rate limit", () => {
        expect(resolve(edge, { domain: "geostack.localhost" })).toEqual({
            settings: {
                domain: "geostack.localhost",
                tls: false,
                acmeEmail: undefined,
                adminAllowlist: [],
                rateLimitAverage: 50,
                rateLimitBurst: 200,
                dashboard: false,
                httpPort: 80,
                httpsPort: 443,
            },
            problems: [],
        });
    });

    it("are each checked on their own", () => {
        expect(problemsOf({ domain: "203.0.113.7", acmeEmail: "ops@", adminAllowlist: ["10.0.0.0/33"], rateLimitAverage: 0, rateLimitBurst: -3 })).toEqual([
            expect.stringMatching(/^geostack:domain = "203.0.113.7": expected a lower-case DNS name/),
            expect.stringMatching(/^geostack:acmeEmail = "ops@": expected an e-mail address/),
            expect.stringMatching(/^geostack:adminAllowlist = \["10.0.0.0\/33"\]: expected IPv4 or IPv6 ranges in CIDR notation/),
            "geostack:rateLimitAverage = 0: expected a whole number of requests, at least 1",
            "geostack:rateLimitBurst = -3: expected a whole number of requests, at least 1",
        ]);
    });
});

describe("the edge rules", () => {
    it("find nothing wrong in a consistent prod or dev setup", () => {
        expect(problemsOf(prod)).toEqual([]);
        expect(problemsOf({ domain: "geostack.localhost", tls: false, adminAllowlist: [], dashboard: false })).toEqual([]);
    });

    it("want an ACME e-mail with tls, naming both keys", () => {
        expect(problemsOf({ ...prod, acmeEmail: undefined })).toEqual([
            "geostack:acmeEmail is required when geostack:tls is true: the Let's Encrypt account's e-mail",
        ]);
    });

    it("want a domain Let's Encrypt can certify with tls, but not without", () => {
        expect(problemsOf({ ...prod, domain: "geostack.localhost" })).toEqual([
            expect.stringMatching(
                /^geostack:domain = "geostack.localhost": expected a public DNS name Let's Encrypt can certify .*, since geostack:tls is true; set geostack:tls to false for a laptop$/,
            ),
        ]);
        expect(problemsOf({ ...prod, domain: "gis.corp.internal" })).toHaveLength(1);
        expect(problemsOf({ ...prod, tls: false, acmeEmail: undefined, domain: "geostack.localhost" })).toEqual([]);
    });

    it("leave a domain that is invalid anyway to the domain check, and an invalid e-mail to the e-mail check", () => {
        expect(problemsOf({ ...prod, domain: "203.0.113.7" })).toEqual([
            expect.stringMatching(/^geostack:domain = "203.0.113.7": expected a lower-case DNS name/),
        ]);
        expect(problemsOf({ ...prod, acmeEmail: "ops@" })).toEqual([expect.stringMatching(/^geostack:acmeEmail = "ops@": expected an e-mail address/)]);
    });

    it("want two host ports with tls, and care about neither without", () => {
        expect(problemsOf({ ...prod, httpPort: 8443, httpsPort: 8443 })).toEqual([
            "geostack:httpsPort = 8443: expected another port than geostack:httpPort (8443), since geostack:tls is true and traefik publishes both",
        ]);
        expect(problemsOf({ ...prod, tls: false, acmeEmail: undefined, httpPort: 443, httpsPort: 443 })).toEqual([]);
        expect(problemsOf({ ...prod, httpPort: 0, httpsPort: 70000 })).toEqual([
            "geostack:httpPort = 0: expected an integer TCP port from 1 to 65535",
            "geostack:httpsPort = 70000: expected an integer TCP port from 1 to 65535",
        ]);
    });

    it("want an allowlist when the dashboard is on", () => {
        expect(problemsOf({ ...prod, adminAllowlist: [] })).toEqual([
            "geostack:adminAllowlist = []: expected at least one CIDR, since geostack:dashboard is true and the dashboard is only served to the admin allowlist",
        ]);
        expect(problemsOf({ ...prod, adminAllowlist: [], dashboard: false })).toEqual([]);
    });

    it("report every edge problem at once", () => {
        const problems = problemsOf({ ...prod, acmeEmail: undefined, domain: "geostack.localhost", rateLimitBurst: 0, adminAllowlist: ["nope"] });
        expect(problems.map((p) => p.split(/ = | is required/)[0]).sort()).toEqual([
            "geostack:acmeEmail",
            "geostack:adminAllowlist",
            "geostack:domain",
            "geostack:rateLimitBurst",
        ]);
    });

    it("go only to a component holding every key of a rule", () => {
        // GeoServer has no acmeEmail or dashboard: only the certifiable-domain rule is its own.
        const geoserver = edgeSpec("domain", "tls", "adminAllowlist", "rateLimitAverage", "rateLimitBurst");
        expect(geoserver.rules.map((rule) => rule.keys)).toEqual([["tls", "domain"]]);
        expect(Object.keys(geoserver.args)).toEqual(["domain", "tls", "adminAllowlist", "rateLimitAverage", "rateLimitBurst"]);
        expect(geoserver.args.domain).toBe(EDGE_ARGS.domain);
        expect(all.rules).toHaveLength(4);
    });
});

describe("edgePolicy", () => {
    const defaults = { tls: false, adminAllowlist: [], rateLimitAverage: 50, rateLimitBurst: 200, httpPort: 80, httpsPort: 443 };

    it("serves plain HTTP on the web entrypoint without tls", () => {
        expect(edgePolicy(defaults)).toEqual({
            tls: false,
            scheme: "http",
            entrypoint: ENTRYPOINTS.web,
            port: 80,
            adminAllowlist: [],
            rateLimit: { average: 50, burst: 200 },
        });
    });

    it("serves HTTPS on the websecure entrypoint with tls, with the allowlist and rate limit as given", () => {
        expect(edgePolicy({ ...defaults, tls: true, adminAllowlist: ["203.0.113.0/24"], rateLimitAverage: 40, rateLimitBurst: 120, httpsPort: 8443 })).toEqual({
            tls: true,
            scheme: "https",
            entrypoint: "websecure",
            port: 8443,
            adminAllowlist: ["203.0.113.0/24"],
            rateLimit: { average: 40, burst: 120 },
        });
    });

    it("puts the host port in public URLs only when it is not the scheme's own", () => {
        expect(publicOrigin(edgePolicy(defaults), "geostack.localhost")).toBe("http://geostack.localhost");
        expect(publicOrigin(edgePolicy({ ...defaults, httpPort: 8080 }), "geostack.localhost")).toBe("http://geostack.localhost:8080");
        expect(publicOrigin(edgePolicy({ ...defaults, tls: true, httpPort: 8080 }), "maps.example.org")).toBe("https://maps.example.org");
        expect(publicOrigin(edgePolicy({ ...defaults, tls: true, httpsPort: 8443 }), "maps.example.org")).toBe("https://maps.example.org:8443");
    });
});

describe("placeholderWarnings", () => {
    it("warns of documentation names (RFC 2606) only where Let's Encrypt would see them: with tls", () => {
        expect(placeholderWarnings({ tls: true, domain: "maps.example.com", acmeEmail: "ops@EXAMPLE.net" })).toEqual([
            expect.stringMatching(/^domain maps\.example\.com is a documentation placeholder/),
            expect.stringMatching(/^acmeEmail ops@EXAMPLE\.net is a documentation placeholder/),
        ]);
        expect(placeholderWarnings({ tls: false, domain: "maps.example.com", acmeEmail: "ops@example.net" })).toEqual([]);
        expect(placeholderWarnings({ tls: true, domain: "maps.myexample.org", acmeEmail: "ops@example.org.uk" })).toEqual([]);
    });
});
