import { beforeAll, describe, expect, it } from "vitest";
import { reveal } from "../../tools/render/mocks";
import { type Deployed, runProgram, stackConfig } from "../support/harness";
import { CONTAINER, IMAGE, REGISTRY_IMAGE, REMOTE_IMAGE } from "../support/resources";

// A team that builds elsewhere (CI) and deploys a pinned image.
const PREBUILT = `ghcr.io/example-org/geoserver@sha256:${"ab".repeat(32)}`;
let deployed: Deployed;
beforeAll(async () => {
    // An arm64 server: the pull asks for that platform; without imagePlatform the Docker host pulls its own.
    deployed = await runProgram("dev", { ...stackConfig("dev"), "geostack:geoserverImage": PREBUILT, "geostack:imagePlatform": "linux/arm64" });
});

describe("prebuilt GeoServer image", () => {
    it("builds, tags and pushes nothing", () => {
        for (const type of [IMAGE, REGISTRY_IMAGE, "geostack:index:GeoServerImage"]) {
            expect(deployed.mocks.ofType(type), type).toEqual([]);
        }
    });

    it("is pulled through a RemoteImage and run by its image ID", () => {
        const remote = deployed.mocks.get(REMOTE_IMAGE, "geostack-geoserver-image");
        expect(remote.inputs).toMatchObject({ name: PREBUILT, keepLocally: true, platform: "linux/arm64" });
        expect(reveal(deployed.mocks.get(CONTAINER, "geostack-geoserver").inputs.image)).toBe(remote.state.imageId);
        expect(deployed.outputs.geoserverImageName.value).toBe(PREBUILT);
        expect(deployed.outputs.geoserverImageDigest.value).toBe(PREBUILT);
    });
});
