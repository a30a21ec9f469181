// GeoServerImage on its own, as a library user creates it (no stack config in between).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GEOSERVER_IMAGE_SPEC, GeoServerImage } from "../../components";
import { GEOSERVER_IMAGE_CONTEXT } from "../../components/geoserver/image-build";
import { installMocks, type ProviderMocks, reveal, settle } from "../../tools/render/mocks";
import { ROOT } from "../support/harness";
import { occurrences } from "../support/occurrences";
import { expectRefusal, type RefusalCase, registrationsDone, titleOf, uncovered } from "../support/refusals";
import { IMAGE, REGISTRY_IMAGE } from "../support/resources";

let mocks: ProviderMocks;
let pushed: GeoServerImage;
let local: GeoServerImage;
let arm: GeoServerImage;
// A copy of the build context whose pin file pins the iau zip of 3.0.1, as `npm run pin-extensions` would write it.
const pinnedContext = fs.mkdtempSync(path.join(os.tmpdir(), "geoserver-context-"));
const IAU_SHA256 = "ab".repeat(32);

beforeAll(async () => {
    fs.cpSync(path.join(ROOT, GEOSERVER_IMAGE_CONTEXT), pinnedContext, { recursive: true });
    fs.appendFileSync(path.join(pinnedContext, "extension-checksums.sha256"), `${IAU_SHA256}  geoserver-3.0.1-iau-plugin.zip\n`);
    mocks = installMocks("geostack", "component");
    pushed = new GeoServerImage("pushed", { repository: "ghcr.io/acme/geoserver", push: true, registryUsername: "acme", registryPassword: "plain-token" });
    // A login given without push: a local build must not hand it to any resource.
    local = new GeoServerImage("local", { repository: "geostack/geoserver", registryUsername: "acme", registryPassword: "unused-token" });
    arm = new GeoServerImage("arm", {
        repository: "localhost:5000/geoserver",
        geoserverVersion: "3.0.1",
        extensions: ["iau"],
        platform: "linux/arm64",
        context: pinnedContext,
    });
    for (const [name, extensions] of Object.entries({ "order-a": ["wps", "css"], "order-b": ["css", "wps"] })) {
        new GeoServerImage(name, { repository: "geostack/geoserver", extensions, allowUnpinnedExtensions: true });
    }
    await registrationsDone();
});
afterAll(() => fs.rmSync(pinnedContext, { recursive: true, force: true }));

const resourcesOf = (name: string) =>
    mocks.resources.filter((r) => r.name.startsWith(name) && (r.type.startsWith("docker:") || r.type.startsWith("docker-build:")));

describe("GeoServerImage pushed to a registry", () => {
    it("treats the registry password as a secret even when given as a plain string", () => {
        const found = resourcesOf("pushed").flatMap((r) => occurrences(r.inputs, "plain-token").map((o) => ({ resource: r.type, ...o })));
        expect(found).toEqual([
            { resource: IMAGE, path: "registries[0].password", secret: true },
            { resource: REGISTRY_IMAGE, path: "authConfig.password", secret: true },
        ]);
        expect(reveal(mocks.get(REGISTRY_IMAGE, "pushed-push").inputs.authConfig)).toEqual({ address: "ghcr.io", username: "acme", password: "plain-token" });
    });

    it("builds with the previous push of its version as cache, and puts the cache metadata in the image it pushes", () => {
        expect(mocks.get(IMAGE, "pushed").inputs).toMatchObject({
            tags: ["ghcr.io/acme/geoserver:2.28.4"],
            cacheFrom: [{ registry: { ref: "ghcr.io/acme/geoserver:2.28.4" } }],
            cacheTo: [{ inline: {} }],
        });
    });

    it("pushes from the Docker engine what the build loaded there, outside the build, so a container need not wait", async () => {
        const build = mocks.get(IMAGE, "pushed");
        expect(build.inputs).toMatchObject({ load: true, push: false });
        const push = mocks.get(REGISTRY_IMAGE, "pushed-push");
        expect(push.inputs).toMatchObject({ name: "ghcr.io/acme/geoserver:2.28.4", triggers: { imageId: build.state.digest } });
        expect((await settle(pushed.imageId)).value).toBe(build.state.digest);
        expect((await settle(pushed.repoDigest)).value).toBe(`ghcr.io/acme/geoserver@${push.state.sha256Digest}`);
    });

    // `pulumi destroy` must not delete a digest some deployment may still run.
    it("keeps what it pushed in the registry, and the image on the host, when destroyed", () => {
        expect(mocks.get(REGISTRY_IMAGE, "pushed-push").inputs.keepRemotely).toBe(true);
        expect(mocks.get(IMAGE, "pushed").options.retainOnDelete).toBe(true);
    });
});

describe("GeoServerImage built locally", () => {
    it("pushes nothing and hands the login to no resource", () => {
        const { inputs } = mocks.get(IMAGE, "local");
        expect(inputs).toMatchObject({ load: true, push: false });
        for (const key of ["registries", "cacheFrom", "cacheTo"]) expect(inputs[key], key).toBeUndefined();
        expect(resourcesOf("local").map((r) => r.type)).toEqual([IMAGE]);
        expect(resourcesOf("local").flatMap((r) => [...occurrences(r.inputs, "unused-token"), ...occurrences(r.inputs, "acme")])).toEqual([]);
    });

    it("builds with the Docker engine's own builder, for the Docker host's platform unless told one", () => {
        expect(mocks.get(IMAGE, "local").inputs.builder).toEqual({ name: "default" });
        expect(mocks.get(IMAGE, "local").inputs.platforms).toBeUndefined();
        expect(mocks.get(IMAGE, "arm").inputs.platforms).toEqual(["linux/arm64"]);
    });

    it("outputs the version tag, and the local image ID as both what runs and what is recorded", async () => {
        const { digest } = mocks.get(IMAGE, "local").state;
        expect((await settle(local.imageName)).value).toBe("geostack/geoserver:2.28.4");
        expect((await settle(local.imageId)).value).toBe(digest);
        expect((await settle(local.repoDigest)).value).toBe(digest);
    });

    it("builds the version and the extensions it is given, from the context it is given", async () => {
        expect((await settle(arm.imageName)).value).toBe("localhost:5000/geoserver:3.0.1");
        expect(mocks.get(IMAGE, "arm").inputs).toMatchObject({
            context: { location: pinnedContext },
            dockerfile: { location: `${pinnedContext}/Dockerfile` },
            buildArgs: { GEOSERVER_VERSION: "3.0.1", GEOSERVER_EXTENSIONS: "iau", GEOSERVER_EXTENSIONS_ALLOW_UNPINNED: "false" },
        });
    });

    it("builds the same image for the same extensions in another order", () => {
        expect(mocks.get(IMAGE, "order-b").inputs.buildArgs).toEqual(mocks.get(IMAGE, "order-a").inputs.buildArgs);
        expect(mocks.get(IMAGE, "order-a").inputs.buildArgs).toMatchObject({ GEOSERVER_EXTENSIONS: "css,wps", GEOSERVER_EXTENSIONS_ALLOW_UNPINNED: "true" });
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
        // GeoStack's own pin file pins nothing yet: an extension is refused unless trusted on first use.
        {
            args: { extensions: ["wps"] },
            message:
                /^extensions = \["wps"\]: expected extensions whose zips images\/geoserver\/extension-checksums\.sha256 pins; not pinned: geoserver-2\.28\.4-wps-plugin\.zip\. Pin them with npm run pin-extensions .* or set allowUnpinnedExtensions to true/,
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
