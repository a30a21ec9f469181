import { describe, expect, it } from "vitest";
import {
    certifiableDomain,
    adminCidrList,
    cidrList,
    dnsName,
    dockerNamePrefix,
    emailAddress,
    httpsUrl,
    imageReference,
    imageRepository,
    memoryMb,
    pushableRepository,
    requestRate,
    tcpPort,
    token,
    userName,
} from "../../../components/shared/checks";

describe("dnsName", () => {
    it.each(["geostack.localhost", "maps.example.org", "a-b.c-d.example"])("accepts %s", (name) => expect(dnsName(name)).toBeUndefined());

    it.each([
        "localhost",
        "Maps.example.org",
        "https://maps.example.org",
        "maps.example.org:8080",
        "maps.example.org/geo",
        "10.0.0.1",
        "-a.example.org",
        "a..example.org",
        "bad_domain",
    ])("rejects %s", (name) => expect(dnsName(name)).toMatch(/^a lower-case DNS name/));
});

describe("certifiableDomain", () => {
    it.each(["maps.example.org", "geostack.example.org", "a.b.c.example.com"])("accepts %s", (domain) => expect(certifiableDomain(domain)).toBeUndefined());

    // Let's Encrypt cannot validate these: asking only burns rate limit.
    it.each([
        "geostack.localhost",
        "localhost",
        "gis.local",
        "maps.test",
        "gis.internal",
        "x.example",
        "a.invalid",
        "nas.home.arpa",
        "203.0.113.7",
        "maps",
        "Maps.Example.org",
    ])("rejects %s", (domain) =>
        expect(certifiableDomain(domain)).toMatch(
            /^a public DNS name Let's Encrypt can certify \(not an IP address, a single label or a name under \.localhost, .*\.home\.arpa\)$/,
        ),
    );
});

describe("adminCidrList", () => {
    it("takes the admins' own ranges, private ones included", () => {
        expect(adminCidrList(["203.0.113.0/24", "2001:db8::/32", "10.0.0.0/8", "fc00::/7", "198.51.100.7/32"])).toBeUndefined();
    });

    it.each([
        [["0.0.0.0/0"], "everyone"],
        [["::/0"], "everyone"],
        [["203.0.113.0/24", "10.1.2.3/0"], "everyone"],
        [["0.0.0.0/1", "128.0.0.0/1"], "much of the internet"],
        [["2000::/3"], "much of the internet"],
    ])("refuses %j: it opens the admin UI to %s", (list, whom) => {
        expect(adminCidrList(list)).toMatch(new RegExp(`none wider than /8 \\(IPv4\\) or /7 \\(IPv6\\): .* would open the web UI and REST API to ${whom}$`));
    });

    it("reports what is no CIDR first", () => {
        expect(adminCidrList(["nonsense"])).toBe(cidrList(["nonsense"]));
    });
});

describe("cidrList", () => {
    it.each([[[]], [["203.0.113.0/24"]], [["10.0.0.1/32", "0.0.0.0/0"]], [["2001:db8::/32", "::1/128", "fc00::/7"]], [["::ffff:192.0.2.0/120"]]])(
        "accepts %j",
        (list) => expect(cidrList(list)).toBeUndefined(),
    );

    it.each([
        "10.0.0.0/33",
        "10.0.0.0",
        "256.0.0.0/8",
        "10.0.0/8",
        "10.0.0.01/32",
        "2001:db8::/129",
        "2001:db8:::/32",
        "fe80::1%eth0/64",
        "10.0.0.0/8/8",
        "10.0.0.0/-1",
        "maps.example.org/32",
        "",
    ])("rejects %j, naming it and only it", (bad) => {
        const expected = cidrList(["192.168.0.0/16", bad]);
        expect(expected).toContain("CIDR notation");
        expect(expected).toContain(`not CIDRs: ${JSON.stringify(bad)}`);
        expect(expected).not.toContain("192.168.0.0/16");
    });
});

