import { describe, expect, it } from "vitest";
import { dashboardLabels, type DashboardLabelArgs } from "../../../components/traefik/dashboard";
import { LETS_ENCRYPT_CA, LETS_ENCRYPT_STAGING_CA, type TraefikFlagArgs, traefikFlags } from "../../../components/traefik/flags";
import { edgePolicy } from "../../../components/shared/edge";

const plain: TraefikFlagArgs = {
    proxyNetworkName: "geostack-dev-proxy",
    dockerEndpoint: "tcp://docker-socket-proxy:2375",
    instance: "geostack-dev",
    httpsPort: 443,
    tls: false,
    acmeStaging: false,
    dashboard: false,
};
const secure: TraefikFlagArgs = { ...plain, tls: true, acmeEmail: "ops@maps.example.org" };

describe("traefikFlags", () => {
    it("serves plain HTTP on :80 without TLS: no websecure, no redirect, no ACME", () => {
        const flags = traefikFlags(plain);
        expect(flags).toContain("--entrypoints.web.address=:80");
        expect(flags.filter((f) => /websecure|redirections|certificatesresolvers|:443/.test(f))).toEqual([]);
    });

    it("with TLS: websecure on :443, a permanent entrypoint redirect and a TLS-ALPN resolver storing acme.json on the volume", () => {
        const flags = traefikFlags(secure);
        expect(flags).toEqual(
            expect.arrayContaining([
                "--entrypoints.web.address=:80",
                "--entrypoints.websecure.address=:443",
                "--entrypoints.web.http.redirections.entrypoint.to=websecure",
                "--entrypoints.web.http.redirections.entrypoint.scheme=https",
                "--entrypoints.web.http.redirections.entrypoint.permanent=true",
                "--entrypoints.websecure.http.tls.certresolver=letsencrypt",
                "--certificatesresolvers.letsencrypt.acme.email=ops@maps.example.org",
                "--certificatesresolvers.letsencrypt.acme.storage=/letsencrypt/acme.json",
                "--certificatesresolvers.letsencrypt.acme.tlschallenge=true",
                `--certificatesresolvers.letsencrypt.acme.caserver=${LETS_ENCRYPT_CA}`,
            ]),
        );
        expect(flags.filter((f) => f.includes("httpchallenge") || f.includes("dnschallenge"))).toEqual([]);
    });

    it("switches to Let's Encrypt's staging CA with acmeStaging", () => {
        const flags = traefikFlags({ ...secure, acmeStaging: true });
        expect(flags).toContain(`--certificatesresolvers.letsencrypt.acme.caserver=${LETS_ENCRYPT_STAGING_CA}`);
        expect(flags).not.toContain(`--certificatesresolvers.letsencrypt.acme.caserver=${LETS_ENCRYPT_CA}`);
    });

    it("reads Docker only through the given endpoint, and routes only labelled containers of its own stack", () => {
        expect(traefikFlags(plain)).toEqual(
            expect.arrayContaining([
                "--providers.docker.endpoint=tcp://docker-socket-proxy:2375",
                "--providers.docker.exposedbydefault=false",
                "--providers.docker.network=geostack-dev-proxy",
                // traefik's own syntax, as its docker provider documentation writes it (backticks are Go string literals).
                "--providers.docker.constraints=Label(`geostack.instance`,`geostack-dev`)",
            ]),
        );
    });

    it("redirects HTTP to the host's HTTPS port when it is not 443", () => {
        expect(traefikFlags(secure)).toContain("--entrypoints.web.http.redirections.entrypoint.to=websecure");
        const flags = traefikFlags({ ...secure, httpsPort: 8443 });
        expect(flags).toContain("--entrypoints.web.http.redirections.entrypoint.to=:8443");
        // The container still listens on :443; Docker maps the host's port to it.
        expect(flags).toContain("--entrypoints.websecure.address=:443");
    });

    it("exposes Prometheus metrics and access logs on an entrypoint of their own", () => {
        expect(traefikFlags(plain)).toEqual(
            expect.arrayContaining([
                "--entrypoints.metrics.address=:8082",
                "--metrics.prometheus=true",
                "--metrics.prometheus.entrypoint=metrics",
                "--accesslog=true",
                "--metrics.prometheus.addrouterslabels=true",
            ]),
        );
    });

    it("logs each request as JSON with the client, router, status and duration, and drops every header", () => {
        const flags = traefikFlags(plain);
        expect(flags).toEqual(expect.arrayContaining(["--accesslog.format=json", "--accesslog.fields.defaultmode=keep"]));
        // Authorization and Cookie headers never reach the log: traefik's default, said explicitly so a change to it cannot leak them.
        expect(flags).toContain("--accesslog.fields.headers.defaultmode=drop");
        expect(flags.filter((f) => /^--accesslog\.fields\.(headers\.)?names\./.test(f))).toEqual([]);
    });

    it("enables the dashboard only when asked, and never the insecure API", () => {
        expect(traefikFlags(plain).filter((f) => f.startsWith("--api"))).toEqual([]);
        for (const tls of [false, true]) {
            const flags = traefikFlags({ ...secure, tls, dashboard: true });
            expect(flags.filter((f) => f.startsWith("--api"))).toEqual(["--api.dashboard=true"]);
        }
    });
});

const dashboard: DashboardLabelArgs = {
    namePrefix: "geostack-prod",
    domain: "maps.example.org",
    edge: edgePolicy({ tls: true, adminAllowlist: ["203.0.113.0/24"], rateLimitAverage: 40, rateLimitBurst: 120, httpPort: 80, httpsPort: 443 }),
    basicAuthUsers: "admin:$2a$10$abcdefghijklmnopqrstuv",
};

describe("dashboardLabels", () => {
    it("routes traefik.<domain> to the internal API service, behind the allowlist, a rate limit and basic auth", () => {
        expect(dashboardLabels(dashboard)).toMatchObject({
            "traefik.enable": "true",
            "traefik.http.routers.geostack-prod-dashboard.rule": "Host(`traefik.maps.example.org`) && (PathPrefix(`/api`) || PathPrefix(`/dashboard`))",
            "traefik.http.routers.geostack-prod-dashboard.service": "api@internal",
            "traefik.http.routers.geostack-prod-dashboard.entrypoints": "websecure",
            "traefik.http.routers.geostack-prod-dashboard.middlewares":
                "geostack-prod-dashboard-allowlist,geostack-prod-dashboard-ratelimit,geostack-prod-dashboard-auth",
            "traefik.http.middlewares.geostack-prod-dashboard-allowlist.ipallowlist.sourcerange": "203.0.113.0/24",
            "traefik.http.middlewares.geostack-prod-dashboard-auth.basicauth.users": "admin:$2a$10$abcdefghijklmnopqrstuv",
            "traefik.http.middlewares.geostack-prod-dashboard-ratelimit.ratelimit.average": "40",
            "traefik.http.middlewares.geostack-prod-dashboard-ratelimit.ratelimit.burst": "120",
        });
    });

    it("has no basic auth when no users are given (plain HTTP), and serves on the web entrypoint then", () => {
        const labels = dashboardLabels({ ...dashboard, basicAuthUsers: "", edge: { ...dashboard.edge, tls: false, scheme: "http", entrypoint: "web" } });
        expect(Object.keys(labels).filter((k) => k.includes("basicauth"))).toEqual([]);
        expect(labels["traefik.http.routers.geostack-prod-dashboard.middlewares"]).toBe("geostack-prod-dashboard-allowlist,geostack-prod-dashboard-ratelimit");
        expect(labels["traefik.http.routers.geostack-prod-dashboard.entrypoints"]).toBe("web");
    });
});
