import { beforeAll, describe, expect, it } from "vitest";
import { DOCKER_HOSTS, reveal } from "../../tools/render/mocks";
import { type Deployed, runProgram, stackConfig } from "../support/harness";
import { nextPlan } from "../support/next-plan";
import { CONTAINER, REMOTE_IMAGE } from "../support/resources";

// The official GeoServer image as the prebuilt one: it starts as root, and its startup.sh steps down to uid 999.
const OFFICIAL = "docker.osgeo.org/geoserver:2.28.4";
let deployed: Deployed;
beforeAll(async () => {
    deployed = await runProgram("dev", { ...stackConfig("dev"), "geostack:geoserverImage": OFFICIAL, "geostack:geoserverImageStartsAsRoot": "true" });
});

describe("the official GeoServer image, with geoserverImageStartsAsRoot", () => {
    it("runs through GeoStack's entrypoint, keeping only the capabilities its startup.sh needs to step down to 999", () => {
        const geoserver = deployed.mocks.get(CONTAINER, "geostack-geoserver");
        expect(reveal(geoserver.inputs.image)).toBe(deployed.mocks.get(REMOTE_IMAGE, "geostack-geoserver-image").state.imageId);
        expect(geoserver.inputs.entrypoints).toEqual(["bash", "/opt/geostack/entrypoint.sh"]);
        expect(geoserver.inputs.capabilities).toEqual({ drops: ["ALL"], adds: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"] });
        expect(geoserver.inputs.securityOpts).toEqual(["no-new-privileges:true"]);
    });

    it("is left alone by the next `up`, whatever the image's own HEALTHCHECK", () => {
        expect(nextPlan(deployed.mocks.get(CONTAINER, "geostack-geoserver"), DOCKER_HOSTS["images whose HEALTHCHECK sets every option"])).toEqual([]);
    });
});
