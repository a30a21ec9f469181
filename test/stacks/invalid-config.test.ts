import { beforeEach, describe, expect, it, vi } from "vitest";
import { failProgram, stackConfig } from "../support/harness";

// Each case runs index.ts afresh. The per-key cases are unit tests of parseStackConfig (test/unit/config.test.ts);
// these show what `pulumi up` prints and that the program stops before registering anything.
beforeEach(() => vi.resetModules());

const fail = (stack: string, change: Record<string, string>) => failProgram(stack, { ...stackConfig(stack), ...change });

describe("an invalid stack config stops the program before anything is registered", () => {
    it("prod without the Let's Encrypt e-mail", async () => {
        const { error, mocks } = await fail("prod", { "geostack:acmeEmail": "" });
        expect(error.name).toBe("InvalidInputError");
        expect(error.message).toBe(
            "Invalid GeoStack stack configuration (nothing was created):\n  - geostack:acmeEmail is required when geostack:tls is true: the Let's Encrypt account's e-mail",
        );
        expect(mocks.resources).toEqual([]);
    });

    it("a stack that would push without a registry login", async () => {
        const { error, mocks } = await fail("dev", { "geostack:pushImage": "true", "geostack:imageRepository": "ghcr.io/example-org/geoserver" });
        expect(error.message).toContain("geostack:registryUsername and geostack:registryPassword must be set when geostack:pushImage is true");
        expect(mocks.resources).toEqual([]);
    });

    it("several mistakes at once: every one is named with its value and what is expected, a secret's value never", async () => {
        const { error, mocks } = await fail("dev", {
            "geostack:domain": "http://maps.example.org",
            "geostack:postgisMemoryMb": "lots",
            "geostack:geoserverMemoryMb": "512",
            // A misspelt `--secret registryPassword`: the value is a token.
            "geostack:registryPasword": "s3cret-registry-token",
        });
        const problems = error.message.split("\n").slice(1);
        expect(error.message.split("\n")[0]).toBe("Invalid GeoStack stack configuration (nothing was created):");
        expect(problems).toHaveLength(4);
        expect(problems).toEqual(
            expect.arrayContaining([
                '  - geostack:domain = "http://maps.example.org": expected a lower-case DNS name such as geostack.example.org (no scheme, port, path or IP address)',
                '  - geostack:postgisMemoryMb = "lots": expected a whole number',
                "  - geostack:geoserverMemoryMb = 512: expected a whole number of MiB, at least 1024",
                expect.stringMatching(/^ {2}- geostack:registryPasword is not a GeoStack key \(value not shown\); GeoStack reads .*\bregistryPassword\b/),
            ]),
        );
        expect(error.message).not.toContain("s3cret-registry-token");
        expect(mocks.resources).toEqual([]);
    });

    it("a registry token in plain text, and a key of a misspelt namespace", async () => {
        const { error, mocks } = await fail("dev", {
            "geostack:pushImage": "true",
            "geostack:imageRepository": "ghcr.io/example-org/geoserver",
            "geostack:registryUsername": "example-user",
            "geostack:registryPassword": "plain-text-registry-token",
            "geostak:protectData": "true",
        });
        expect(error.message.split("\n").slice(1)).toEqual([
            '  - geostak:protectData is not read (value not shown): its namespace is "geostak", not "geostack"; set geostack:protectData instead',
            "  - geostack:registryPassword is set in plain text (value not shown): a registry token must be a secret; remove it from the stack file and run pulumi config set --secret registryPassword <token>",
        ]);
        expect(error.message).not.toContain("plain-text-registry-token");
        expect(mocks.resources).toEqual([]);
    });
});
