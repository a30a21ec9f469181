import { describe, expect, it } from "vitest";
import { edgeCrossKeyProblems, isCertifiableDomain, isCidrList, isEmail, isOptionalEmail, isRequestRate } from "../components/helpers/validation";

describe("isCidrList", () => {
    it.each([[[]], [["203.0.113.0/24"]], [["10.0.0.1/32", "0.0.0.0/0"]], [["2001:db8::/32", "::1/128", "fc00::/7"]], [["::ffff:192.0.2.0/120"]]])(
        "accepts %j",
        (list) => expect(isCidrList(list)).toBeUndefined(),
    );

    it.each([
        ["10.0.0.0/33"],
        ["10.0.0.0"],
        ["256.0.0.0/8"],
        ["10.0.0/8"],
        ["10.0.0.01/32"],
        ["2001:db8::/129"],
        ["2001:db8:::/32"],
        ["fe80::1%eth0/64"],
        ["10.0.0.0/8/8"],
        ["10.0.0.0/-1"],
        ["maps.example.org/32"],
        [""],
    ])("rejects %j and names it", (bad) => {
        const expected = isCidrList(["192.168.0.0/16", bad]);
        expect(expected).toContain("CIDR");
        expect(expected).toContain(JSON.stringify(bad));
        expect(expected).not.toContain("192.168.0.0/16");
    });
});

describe("isCertifiableDomain", () => {
    it.each(["maps.example.org", "geostack.example.org", "a.b.c.example.com"])("accepts %s", (domain) => expect(isCertifiableDomain(domain)).toBeUndefined());

    it.each(["geostack.localhost", "localhost", "gis.local", "maps.test", "gis.internal", "x.example", "a.invalid", "nas.home.arpa", "203.0.113.7", "maps", "Maps.Example.org"])(
        "rejects %s",
        (domain) => expect(isCertifiableDomain(domain)).toContain("Let's Encrypt"),
    );
});

describe("e-mail and rate checks", () => {
    it("accepts e-mail addresses, and an empty one where it is optional", () => {
        expect(isEmail("ops+gis@maps.example.org")).toBeUndefined();
        expect(isOptionalEmail("")).toBeUndefined();
        for (const bad of ["", "ops", "ops@", "@example.org", "ops@example", "a b@example.org"]) expect(isEmail(bad), bad).toBeDefined();
        expect(isOptionalEmail("ops@")).toBeDefined();
    });

    it("wants whole positive request counts", () => {
        expect(isRequestRate(1)).toBeUndefined();
        for (const bad of [0, -5, 1.5, Number.NaN]) expect(isRequestRate(bad), String(bad)).toBeDefined();
    });
});

describe("edgeCrossKeyProblems", () => {
    const prod = { domain: "maps.example.org", tls: true, acmeEmail: "ops@example.org", adminAllowlist: ["203.0.113.0/24"], dashboard: true };
    const found = (settings: Parameters<typeof edgeCrossKeyProblems>[0]) => edgeCrossKeyProblems(settings, (k) => `geostack:${k}`).filter(Boolean);

    it("finds nothing wrong in a consistent prod or dev setup", () => {
        expect(found(prod)).toEqual([]);
        expect(found({ domain: "geostack.localhost", tls: false, acmeEmail: "", adminAllowlist: [], dashboard: false })).toEqual([]);
    });

    it("wants an ACME e-mail with tls, naming both keys", () => {
        expect(found({ ...prod, acmeEmail: "" })).toEqual([
            'geostack:acmeEmail = "": expected an e-mail address for the Let\'s Encrypt account, since geostack:tls is true',
        ]);
    });

    it("wants a domain Let's Encrypt can certify with tls, but not without", () => {
        const [problem] = found({ ...prod, domain: "geostack.localhost" });
        expect(problem).toMatch(/^geostack:domain = "geostack.localhost": expected a public DNS name Let's Encrypt can certify .*since geostack:tls is true$/);
        expect(found({ ...prod, tls: false, domain: "geostack.localhost" })).toEqual([]);
    });

    it("leaves a domain that is invalid anyway to the domain check", () => {
        expect(found({ ...prod, domain: "203.0.113.7" })).toEqual([]);
    });

    it("wants an allowlist when the dashboard is on", () => {
        expect(found({ ...prod, adminAllowlist: [] })).toEqual([
            "geostack:adminAllowlist = []: expected at least one CIDR, since geostack:dashboard is true and the dashboard is only served to the admin allowlist",
        ]);
        expect(found({ ...prod, adminAllowlist: [], dashboard: false })).toEqual([]);
    });
});
