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

    it("grants no container more than it needs: no privileged mode, devices or host network; only the socket proxy mounts a host path", () => {
        for (const c of prod.mocks.ofType(CONTAINER)) {
            expect(c.inputs.privileged ?? false, c.name).toBe(false);
            expect(c.inputs.devices ?? [], c.name).toEqual([]);
            expect(c.inputs.networkMode, c.name).toBeUndefined();
            expect(c.inputs.pidMode ?? c.inputs.ipcMode, c.name).toBeUndefined();
        }
        const hostMounts = prod.mocks.ofType(CONTAINER).flatMap((c) => (c.inputs.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => `${c.inputs.name} ${v.hostPath} ro=${v.readOnly}`));
        expect(hostMounts).toEqual(["geostack-prod-docker-socket-proxy /var/run/docker.sock ro=true"]);
    });

    it("lets traefik read only containers, events, ping and version through the socket proxy", () => {
        const env = envOf(container("traefik-docker-socket-proxy"));
        // Written out here, not imported: a section switched on in the component must fail this test.
        const allowed = Object.entries(env).filter(([key, value]) => key !== "DISABLE_IPV6" && value !== "0").map(([key]) => key).sort();
        expect(allowed).toEqual(["CONTAINERS", "EVENTS", "PING", "VERSION"]);
        for (const section of ["POST", "EXEC", "ALLOW_START", "ALLOW_STOP", "ALLOW_RESTARTS", "BUILD", "IMAGES", "VOLUMES", "NETWORKS", "SECRETS"]) {
            expect(env[section], section).toBe("0");
        }
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
