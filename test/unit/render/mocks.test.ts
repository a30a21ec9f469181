import { describe, expect, it } from "vitest";
import { cpusReadBack, goDuration, ProviderMocks } from "../../../tools/render/mocks";
import { CONTAINER } from "../../support/resources";

describe("the provider mocks", () => {
    const create = (inputs: Record<string, unknown>) => {
        const mocks = new ProviderMocks();
        mocks.pendingOptions = { urn: "urn:test", protect: false, retainOnDelete: false, parent: "", dependencies: [], propertyDependencies: {}, provider: "" };
        return () => mocks.newResource({ type: CONTAINER, name: "c", inputs, custom: true } as never);
    };

    it("fail a container with uploads and a read-only root filesystem, as Docker refuses the upload", () => {
        const uploads = [{ file: "/etc/x", content: "x" }];
        expect(create({ readOnly: true, uploads })).toThrow("container rootfs is marked read-only");
        expect(create({ readOnly: false, uploads })).not.toThrow();
        expect(create({ readOnly: true, uploads: [] })).not.toThrow();
    });
});

describe("the provider mocks' Docker host", () => {
    it("reads healthcheck durations back as Go prints them, so an input written otherwise shows as a change", () => {
        expect(["10s", "5s", "1m0s", "2m0s", "0s"].map(goDuration)).toEqual(["10s", "5s", "1m0s", "2m0s", "0s"]);
        expect(["120s", "1m", "90s", "1h", "500ms"].map(goDuration)).toEqual(["2m0s", "1m0s", "1m30s", "1h0m0s", "500ms"]);
    });

    it("reads cpus back as nanoInt64ToDecimalString prints NanoCPUs, quirks included", () => {
        // Worked by hand from the Go function: nine zeros (the integer part's count) give one decimal.
        expect(["2", "1.50", "0.5", "0.25", "0.01", "10", "9.99"].map(cpusReadBack)).toEqual(["2.0", "1.5", "0.5", "0.25", "0.0", "10.", "9.99"]);
    });
});
