import { describe, expect, it } from "vitest";
import { parseImageReference, registryHostOf } from "../../../components/shared/image-ref";

describe("parseImageReference", () => {
    it("splits repository, tag and digest", () => {
        expect(parseImageReference("postgis/postgis:17-3.5")).toEqual({ repository: "postgis/postgis", tag: "17-3.5", digest: undefined });
        // A registry port is not a tag.
        expect(parseImageReference("localhost:5000/geo/server")).toEqual({ repository: "localhost:5000/geo/server", tag: undefined, digest: undefined });
        const digest = `sha256:${"a".repeat(64)}`;
        expect(parseImageReference(`ghcr.io/acme/geoserver:2.28.4@${digest}`)).toEqual({ repository: "ghcr.io/acme/geoserver", tag: "2.28.4", digest });
    });

    it.each(["", "UPPER/case:1", "name:", "name::tag", "a@sha256:short", "name:tag with space", "a@b@c"])("refuses %j", (bad) =>
        expect(parseImageReference(bad)).toBeUndefined(),
    );
});

describe("registryHostOf", () => {
    it("finds the registry host as Docker does: a dot, a port or localhost in the first component", () => {
        expect(registryHostOf("ghcr.io/acme/geoserver")).toBe("ghcr.io");
        expect(registryHostOf("localhost:5000/geoserver")).toBe("localhost:5000");
        expect(registryHostOf("localhost/geoserver")).toBe("localhost");
        expect(registryHostOf("geostack/geoserver")).toBeUndefined();
        expect(registryHostOf("geoserver")).toBeUndefined();
    });
});
