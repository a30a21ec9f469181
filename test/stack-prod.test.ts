import { beforeAll, describe, expect, it } from "vitest";
import { deployStack, Deployed } from "./harness";
import { envOf, isSecret, RegisteredResource, reveal } from "../render/mocks";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";

let prod: Deployed;
beforeAll(async () => {
    prod = await deployStack("prod");
});

const container = (role: string): RegisteredResource => prod.mocks.get(CONTAINER, `geostack-${role}`);

describe("prod stack", () => {
    it("protects the data volumes and the certificates, and keeps them if they leave the program", () => {
        const volumes = prod.mocks.ofType(VOLUME);
        expect(volumes.map((v) => v.inputs.name).sort()).toEqual(["geostack-prod-geoserver-data", "geostack-prod-postgis17-data", "geostack-prod-traefik-acme"]);
        for (const v of volumes) expect(v.options, v.name).toMatchObject({ protect: true, retainOnDelete: true });
    });

    it("runs every container by image ID, so `up` does not replace containers whose image did not change", () => {
        const imageIds = new Set(prod.mocks.ofType("docker:index/remoteImage:RemoteImage").map((r) => r.state.imageId));
        for (const c of prod.mocks.ofType(CONTAINER)) expect(imageIds.has(c.inputs.image), c.name).toBe(true);
    });

    it("does not protect what can be recreated, so containers can still be replaced", () => {
        for (const c of prod.mocks.ofType(CONTAINER)) expect(c.options.protect, c.name).toBe(false);
    });

    it("publishes no database port and creates no publish network", () => {
        expect(container("postgis").inputs.ports).toEqual([]);
        expect(prod.mocks.resources.filter((r) => r.name.endsWith("-publish"))).toEqual([]);
        expect(reveal(container("postgis").inputs.networksAdvanced)).toEqual([{ name: "geostack-prod-backend", aliases: ["postgis"] }]);
        expect(prod.outputs.databaseAddress.value).toBe("");
    });

    it("names everything for the prod stack, so it can share a host with dev", () => {
        expect(prod.mocks.ofType(CONTAINER).map((c) => c.inputs.name).sort()).toEqual(["geostack-prod-docker-socket-proxy", "geostack-prod-geoserver", "geostack-prod-postgis", "geostack-prod-traefik"]);
        expect(prod.outputs.geoserverUrl.value).toBe("https://geostack.example.org/geoserver/");
        expect(envOf(container("geoserver")).GEOSERVER_CSRF_WHITELIST).toBe("geostack.example.org");
    });

    it("applies the stack's memory limits", () => {
        expect(container("geoserver").inputs.memory).toBe(4096);
        expect(container("postgis").inputs.memory).toBe(2048);
        expect(container("traefik").inputs.memory).toBe(256);
    });

    it("keeps passwords secret, distinct, and out of every non-secret input", () => {
        const passwords = ["geoserverAdminPassword", "databasePassword", "databaseSuperuserPassword"].map((o) => prod.outputs[o]);
        for (const p of passwords) expect(p.secret).toBe(true);
        expect(new Set(passwords.map((p) => p.value)).size).toBe(3);
        const plainInputs = JSON.stringify(prod.mocks.resources.map((r) => Object.values(r.inputs).filter((v) => !isSecret(v))));
        for (const p of passwords) expect(plainInputs).not.toContain(p.value);
    });
});
