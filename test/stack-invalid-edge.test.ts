import { beforeEach, describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { stackConfig } from "./harness";
import { installMocks, ProviderMocks } from "../render/mocks";

// Each case runs index.ts afresh: the module registry is reset so the program is imported again.
beforeEach(() => {
    vi.resetModules();
});

/** Lets pending registrations reach the mocks before the next case installs new ones. */
const engineSettled = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Runs index.ts as runProgram does, but expects it to throw; returns the error and what reached the engine. */
async function failingRun(change: Record<string, string>): Promise<{ error: Error; mocks: ProviderMocks }> {
    pulumi.runtime.setAllConfig({ ...stackConfig("prod"), ...change });
    const mocks = installMocks("geostack", "prod");
    try {
        await import("../index");
    } catch (error) {
        await engineSettled();
        return { error: error as Error, mocks };
    }
    throw new Error("the program accepted the config");
}

describe("invalid edge config stops the prod program before anything is created", () => {
    it.each([
        ["tls without an e-mail", { "geostack:acmeEmail": "" }, "geostack:acmeEmail"],
        ["a domain Let's Encrypt cannot certify", { "geostack:domain": "geostack.localhost" }, "geostack:domain"],
        ["an IP address as domain", { "geostack:domain": "203.0.113.7" }, "geostack:domain"],
        ["an invalid CIDR", { "geostack:adminAllowlist": JSON.stringify(["203.0.113.0/24", "2001:db8::/129"]) }, "geostack:adminAllowlist"],
        ["a zero rate", { "geostack:rateLimitAverage": "0" }, "geostack:rateLimitAverage"],
    ])("%s", async (_, change, key) => {
        const { error, mocks } = await failingRun(change);
        expect(error.message).toContain("nothing was created");
        expect(error.message).toContain(`${key} = `);
        expect(mocks.resources).toEqual([]);
    });
});

describe("the GeoStack component checks the same before creating any child", () => {
    it("rejects tls on a .localhost domain without an e-mail", async () => {
        const mocks = installMocks("geostack", "component");
        const { GeoStack } = await import("../components");
        expect(() => new GeoStack("bad", { domain: "geostack.localhost", tls: true })).toThrow(
            /acmeEmail = "": expected an e-mail address[\s\S]*domain = "geostack.localhost": expected a public DNS name Let's Encrypt can certify/,
        );
        await engineSettled();
        expect(mocks.resources.filter((r) => r.type !== "geostack:index:GeoStack")).toEqual([]);
    });
});

describe("TraefikProxy and GeoServer check their own edge arguments", () => {
    it("TraefikProxy rejects tls without an e-mail and a dashboard without allowlist", async () => {
        installMocks("geostack", "component");
        const { TraefikProxy } = await import("../components");
        expect(() => new TraefikProxy("t", { namePrefix: "x", proxyNetworkName: "x-proxy", domain: "maps.example.org", tls: true, dashboard: true })).toThrow(
            /Invalid arguments for TraefikProxy "t":\n  - acmeEmail = "": expected an e-mail address[\s\S]*adminAllowlist = \[\]: expected at least one CIDR/,
        );
        await engineSettled();
    });

    it("GeoServer rejects tls on a domain Let's Encrypt cannot certify, and a bad rate", async () => {
        installMocks("geostack", "component");
        const { GeoServer } = await import("../components");
        const args = { namePrefix: "x", backendNetworkName: "b", proxyNetworkName: "p", databaseHost: "h", databaseName: "n", databaseUser: "u", databasePassword: "pw" };
        expect(() => new GeoServer("g", { ...args, domain: "gis.internal", tls: true, rateLimitBurst: 0 })).toThrow(
            /Invalid arguments for GeoServer "g":\n  - rateLimitBurst = 0: expected a whole number[\s\S]*domain = "gis.internal": expected a public DNS name/,
        );
        await engineSettled();
    });
});
