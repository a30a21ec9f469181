import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, parseStackConfig } from "../config";
import { readYaml, stackConfig } from "./harness";
import { settle } from "../render/mocks";

const TOKEN = "ghp-not-a-real-token";
/** The raw config of a stack file with changes, without the `geostack:` prefix, as parseStackConfig takes it. */
const raw = (stack: string, changes: Record<string, string> = {}): Record<string, string> => {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(stackConfig(stack))) if (key.startsWith("geostack:")) config[key.slice("geostack:".length)] = value;
    return { ...config, ...changes };
};
const problemsOf = (config: Record<string, string>): string => {
    try {
        parseStackConfig(config);
    } catch (error) {
        return (error as Error).message;
    }
    throw new Error("the config was accepted");
};

describe("Pulumi.yaml", () => {
    it("declares every key of CONFIG_KEYS, with the same type and default, and no other", () => {
        const declared = readYaml("Pulumi.yaml").config;
        expect(Object.keys(declared).sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            expect(declared[key].type, key).toBe(spec.kind);
            expect(declared[key].default, key).toEqual(spec.default);
            expect(declared[key].description, key).toBeTruthy();
            if (spec.kind === "array") expect(declared[key].items, key).toEqual({ type: "string" });
        }
    });

    it("declares no key secret: Pulumi rejects a secret key's plaintext default, and dev needs no registry token", () => {
        // (pulumi/pulumi mergeConfig applies defaults, then validateStackConfigValues rejects a non-secure value of a
        // key declared `secret: true`.) The program handles registryPassword as a secret itself.
        const declared = readYaml("Pulumi.yaml").config;
        for (const key of Object.keys(declared)) expect(declared[key].secret, key).toBeUndefined();
        expect(CONFIG_KEYS.registryPassword).toMatchObject({ secret: true, default: "" });
    });

    it("is never given a registry token in plain text by a stack file", () => {
        for (const stack of ["dev", "prod"]) {
            const value = readYaml(`Pulumi.${stack}.yaml`).config["geostack:registryPassword"];
            if (value !== undefined) expect(value, stack).toEqual({ secure: expect.any(String) });
        }
    });
});

describe("image config", () => {
    it("builds locally by default: a local repository, no push, no credentials, nothing prebuilt", () => {
        const config = parseStackConfig(raw("dev"));
        expect(config).toMatchObject({ imageRepository: "geostack/geoserver", pushImage: false, geoserverExtensions: [], imagePlatform: "linux/amd64" });
        expect(config.registryUsername).toBeUndefined();
        expect(config.registryPassword).toBeUndefined();
        expect(config.geoserverImage).toBeUndefined();
        expect(config.imageSource).toBeUndefined();
    });

    it("hands the registry token on as a Pulumi secret", async () => {
        const config = parseStackConfig(raw("prod", { registryPassword: TOKEN }));
        expect(config).toMatchObject({ pushImage: true, imageRepository: "ghcr.io/example-org/geoserver", registryUsername: "example-user" });
        expect(await settle(config.registryPassword!)).toEqual({ value: TOKEN, secret: true });
    });

    it("reads the extension list as the engine passes it, JSON text", () => {
        expect(parseStackConfig(raw("dev", { geoserverExtensions: '["wps","vectortiles"]' })).geoserverExtensions).toEqual(["wps", "vectortiles"]);
        expect(problemsOf(raw("dev", { geoserverExtensions: "wps,vectortiles" }))).toContain('geostack:geoserverExtensions = "wps,vectortiles": expected a list of strings');
    });

    it("stops a push without a registry login, naming the keys, and never prints a token", () => {
        expect(problemsOf(raw("prod", { registryPassword: "" }))).toContain("geostack:pushImage = true: expected geostack:registryPassword to be set");
        expect(problemsOf(raw("prod", { registryUsername: "", registryPassword: "" }))).toContain(
            "geostack:pushImage = true: expected geostack:registryUsername and geostack:registryPassword to be set",
        );
        expect(problemsOf(raw("prod", { registryUsername: "", registryPassword: TOKEN }))).not.toContain(TOKEN);
    });

    it("stops an invalid repository, and a push to one without a registry host", () => {
        expect(problemsOf(raw("dev", { imageRepository: "GHCR.io/Acme/GeoServer:latest" }))).toContain('geostack:imageRepository = "GHCR.io/Acme/GeoServer:latest": expected a lower-case image repository');
        expect(problemsOf(raw("prod", { registryPassword: TOKEN, imageRepository: "acme/geoserver" }))).toContain(
            'geostack:imageRepository = "acme/geoserver": expected a repository that starts with its registry host',
        );
    });

    it("stops an unknown extension, and one the release line does not publish", () => {
        expect(problemsOf(raw("dev", { geoserverExtensions: '["wps","wsp"]' }))).toMatch(/geostack:geoserverExtensions = \["wps","wsp"\]: expected official GeoServer 2\.28 extension names; unknown: wsp;/);
        expect(problemsOf(raw("dev", { geoserverVersion: "3.0.1", geoserverExtensions: '["h2"]' }))).toContain("unknown: h2");
    });

    it("stops a platform the official image is not published for", () => {
        expect(problemsOf(raw("dev", { imagePlatform: "linux/arm/v7" }))).toContain('geostack:imagePlatform = "linux/arm/v7": expected one of linux/amd64, linux/arm64');
    });

    it("takes a prebuilt image reference, and refuses to push or bake extensions into it", () => {
        const prebuilt = `ghcr.io/acme/geoserver@sha256:${"a".repeat(64)}`;
        expect(parseStackConfig(raw("dev", { geoserverImage: prebuilt })).geoserverImage).toBe(prebuilt);
        expect(problemsOf(raw("dev", { geoserverImage: "not a reference" }))).toContain('geostack:geoserverImage = "not a reference"');
        const both = problemsOf(raw("prod", { registryPassword: TOKEN, geoserverImage: prebuilt, geoserverExtensions: '["wps"]' }));
        expect(both).toContain("geostack:pushImage = true: expected false when geostack:geoserverImage is set");
        expect(both).toContain('geostack:geoserverExtensions = ["wps"]: expected [] when geostack:geoserverImage is set');
    });

    it("takes an https source URL for the image label", () => {
        expect(parseStackConfig(raw("dev", { imageSource: "https://github.com/acme/geostack" })).imageSource).toBe("https://github.com/acme/geostack");
        expect(problemsOf(raw("dev", { imageSource: "github.com/acme/geostack" }))).toContain('geostack:imageSource = "github.com/acme/geostack"');
    });
});
