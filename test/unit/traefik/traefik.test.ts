import { describe, expect, it } from "vitest";
import { supportedTraefik, traefikVersionOf } from "../../../components/traefik/traefik";

describe("the traefik image", () => {
    it("is read as major, minor and patch", () => {
        expect(traefikVersionOf("traefik:v3.6.26")).toEqual([3, 6, 26]);
        expect(traefikVersionOf("traefik:3.7.0")).toEqual([3, 7, 0]);
        expect(traefikVersionOf("traefik:latest")).toBeUndefined();
    });

    // Older releases cannot talk to Docker Engine 29+.
    it.each(["traefik:v3.6.1", "traefik:3.7.0", "traefik:v3.6.26"])("%s is supported", (image) => expect(supportedTraefik(image)).toBeUndefined());

    it.each(["traefik:v3.6.0", "traefik:v3.5.4", "traefik:v2.11.31", "traefik:v4.0.0", "traefik:v3.6", "traefik:latest", "traefik"])("%s is refused", (image) =>
        expect(supportedTraefik(image)).toMatch(/^a traefik v3 image pinned to a patch release, v3\.6\.1 or later/),
    );
});
