import { beforeAll, describe, expect, it } from "vitest";
import { deployStack, Deployed, STAND_IN_SECRETS } from "./harness";
import { occurrences } from "./occurrences";
import { RegisteredResource, reveal } from "../render/mocks";

const TOKEN = STAND_IN_SECRETS.prod["geostack:registryPassword"];
const REPOSITORY = "ghcr.io/example-org/geoserver";

let prod: Deployed;
beforeAll(async () => {
    prod = await deployStack("prod");
});

const one = (type: string): RegisteredResource => {
    expect(prod.mocks.ofType(type), type).toHaveLength(1);
    return prod.mocks.ofType(type)[0];
};
const image = () => one("docker:index/image:Image");
const remoteImage = () => prod.mocks.get("docker:index/remoteImage:RemoteImage", "geostack-geoserver-image");

describe("prod stack: the GeoServer image", () => {
    it("is built and pushed to ghcr.io with the configured login, caching from the previous push of the version", () => {
        const { inputs } = image();
        expect(inputs.imageName).toBe(`${REPOSITORY}:2.28.4`);
        expect(inputs.skipPush).toBe(false);
        expect(reveal(inputs.registry)).toEqual({ server: "ghcr.io", username: "example-user", password: TOKEN });
        expect(inputs.build.cacheFrom).toEqual({ images: [`${REPOSITORY}:2.28.4`] });
        expect(inputs.build.args.BUILDKIT_INLINE_CACHE).toBe("1");
    });

    it("pushes the fingerprint tag too, and never deletes it from the registry", () => {
        const tag = one("docker:index/tag:Tag");
        const pushed = one("docker:index/registryImage:RegistryImage");
        const buildTag = `${REPOSITORY}:2.28.4-${image().inputs.build.args.IMAGE_REVISION.slice(0, 12)}`;
        expect(tag.inputs.targetImage).toBe(buildTag);
        expect(pushed.inputs.name).toBe(buildTag);
        expect(pushed.inputs.keepRemotely).toBe(true);
        expect(reveal(pushed.inputs.authConfig)).toEqual({ address: "ghcr.io", username: "example-user", password: TOKEN });
    });

    it("keeps the registry token a secret in every input and output that holds it", () => {
        const inputs = prod.mocks.resources.flatMap((r) => occurrences(r.inputs, TOKEN).map((o) => ({ resource: r.name, ...o })));
        expect(inputs.map((o) => `${o.resource} ${o.path}`).sort()).toEqual([
            "geostack-geoserver-image registry.password",
            "geostack-geoserver-image-build-tag-push authConfig.password",
        ].sort());
        for (const o of inputs) expect(o.secret, `${o.resource} ${o.path}`).toBe(true);
        // The provider hands the inputs back as outputs; what it returns must be as secret as what it got.
        const outputs = prod.mocks.resources.flatMap((r) => occurrences(r.state, TOKEN).map((o) => ({ resource: r.name, ...o })));
        expect(outputs).toHaveLength(2);
        for (const o of outputs) expect(o.secret, `${o.resource} ${o.path}`).toBe(true);
        for (const [name, output] of Object.entries(prod.outputs)) expect(occurrences(output.value, TOKEN), name).toEqual([]);
    });

    it("runs in the GeoServer container as the ID of a RemoteImage named by the pushed repoDigest", () => {
        const repoDigest = image().state.repoDigest;
        expect(repoDigest).toMatch(new RegExp(`^${REPOSITORY}@sha256:[0-9a-f]{64}$`));
        expect(remoteImage().inputs).toMatchObject({ name: repoDigest, platform: "linux/amd64", keepLocally: true });
        const container = prod.mocks.get("docker:index/container:Container", "geostack-geoserver");
        expect(reveal(container.inputs.image)).toBe(remoteImage().state.imageId);
        expect(remoteImage().state.imageId).toMatch(/^sha256:/);
        // The container waits for the image it runs.
        expect(container.options.dependencies).toContain(remoteImage().urn);
        expect(prod.outputs.geoserverImageName).toEqual({ value: `${REPOSITORY}:2.28.4`, secret: false });
        expect(prod.outputs.geoserverImageDigest).toEqual({ value: repoDigest, secret: false });
    });
});
