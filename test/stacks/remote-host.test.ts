import { beforeAll, describe, expect, it } from "vitest";
import { type Deployed, runProgram, stackConfig } from "../support/harness";
import { IMAGE, IMAGE_BUILDER_PROVIDER } from "../support/resources";

// The prod stack on a remote Docker host, set as docs/operations.md says: only docker:host.
const HOST = "ssh://deploy@maps.example.org";
let prod: Deployed;
beforeAll(async () => {
    prod = await runProgram("prod", { ...stackConfig("prod"), "docker:host": HOST });
});

describe("prod stack on a remote Docker host", () => {
    it("builds the GeoServer image with that host's engine, which then runs it by ID", () => {
        const [builder] = prod.mocks.ofType(IMAGE_BUILDER_PROVIDER);
        expect(builder.inputs).toMatchObject({ host: HOST });
        const [image] = prod.mocks.ofType(IMAGE);
        // A provider reference is `<urn>::<id>`.
        expect(image.options.provider).toBe(`${builder.urn}::${builder.id}`);
    });
});
