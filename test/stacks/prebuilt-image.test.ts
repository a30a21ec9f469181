import { beforeAll, describe, expect, it } from "vitest";
import { DOCKER_HOSTS, reveal } from "../../tools/render/mocks";
import { type Deployed, runProgram, stackConfig } from "../support/harness";
import { nextPlan } from "../support/next-plan";
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

    it("runs through GeoStack's entrypoint, which it may not hold, and is left alone by the next `up` whatever its HEALTHCHECK", () => {
        const geoserver = deployed.mocks.get(CONTAINER, "geostack-geoserver");
        expect(geoserver.inputs.entrypoints).toEqual(["bash", "/opt/geostack/entrypoint.sh"]);
        expect(nextPlan(geoserver, DOCKER_HOSTS["images whose HEALTHCHECK sets every option"])).toEqual([]);
    });

    it("is taken for GeoStack's own image, which runs as uid 999: no capability, unless geoserverImageStartsAsRoot", () => {
        expect(deployed.mocks.get(CONTAINER, "geostack-geoserver").inputs.capabilities).toEqual({ drops: ["ALL"] });
    });
});
