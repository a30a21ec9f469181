import { describe, expect, it } from "vitest";
import { criticalPath, durationSeconds } from "../../../tools/render/critical-path";
import type { RegisteredResource } from "../../../tools/render/mocks";
import { CONTAINER } from "../../support/resources";

function resource(type: string, name: string, inputs: Record<string, any>, dependencies: RegisteredResource[] = [], state: Record<string, any> = {}) {
    const urn = `urn:pulumi:dev::geostack::${type}::${name}`;
    const options = { protect: false, retainOnDelete: false, parent: "", dependencies: dependencies.map((d) => d.urn), propertyDependencies: {}, provider: "" };
    return { type, name, urn, id: name, inputs, state: { ...inputs, ...state }, options } satisfies RegisteredResource;
}

const container = (name: string, role: string, interval: string, waitTimeout: number, dependencies: RegisteredResource[] = []) =>
    resource(CONTAINER, name, { labels: [{ label: "geostack.role", value: role }], wait: true, waitTimeout, healthcheck: { interval } }, dependencies);

describe("the critical path of a first `pulumi up`", () => {
    it("reads Docker's durations", () => {
        expect([durationSeconds("10s"), durationSeconds("2m0s"), durationSeconds("1h1m1s"), durationSeconds("500ms")]).toEqual([10, 120, 3661, 0.5]);
    });

    it("follows the dependencies the engine waits for, not the order of registration", () => {
        const image = resource("docker:index/remoteImage:RemoteImage", "postgis-image", { name: "postgis/postgis:17-3.5" });
        const postgis = container("postgis", "postgis", "10s", 240, [image]);
        const proxy = container("proxy", "docker-socket-proxy", "10s", 30);
        const geoserver = container("geoserver", "geoserver", "10s", 300, [postgis]);
        const path = criticalPath([geoserver, proxy, postgis, image]);
        expect(path.steps.map((s) => s.name)).toEqual(["postgis-image", "postgis", "geoserver"]);
        expect(path.seconds).toBe(path.steps.reduce((sum, s) => sum + s.seconds, 0));
    });

    it("counts a healthy-wait to the first probe after the service is ready: a longer interval costs time", () => {
        const often = criticalPath([container("geoserver", "geoserver", "10s", 300)]);
        const rarely = criticalPath([container("geoserver", "geoserver", "2m0s", 300)]);
        expect(rarely.seconds).toBeGreaterThan(often.seconds);
        expect(rarely.seconds - often.seconds).toBe(120 - 60);
    });

    it("names the wait that fails last when a service never turns healthy: its start on the path plus its waitTimeout", () => {
        const postgis = container("postgis", "postgis", "10s", 120);
        const geoserver = container("geoserver", "geoserver", "10s", 300, [postgis]);
        const path = criticalPath([postgis, geoserver]);
        const postgisHealthy = path.steps.find((s) => s.name === "postgis")!.seconds;
        expect(path.slowestFailure).toEqual({ name: "geoserver", seconds: postgisHealthy + 1 + 300 });
        const slowPostgis = container("postgis", "postgis", "10s", 600);
        expect(criticalPath([slowPostgis, container("geoserver", "geoserver", "10s", 300, [slowPostgis])]).slowestFailure).toEqual({
            name: "postgis",
            seconds: 601,
        });
    });

    it("pulls an image built on the same host without downloading it again", () => {
        const build = resource("docker:index/image:Image", "image", { imageName: "ghcr.io/o/geoserver:2.28.4", skipPush: false }, [], {
            repoDigest: "ghcr.io/o/geoserver@sha256:abc",
        });
        const pullBuilt = resource("docker:index/remoteImage:RemoteImage", "built", { name: "ghcr.io/o/geoserver@sha256:abc" }, [build]);
        const pullOther = resource("docker:index/remoteImage:RemoteImage", "other", { name: "docker.osgeo.org/geoserver:2.28.4" });
        const [built, other] = [criticalPath([build, pullBuilt]), criticalPath([pullOther])];
        expect(built.steps.find((s) => s.name === "built")!.seconds).toBeLessThan(other.seconds);
    });

    it("gives components and generated passwords no time of their own", () => {
        const component = resource("geostack:index:Postgis", "postgis", {});
        const password = resource("random:index/randomPassword:RandomPassword", "password", { length: 32 });
        expect(criticalPath([component, password])).toEqual({ steps: [], seconds: 0, slowestFailure: undefined });
    });
});
