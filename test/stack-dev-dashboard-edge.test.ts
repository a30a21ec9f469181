import { beforeAll, describe, expect, it } from "vitest";
import { Deployed, runProgram, stackConfig } from "./harness";
import { isSecret, RegisteredResource, reveal } from "../render/mocks";

const CONTAINER = "docker:index/container:Container";
const PASSWORD = "random:index/randomPassword:RandomPassword";

// The dev stack with the dashboard switched on.
let dev: Deployed;
beforeAll(async () => {
    dev = await runProgram("dev", { ...stackConfig("dev"), "geostack:dashboard": "true" });
});

const traefik = (): RegisteredResource => dev.mocks.ofType(CONTAINER).find((c) => c.inputs.name === "geostack-dev-traefik")!;

describe("dev stack with the dashboard", () => {
    it("serves it on traefik.geostack.localhost over plain HTTP to the allowlist, without basic auth or a password", () => {
        const labels = Object.fromEntries(reveal<{ label: string; value: string }[]>(traefik().inputs.labels).map((l) => [l.label, l.value]));
        expect(labels).toMatchObject({
            "traefik.http.routers.geostack-dev-dashboard.rule": "Host(`traefik.geostack.localhost`) && (PathPrefix(`/api`) || PathPrefix(`/dashboard`))",
            "traefik.http.routers.geostack-dev-dashboard.entrypoints": "web",
            "traefik.http.routers.geostack-dev-dashboard.middlewares": "geostack-dev-dashboard-allowlist,geostack-dev-dashboard-ratelimit",
        });
        expect(isSecret(traefik().inputs.labels)).toBe(false);
        expect(dev.mocks.ofType(PASSWORD).map((p) => p.name)).not.toContain("geostack-traefik-dashboard-password");
        expect(dev.outputs.traefikDashboardUrl.value).toBe("http://traefik.geostack.localhost/dashboard/");
        expect(dev.outputs.traefikDashboardPassword).toEqual({ value: "", secret: true });
        expect(traefik().inputs.command.filter((f: string) => f.startsWith("--api"))).toEqual(["--api.dashboard=true"]);
    });
});
