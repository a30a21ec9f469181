// GeoServerImage on its own, as a library user creates it (no stack config in between).
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { GEOSERVER_IMAGE_SPEC, GeoServerImage } from "../../components";
import { installMocks, type ProviderMocks, reveal, settle } from "../../tools/render/mocks";
import { occurrences } from "../support/occurrences";
import { expectRefusal, type RefusalCase, registrationsDone, titleOf, uncovered } from "../support/refusals";
import { IMAGE, REGISTRY_IMAGE, TAG } from "../support/resources";

let mocks: ProviderMocks;
let pushed: GeoServerImage;
let local: GeoServerImage;
let arm: GeoServerImage;
const buildTags: Record<string, string> = {};

beforeAll(async () => {
    mocks = installMocks("geostack", "component");
    pushed = new GeoServerImage("pushed", { repository: "ghcr.io/acme/geoserver", push: true, registryUsername: "acme", registryPassword: "plain-token" });
    // A login given without push: a local build must not hand it to any resource.
    local = new GeoServerImage("local", { repository: "geostack/geoserver", registryUsername: "acme", registryPassword: "unused-token" });
    arm = new GeoServerImage("arm", { repository: "localhost:5000/geoserver", geoserverVersion: "3.0.1", extensions: ["iau"], platform: "linux/arm64" });
    for (const [name, extensions] of Object.entries({ "order-a": ["wps", "css"], "order-b": ["css", "wps"], "order-c": ["css"] })) {
        buildTags[name] = (await settle(new GeoServerImage(name, { repository: "geostack/geoserver", extensions }).buildTag)).value;
    }
    await registrationsDone();
});

const resourcesOf = (name: string) => mocks.resources.filter((r) => r.name.startsWith(name) && r.type.startsWith("docker:"));

describe("GeoServerImage pushed to a registry", () => {
    it("treats the registry password as a secret even when given as a plain string", () => {
        const found = resourcesOf("pushed").flatMap((r) => occurrences(r.inputs, "plain-token").map((o) => ({ resource: r.type, ...o })));
        expect(found).toEqual([
            { resource: IMAGE, path: "registry.password", secret: true },
            { resource: REGISTRY_IMAGE, path: "authConfig.password", secret: true },
        ]);
        expect(reveal(mocks.get(REGISTRY_IMAGE, "pushed-build-tag-push").inputs.authConfig)).toEqual({
            address: "ghcr.io",
            username: "acme",
            password: "plain-token",
        });
    });

    it("builds with the previous push of its version as cache, and pushes the fingerprint tag too", async () => {
        expect(mocks.get(IMAGE, "pushed").inputs).toMatchObject({ skipPush: false, build: { cacheFrom: { images: ["ghcr.io/acme/geoserver:2.28.4"] } } });
        expect((await settle(pushed.buildTag)).value).toMatch(/^ghcr\.io\/acme\/geoserver:2\.28\.4-[0-9a-f]{12}$/);
        expect(mocks.get(REGISTRY_IMAGE, "pushed-build-tag-push").inputs.name).toBe((await settle(pushed.buildTag)).value);
    });

    // `pulumi destroy` must not delete a digest some deployment may still run.
    it("keeps what it pushed in the registry when destroyed", () => {
        expect(mocks.get(REGISTRY_IMAGE, "pushed-build-tag-push").inputs.keepRemotely).toBe(true);
    });
});

describe("GeoServerImage built locally", () => {
    it("pushes nothing and hands the login to no resource", () => {
        expect(mocks.get(IMAGE, "local").inputs).toMatchObject({ skipPush: true });
        expect(mocks.get(IMAGE, "local").inputs.registry).toBeUndefined();
        expect(mocks.get(IMAGE, "local").inputs.build.cacheFrom).toBeUndefined();
        expect(resourcesOf("local").map((r) => r.type)).toEqual([IMAGE, TAG]);
        expect(resourcesOf("local").flatMap((r) => [...occurrences(r.inputs, "unused-token"), ...occurrences(r.inputs, "acme")])).toEqual([]);
    });

    it("outputs the version tag and the fingerprint tag", async () => {
        expect((await settle(local.imageName)).value).toBe("geostack/geoserver:2.28.4");
        expect((await settle(local.buildTag)).value).toMatch(/^geostack\/geoserver:2\.28\.4-[0-9a-f]{12}$/);
    });

    it("builds the version, extensions and platform it is given", async () => {
        expect((await settle(arm.imageName)).value).toBe("localhost:5000/geoserver:3.0.1");
        expect((await settle(arm.buildTag)).value).toMatch(/^localhost:5000\/geoserver:3\.0\.1-[0-9a-f]{12}$/);
        expect(mocks.get(IMAGE, "arm").inputs.build).toMatchObject({
            platform: "linux/arm64",
            args: { GEOSERVER_VERSION: "3.0.1", GEOSERVER_EXTENSIONS: "iau" },
        });
    });

    it("gets the same fingerprint tag for the same extensions in another order, another for other extensions", () => {
        expect(buildTags["order-b"]).toBe(buildTags["order-a"]);
        expect(buildTags["order-c"]).not.toBe(buildTags["order-a"]);
    });
});

describe("GeoServerImage refuses bad args before registering anything", () => {
    const context = 'Invalid arguments for GeoServerImage "bad"';
    const base = { repository: "geostack/geoserver" };
    const cases: RefusalCase[] = [
        { args: { repository: "geostack/geoserver:latest" } },
        { args: { repository: undefined } },
        { args: { geoserverVersion: "latest" } },
        { args: { platform: "windows/amd64" } },
        { args: { registryUsername: "a b" } },
        { args: { source: "http://github.com/acme/geostack" } },
        { args: { extensions: ["wsp"] }, message: /^extensions = \["wsp"\]: expected official GeoServer 2\.28 extension names; unknown: wsp; known: / },
        // 3.0 no longer publishes the H2 modules: the list is checked against the version built.
        {
            args: { geoserverVersion: "3.0.1", extensions: ["h2"] },
            message: /^extensions = \["h2"\]: expected official GeoServer 3\.0 extension names; unknown: h2;/,
        },
        {
            args: { push: true, repository: "acme/geoserver", registryUsername: "acme", registryPassword: "secret-token" },
            message: /^repository = "acme\/geoserver": expected a repository that starts with its registry host/,
        },
        {
            args: { push: true, repository: "ghcr.io/acme/geoserver" },
            message: /^registryUsername and registryPassword must be set when push is true: the registry login/,
        },
        { args: { push: true, repository: "ghcr.io/acme/geoserver", registryUsername: "acme" }, message: /^registryPassword must be set when push is true/ },
        {
            args: { push: true, repository: "ghcr.io/acme/geoserver", registryPassword: pulumi.secret("t") },
            message: /^registryUsername must be set when push is true/,
        },
    ];

    it("has a case for every arg with a check and every rule", () => {
        expect(uncovered(GEOSERVER_IMAGE_SPEC, base, cases)).toEqual({ args: [], rules: [] });
    });

    it.each(cases.map((c) => [titleOf(c), c] as const))("%s", (_, refusal) =>
        expectRefusal(GEOSERVER_IMAGE_SPEC, context, base, refusal, (args) => new GeoServerImage("bad", args as any)),
    );
});