describe("e-mail, names and URLs", () => {
    it("wants an e-mail address with a dotted domain", () => {
        expect(emailAddress("ops+gis@maps.example.org")).toBeUndefined();
        for (const bad of ["", "ops", "ops@", "@example.org", "ops@example", "a b@example.org"]) expect(emailAddress(bad), bad).toBeDefined();
    });

    it("wants Docker-safe name prefixes and user names", () => {
        for (const ok of ["geostack-dev", "geostack_prod-2", "9lives", "a".repeat(40)]) expect(dockerNamePrefix(ok), ok).toBeUndefined();
        // A dot splits traefik's label keys (traefik.http.routers.<name>.rule); past 40 characters the longest
        // container name, <prefix>-docker-socket-proxy, is no DNS label any more.
        for (const bad of ["", "-dev", "geo stack", "geo/stack", "geostack-prod.eu", "Geostack-Dev", "a".repeat(41)]) {
            expect(dockerNamePrefix(bad), bad).toBeDefined();
        }
        for (const ok of ["admin", "geo.admin", "ops_1"]) expect(userName(ok), ok).toBeUndefined();
        for (const bad of ["", "geo admin", "1admin", "admin:x"]) expect(userName(bad), bad).toBeDefined();
        expect(token("example-user")).toBeUndefined();
        for (const bad of ["", "two words", "tab\there"]) expect(token(bad), JSON.stringify(bad)).toBe("no whitespace");
    });

    it("takes only an https source URL, and none with credentials in it (it is written into a public label)", () => {
        expect(httpsUrl("https://github.com/acme/geostack")).toBeUndefined();
        for (const bad of ["https://x-access-token:ghp_abc@github.com/acme/geostack", "https://ghp_abc@github.com/acme/geostack"]) {
            expect(httpsUrl(bad), bad).toBe("an https:// URL without a user name or password in it (the label is public)");
        }
        expect(httpsUrl("http://github.com/acme/geostack")).toBeDefined();
        expect(httpsUrl("github.com/acme/geostack")).toBeDefined();
    });
});

describe("numbers", () => {
    it("wants a TCP port from 1 to 65535", () => {
        for (const ok of [1, 5432, 65535]) expect(tcpPort(ok), String(ok)).toBeUndefined();
        for (const bad of [0, -1, 65536, 70000, 54.32]) expect(tcpPort(bad), String(bad)).toBe("an integer TCP port from 1 to 65535");
    });

    it("wants whole positive request counts", () => {
        expect(requestRate(1)).toBeUndefined();
        for (const bad of [0, -5, 1.5, Number.NaN]) expect(requestRate(bad), String(bad)).toBe("a whole number of requests, at least 1");
    });

    it("wants a memory limit of at least the given MiB", () => {
        expect(memoryMb(768)(768)).toBeUndefined();
        for (const bad of [767, -512, 1.5]) expect(memoryMb(768)(bad), String(bad)).toBe("a whole number of MiB, at least 768");
    });
});

describe("image references and repositories", () => {
    const digest = `sha256:${"a".repeat(64)}`;

    it("accepts a reference with a tag, a digest or both, and nothing malformed", () => {
        for (const ok of ["postgis/postgis:17-3.5", "localhost:5000/geo/server", `ghcr.io/acme/geoserver:2.28.4@${digest}`])
            expect(imageReference(ok), ok).toBeUndefined();
        for (const bad of ["", "not a reference", "Postgis/PostGIS::17", "name:", "a@sha256:short"]) expect(imageReference(bad), bad).toBeDefined();
    });

    it("accepts a repository only without tag or digest", () => {
        expect(imageRepository("ghcr.io/acme/geoserver")).toBeUndefined();
        expect(imageRepository("geostack/geoserver")).toBeUndefined();
        for (const bad of [
            "ghcr.io/acme/geoserver:2.28.2",
            "ghcr.io/Acme/geoserver",
            `ghcr.io/acme/geoserver@${digest}`,
            "",
            "https://ghcr.io/acme/geoserver",
        ]) {
            expect(imageRepository(bad), bad).toMatch(/^a lower-case image repository without tag or digest/);
        }
    });

    it("pushes only to a repository naming its registry host", () => {
        expect(pushableRepository("ghcr.io/acme/geoserver")).toBeUndefined();
        expect(pushableRepository("localhost:5000/geoserver")).toBeUndefined();
        expect(pushableRepository("geostack/geoserver")).toMatch(/starts with its registry host/);
        expect(pushableRepository("ghcr.io/acme/geoserver:1")).toBeDefined();
    });
});
