import { describe, expect, it } from "vitest";
import { goDuration } from "../../../tools/render/mocks";

describe("the provider mocks' Docker host", () => {
    it("reads healthcheck durations back as Go prints them, so an input written otherwise shows as a change", () => {
        expect(["10s", "5s", "1m0s", "2m0s", "0s"].map(goDuration)).toEqual(["10s", "5s", "1m0s", "2m0s", "0s"]);
        expect(["120s", "1m", "90s", "1h", "500ms"].map(goDuration)).toEqual(["2m0s", "1m0s", "1m30s", "1h0m0s", "500ms"]);
    });
});
