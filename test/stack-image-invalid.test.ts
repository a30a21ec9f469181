import { beforeAll, describe, expect, it } from "vitest";
import { failProgram, stackConfig } from "./harness";
import { ProviderMocks } from "../render/mocks";

// One invalid stack through the whole program; every other invalid input is covered by test/config-image.test.ts.
let run: { mocks: ProviderMocks; error: Error };
beforeAll(async () => {
    run = await failProgram("dev", { ...stackConfig("dev"), "geostack:pushImage": "true", "geostack:imageRepository": "ghcr.io/example-org/geoserver" });
});

describe("a stack that would push without a registry login", () => {
    it("stops with an error naming the key", () => {
        expect(run.error.message).toContain("geostack:pushImage = true: expected geostack:registryUsername and geostack:registryPassword to be set");
    });

    it("creates nothing", () => {
        expect(run.mocks.resources).toEqual([]);
    });
});
