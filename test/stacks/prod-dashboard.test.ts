import { beforeAll, describe, expect, it } from "vitest";
import { isSecret, type RegisteredResource, reveal } from "../../tools/render/mocks";
import { type Deployed, runProgram, stackConfig } from "../support/harness";
import { CONTAINER, labelsOf, RANDOM_PASSWORD } from "../support/resources";

// The prod stack with the dashboard switched on.
let prod: Deployed;
beforeAll(async () => {
    prod = await runProgram("prod", { ...stackConfig("prod"), "geostack:dashboard": "true" });
});

const traefik = (): RegisteredResource => prod.mocks.get(CONTAINER, "geostack-traefik");

describe("prod stack with the dashboard", () => {
    it("enables the dashboard through a router, never the insecure API, and publishes no extra port for it", () => {
        expect(traefik().inputs.command.filter((f: string) => f.startsWith("--api"))).toEqual(["--api.dashboard=true"]);
        expect([...new Set(traefik().inputs.ports.map((p: any) => p.internal))]).toEqual([80, 443]);
    });

    it("serves it on traefik.<domain> over https, behind the allowlist, a rate limit and basic auth", () => {
        expect(labelsOf(traefik())).toMatchObject({
            "traefik.enable": "true",
            "traefik.http.routers.geostack-prod-dashboard.rule": "Host(`traefik.geostack.example.org`) && (PathPrefix(`/api`) || PathPrefix(`/dashboard`))",
            "traefik.http.routers.geostack-prod-dashboard.service": "api@internal",
            "traefik.http.routers.geostack-prod-dashboard.entrypoints": "websecure",
            "traefik.http.routers.geostack-prod-dashboard.middlewares":
                "geostack-prod-dashboard-allowlist,geostack-prod-dashboard-ratelimit,geostack-prod-dashboard-auth",
            "traefik.http.middlewares.geostack-prod-dashboard-allowlist.ipallowlist.sourcerange": "203.0.113.0/24,2001:db8::/32",
        });
        expect(prod.outputs.traefikDashboardUrl.value).toBe("https://traefik.geostack.example.org/dashboard/");
    });

    it("checks a bcrypt hash of a generated password, and keeps both secret", () => {
        const password = prod.mocks.get(RANDOM_PASSWORD, "geostack-traefik-dashboard-password");
        expect(password.inputs).toMatchObject({ length: 24 });
        // The label holds that password's hash, and the output is that same password.
        expect(labelsOf(traefik())["traefik.http.middlewares.geostack-prod-dashboard-auth.basicauth.users"]).toBe(`admin:${reveal(password.state.bcryptHash)}`);
        expect(isSecret(traefik().inputs.labels)).toBe(true);
        expect(prod.outputs.traefikDashboardPassword).toEqual({ value: reveal(password.state.result), secret: true });
    });
});
