import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { GeoServerImage, GeoServerImageArgs } from "../components/geoserver-image";
import { GeoStack, GeoStackArgs } from "../components/geostack";
import { installMocks, ProviderMocks, reveal, settle } from "../render/mocks";
import { occurrences } from "./occurrences";

// The component on its own, as a library user would create it (no stack config in between).
let mocks: ProviderMocks;
beforeAll(() => {
    mocks = installMocks("geostack", "component");
});

const build = (name: string, args: GeoServerImageArgs) => new GeoServerImage(name, args);
const resources = (name: string) => mocks.resources.filter((r) => r.name.startsWith(name) && r.type.startsWith("docker:"));

describe("GeoServerImage", () => {
    it("treats the registry password as a secret even when given as a plain string", async () => {
        const image = build("plain-password", { repository: "ghcr.io/acme/geoserver", push: true, registryUsername: "acme", registryPassword: "plain-token" });
        await settle(image.repoDigest);
        await settle(image.buildTag);
        const found = resources("plain-password").flatMap((r) => occurrences(r.inputs, "plain-token").map((o) => ({ resource: r.type, ...o })));
        expect(found).toEqual([
            { resource: "docker:index/image:Image", path: "registry.password", secret: true },
            { resource: "docker:index/registryImage:RegistryImage", path: "authConfig.password", secret: true },
        ]);
        const [pushed] = resources("plain-password").filter((r) => r.type === "docker:index/registryImage:RegistryImage");
        expect(reveal(pushed.inputs.authConfig)).toEqual({ address: "ghcr.io", username: "acme", password: "plain-token" });
    });

    it("outputs the version tag, the repoDigest and the fingerprint tag", async () => {
        const image = build("outputs", { repository: "localhost:5000/geoserver", geoserverVersion: "3.0.1", extensions: ["iau"], platform: "linux/arm64" });
        expect((await settle(image.imageName)).value).toBe("localhost:5000/geoserver:3.0.1");
        expect((await settle(image.repoDigest)).value).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect((await settle(image.buildTag)).value).toMatch(/^localhost:5000\/geoserver:3\.0\.1-[0-9a-f]{12}$/);
        const [built] = resources("outputs").filter((r) => r.type === "docker:index/image:Image");
        expect(built.inputs.build).toMatchObject({ platform: "linux/arm64", args: { GEOSERVER_VERSION: "3.0.1", GEOSERVER_EXTENSIONS: "iau" } });
    });

    it("gets the same fingerprint tag for the same extensions in another order, another for other extensions", async () => {
        const tagOf = (name: string, extensions: string[]) => settle(build(name, { repository: "geostack/geoserver", extensions }).buildTag);
        const a = (await tagOf("order-a", ["wps", "css"])).value;
        expect((await tagOf("order-b", ["css", "wps"])).value).toBe(a);
        expect((await tagOf("order-c", ["css"])).value).not.toBe(a);
    });

    it("rejects bad arguments before creating anything", () => {
        const before = mocks.resources.length;
        const cases: [GeoServerImageArgs, RegExp][] = [
            [{ repository: "ghcr.io/acme/geoserver", push: true }, /push = true: expected registryUsername and registryPassword/],
            [{ repository: "acme/geoserver", push: true, registryUsername: "a", registryPassword: pulumi.secret("t") }, /repository = "acme\/geoserver": expected a repository that starts with its registry host/],
            [{ repository: "geostack/geoserver", extensions: ["wsp"] }, /extensions = \["wsp"\]: expected official GeoServer 2\.28 extension names/],
            [{ repository: "geostack/geoserver:latest" }, /repository = "geostack\/geoserver:latest"/],
            [{ repository: "geostack/geoserver", platform: "windows/amd64" }, /platform = "windows\/amd64"/],
        ];
        for (const [args, message] of cases) {
            expect(() => build("invalid", args)).toThrow(message);
        }
        // Only the component shells were registered, never a docker resource.
        expect(mocks.resources.slice(before).filter((r) => r.type.startsWith("docker:"))).toEqual([]);
    });
});

describe("GeoStack's GeoServer image arguments", () => {
    it("are checked before anything is created", () => {
        const before = mocks.resources.length;
        const prebuilt = `ghcr.io/acme/geoserver@sha256:${"a".repeat(64)}`;
        const cases: [Partial<GeoStackArgs>, RegExp][] = [
            [{ geoserverImage: "not a reference" }, /geoserverImage = "not a reference"/],
            [{ geoserverImage: prebuilt, pushImage: true }, /pushImage = true: expected false when geoserverImage is given/],
            [{ geoserverImage: prebuilt, geoserverExtensions: ["wps"] }, /geoserverExtensions = \["wps"\]: expected none when geoserverImage is given/],
            [{ imagePlatform: "linux/s390x" }, /imagePlatform = "linux\/s390x"/],
            [{ pushImage: true, imageRepository: "ghcr.io/acme/geoserver" }, /pushImage = true: expected registryUsername and registryPassword/],
            [{ pushImage: true, imageRepository: "acme/geoserver", registryUsername: "u", registryPassword: "p" }, /imageRepository = "acme\/geoserver"/],
        ];
        for (const [args, message] of cases) {
            expect(() => new GeoStack("invalid-stack", { domain: "maps.example.org", ...args })).toThrow(message);
        }
        // Not even a component shell: everything is checked before the first registration.
        expect(mocks.resources.slice(before)).toEqual([]);
    });
});
