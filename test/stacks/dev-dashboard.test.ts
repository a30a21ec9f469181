import { beforeAll, describe, expect, it } from "vitest";
import { isSecret, type RegisteredResource } from "../../tools/render/mocks";
import { type Deployed, runProgram, stackConfig } from "../support/harness";
import { CONTAINER, labelsOf, RANDOM_PASSWORD } from "../support/resources";

// The dev stack with the dashboard switched on.
let dev: Deployed;
beforeAll(async () => {
    dev = await runProgram("dev", { ...stackConfig("dev"), "geostack:dashboard": "true" });
});

const traefik = (): RegisteredResource => dev.mocks.get(CONTAINER, "geostack-traefik");

describe("dev stack with the dashboard", () => {
    it("serves it on traefik.geostack.localhost over plain HTTP to the allowlist, without basic auth or a password", () => {
        expect(labelsOf(traefik())).toMatchObject({
            "traefik.http.routers.geostack-dev-dashboard.rule": "Host(`traefik.geostack.localhost`) && (PathPrefix(`/api`) || PathPrefix(`/dashboard`))",
            "traefik.http.routers.geostack-dev-dashboard.entrypoints": "web",
            "traefik.http.routers.geostack-dev-dashboard.middlewares": "geostack-dev-dashboard-allowlist,geostack-dev-dashboard-ratelimit",
        });
        expect(isSecret(traefik().inputs.labels)).toBe(false);
        expect(dev.mocks.ofType(RANDOM_PASSWORD).map((p) => p.name)).not.toContain("geostack-traefik-dashboard-password");
        expect(dev.outputs.traefikDashboardUrl.value).toBe("http://traefik.geostack.localhost/dashboard/");
        expect(dev.outputs.traefikDashboardPassword).toEqual({ value: "", secret: true });
    });
});
