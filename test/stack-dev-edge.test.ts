import { beforeAll, describe, expect, it } from "vitest";
import { deployStack, Deployed, readYaml } from "./harness";
import { RegisteredResource, reveal } from "../render/mocks";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";

let dev: Deployed;
beforeAll(async () => {
    dev = await deployStack("dev");
});

const byName = (name: string): RegisteredResource => dev.mocks.ofType(CONTAINER).find((c) => c.inputs.name === name)!;
const traefik = () => byName("geostack-dev-traefik");
const geoserverLabels = (): Record<string, string> =>
    Object.fromEntries(reveal<{ label: string; value: string }[]>(byName("geostack-dev-geoserver").inputs.labels).map((l) => [l.label, l.value]));

describe("dev stack: plain HTTP edge", () => {
    it("has no ACME resolver, no websecure and no redirect", () => {
        expect(readYaml("Pulumi.dev.yaml").config["geostack:tls"]).toBe(false);
        expect(traefik().inputs.command.filter((f: string) => /websecure|redirections|certificatesresolvers|acme/.test(f))).toEqual([]);
        expect(dev.mocks.ofType(VOLUME).map((v) => v.inputs.name)).not.toContain("geostack-dev-traefik-acme");
        expect(traefik().inputs.volumes).toEqual([]);
    });

    it("publishes only port 80 by traefik", () => {
        expect(traefik().inputs.ports.map((p: any) => p.external)).toEqual([80]);
    });

    it("routes both GeoServer routers on web, without HSTS, with the dev allowlist and the default rate limit", () => {
        const labels = geoserverLabels();
        expect(labels["traefik.http.routers.geostack-dev-geoserver-public.entrypoints"]).toBe("web");
        expect(labels["traefik.http.routers.geostack-dev-geoserver-admin.entrypoints"]).toBe("web");
        expect(Object.keys(labels).filter((k) => k.includes(".sts"))).toEqual([]);
        expect(labels["traefik.http.middlewares.geostack-dev-geoserver-admin-allowlist.ipallowlist.sourcerange"].split(",")).toEqual(
            readYaml("Pulumi.dev.yaml").config["geostack:adminAllowlist"],
        );
        expect(labels["traefik.http.middlewares.geostack-dev-geoserver-ratelimit.ratelimit.average"]).toBe("50");
        expect(labels["traefik.http.middlewares.geostack-dev-geoserver-ratelimit.ratelimit.burst"]).toBe("200");
    });

    it("tells GeoServer its public URL is http", () => {
        const envs = reveal<string[]>(byName("geostack-dev-geoserver").inputs.envs);
        expect(envs).toContain("PROXY_BASE_URL=http://geostack.localhost/geoserver");
        expect(dev.outputs.geoserverUrl.value).toBe("http://geostack.localhost/geoserver/");
    });

    it("reads Docker through the socket proxy in dev too", () => {
        expect(traefik().inputs.command).toContain("--providers.docker.endpoint=tcp://docker-socket-proxy:2375");
        expect(traefik().inputs.volumes.filter((v: any) => v.hostPath)).toEqual([]);
    });
});
