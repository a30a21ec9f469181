import { beforeAll, describe, expect, it } from "vitest";
import { Deployed, runProgram, stackConfig } from "./harness";
import { occurrences } from "./occurrences";
import { RegisteredResource, reveal } from "../render/mocks";

const IMAGE = "docker:index/image:Image";

// The dev stack as it is, plus registry credentials a developer may have lying in the stack config: with pushImage
// false they must not reach any resource.
const USERNAME = "dev-registry-user";
const TOKEN = "dev-registry-token";
let dev: Deployed;
beforeAll(async () => {
    dev = await runProgram("dev", {
        ...stackConfig("dev"),
        "geostack:registryUsername": USERNAME,
        "geostack:registryPassword": TOKEN,
        "geostack:geoserverExtensions": JSON.stringify(["wps", "vectortiles"]),
    });
});

const image = (): RegisteredResource => {
    expect(dev.mocks.ofType(IMAGE)).toHaveLength(1);
    return dev.mocks.ofType(IMAGE)[0];
};

describe("dev stack: the GeoServer image", () => {
    it("is built locally from images/geoserver, for linux/amd64, with the version and the extensions as build args", () => {
        const { inputs } = image();
        expect(inputs.imageName).toBe("geostack/geoserver:2.28.4");
        expect(inputs.skipPush).toBe(true);
        expect(inputs.build).toMatchObject({
            context: "images/geoserver",
            dockerfile: "images/geoserver/Dockerfile",
            platform: "linux/amd64",
            builderVersion: "BuilderBuildKit",
            args: { GEOSERVER_VERSION: "2.28.4", GEOSERVER_EXTENSIONS: "vectortiles,wps", IMAGE_SOURCE: "" },
        });
        expect(inputs.build.args.IMAGE_REVISION).toMatch(/^[0-9a-f]{64}$/);
        // Nothing was pushed before, and a local build has its layers on the Docker host already.
        expect(inputs.build.cacheFrom).toBeUndefined();
    });

    it("is built by a GeoServerImage component inside the GeoStack", () => {
        const [component] = dev.mocks.ofType("geostack:index:GeoServerImage");
        expect(component.name).toBe("geostack-geoserver-image");
        expect(component.options.parent).toBe(dev.mocks.ofType("geostack:index:GeoStack")[0].urn);
        expect(image().options.parent).toBe(component.urn);
    });

    it("gets a second, local tag from the fingerprint of the build inputs", () => {
        const [tag] = dev.mocks.ofType("docker:index/tag:Tag");
        expect(tag.inputs.sourceImage).toBe("geostack/geoserver:2.28.4");
        expect(tag.inputs.targetImage).toBe(`geostack/geoserver:2.28.4-${image().inputs.build.args.IMAGE_REVISION.slice(0, 12)}`);
    });

    it("is pushed nowhere and uses no registry credential, not even configured ones", () => {
        expect(image().inputs.registry).toBeUndefined();
        expect(dev.mocks.ofType("docker:index/registryImage:RegistryImage")).toEqual([]);
        expect(dev.mocks.ofType("docker:index/remoteImage:RemoteImage").filter((r) => r.name.includes("geoserver"))).toEqual([]);
        for (const resource of dev.mocks.resources) {
            expect(occurrences(resource.inputs, TOKEN), resource.name).toEqual([]);
            expect(occurrences(resource.inputs, USERNAME), resource.name).toEqual([]);
        }
        for (const [name, output] of Object.entries(dev.outputs)) expect(occurrences(output.value, TOKEN), name).toEqual([]);
    });

    it("runs in the GeoServer container by its local image ID, which is what an unpushed build's repoDigest is", () => {
        const repoDigest = image().state.repoDigest;
        expect(repoDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(reveal(dev.mocks.get("docker:index/container:Container", "geostack-geoserver").inputs.image)).toBe(repoDigest);
        expect(dev.outputs.geoserverImageName).toEqual({ value: "geostack/geoserver:2.28.4", secret: false });
        expect(dev.outputs.geoserverImageDigest).toEqual({ value: repoDigest, secret: false });
    });
});
