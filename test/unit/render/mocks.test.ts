import { describe, expect, it } from "vitest";
import { ProviderMocks } from "../../../tools/render/mocks";
import { CONTAINER } from "../../support/resources";

describe("the provider mocks", () => {
    const create = (inputs: Record<string, unknown>) => {
        const mocks = new ProviderMocks();
        mocks.pendingOptions = { urn: "urn:test", protect: false, retainOnDelete: false, parent: "", dependencies: [], provider: "" };
        return () => mocks.newResource({ type: CONTAINER, name: "c", inputs, custom: true } as never);
    };

    it("fail a container with uploads and a read-only root filesystem, as Docker refuses the upload", () => {
        const uploads = [{ file: "/etc/x", content: "x" }];
        expect(create({ readOnly: true, uploads })).toThrow("container rootfs is marked read-only");
        expect(create({ readOnly: false, uploads })).not.toThrow();
        expect(create({ readOnly: true, uploads: [] })).not.toThrow();
    });
});
