import { describe, expect, it } from "vitest";
import { LETS_ENCRYPT_CA, LETS_ENCRYPT_STAGING_CA, traefikFlags, TraefikFlagArgs } from "../components/helpers/traefik-flags";
import { dashboardLabels, DashboardLabelArgs, geoserverRouteLabels, GeoserverRouteLabelArgs, isPublicGeoserverPath } from "../components/helpers/traefik-labels";

const plain: TraefikFlagArgs = {
    proxyNetworkName: "geostack-dev-proxy",
    dockerEndpoint: "tcp://docker-socket-proxy:2375",
    tls: false,
    acmeEmail: "",
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

    it("reads Docker only through the given endpoint, and routes only labelled containers", () => {
        const flags = traefikFlags(plain);
        expect(flags).toEqual(
            expect.arrayContaining([
                "--providers.docker.endpoint=tcp://docker-socket-proxy:2375",
                "--providers.docker.exposedbydefault=false",
                "--providers.docker.network=geostack-dev-proxy",
            ]),
        );
    });

    it("exposes Prometheus metrics and access logs on an entrypoint of their own", () => {
        expect(traefikFlags(plain)).toEqual(
            expect.arrayContaining(["--entrypoints.metrics.address=:8082", "--metrics.prometheus=true", "--metrics.prometheus.entrypoint=metrics", "--accesslog=true"]),
        );
    });

    it("enables the dashboard only when asked, and never the insecure API", () => {
        expect(traefikFlags(plain).filter((f) => f.startsWith("--api"))).toEqual([]);
        for (const tls of [false, true]) {
            const flags = traefikFlags({ ...secure, tls, dashboard: true });
            expect(flags.filter((f) => f.startsWith("--api"))).toEqual(["--api.dashboard=true"]);
        }
    });
});

const route: GeoserverRouteLabelArgs = {
    namePrefix: "geostack-prod",
    domain: "maps.example.org",
    proxyNetworkName: "geostack-prod-proxy",
    entrypoint: "websecure",
    tls: true,
    adminAllowlist: ["203.0.113.0/24", "2001:db8::/32"],
    rateLimitAverage: 40,
    rateLimitBurst: 120,
};

describe("geoserverRouteLabels", () => {
    const labels = geoserverRouteLabels(route);
    const router = (name: string, field: string) => labels[`traefik.http.routers.geostack-prod-geoserver-${name}.${field}`];

    it("routes the OGC paths publicly and everything else under /geoserver to the admin router", () => {
        expect(router("public", "rule")).toBe(
            "Host(`maps.example.org`) && (" +
                "PathRegexp(`^/geoserver/(wms|wfs|wcs|wmts|ows|gwc/service)(/|$)`)" +
                " || (PathRegexp(`^/geoserver/[^/]+/(wms|wfs|wcs|wmts|ows|gwc/service)(/|$)`) && !PathRegexp(`^/geoserver/(rest|web|gwc)/`))" +
                " || PathRegexp(`^/geoserver/(schemas|styles|www|openlayers3?)/`))",
        );
        expect(router("admin", "rule")).toBe("Host(`maps.example.org`) && PathPrefix(`/geoserver`)");
        expect(router("public", "service")).toBe("geostack-prod-geoserver");
        expect(router("admin", "service")).toBe("geostack-prod-geoserver");
        expect(labels["traefik.http.services.geostack-prod-geoserver.loadbalancer.server.port"]).toBe("8080");
    });

    it("gives the public router the higher priority, explicitly", () => {
        expect(Number(router("public", "priority"))).toBeGreaterThan(Number(router("admin", "priority")));
    });

    it("puts both routers on the given entrypoint only", () => {
        expect(router("public", "entrypoints")).toBe("websecure");
        expect(router("admin", "entrypoints")).toBe("websecure");
    });

    it("filters the admin router by the allowlist first, and rate-limits both", () => {
        expect(router("admin", "middlewares")).toBe("geostack-prod-geoserver-admin-allowlist,geostack-prod-geoserver-ratelimit,geostack-prod-geoserver-headers,geostack-prod-geoserver-compress");
        expect(router("public", "middlewares")).toBe("geostack-prod-geoserver-ratelimit,geostack-prod-geoserver-headers,geostack-prod-geoserver-compress");
        expect(labels["traefik.http.middlewares.geostack-prod-geoserver-admin-allowlist.ipallowlist.sourcerange"]).toBe("203.0.113.0/24,2001:db8::/32");
        expect(labels).toMatchObject({
            "traefik.http.middlewares.geostack-prod-geoserver-ratelimit.ratelimit.average": "40",
            "traefik.http.middlewares.geostack-prod-geoserver-ratelimit.ratelimit.burst": "120",
            "traefik.http.middlewares.geostack-prod-geoserver-ratelimit.ratelimit.period": "1s",
            "traefik.http.middlewares.geostack-prod-geoserver-compress.compress": "true",
        });
    });

    it("sends HSTS and security headers over TLS, with frames allowed from GeoServer's own pages", () => {
        expect(labels).toMatchObject({
            "traefik.http.middlewares.geostack-prod-geoserver-headers.headers.stsseconds": "31536000",
            "traefik.http.middlewares.geostack-prod-geoserver-headers.headers.stsincludesubdomains": "true",
            "traefik.http.middlewares.geostack-prod-geoserver-headers.headers.contenttypenosniff": "true",
            "traefik.http.middlewares.geostack-prod-geoserver-headers.headers.referrerpolicy": "strict-origin-when-cross-origin",
            "traefik.http.middlewares.geostack-prod-geoserver-headers.headers.customframeoptionsvalue": "SAMEORIGIN",
        });
        expect(Object.keys(labels).filter((k) => k.endsWith("framedeny"))).toEqual([]);
    });

    it("sends no HSTS over plain HTTP", () => {
        const dev = geoserverRouteLabels({ ...route, tls: false, entrypoint: "web" });
        expect(Object.keys(dev).filter((k) => k.includes(".headers.sts"))).toEqual([]);
        expect(dev["traefik.http.middlewares.geostack-prod-geoserver-headers.headers.contenttypenosniff"]).toBe("true");
    });

    it("routes no admin path at all when the allowlist is empty", () => {
        const publicOnly = geoserverRouteLabels({ ...route, adminAllowlist: [] });
        expect(Object.keys(publicOnly).filter((k) => k.includes("-admin"))).toEqual([]);
        expect(publicOnly["traefik.http.routers.geostack-prod-geoserver-public.rule"]).toBe(router("public", "rule"));
    });

    it("names every router, service and middleware after the stack, so two stacks never share one", () => {
        const names = (l: Record<string, string>) => Object.keys(l).filter((k) => /^traefik\.http\.(routers|services|middlewares)\./.test(k)).map((k) => k.split(".")[3]);
        const prod = new Set(names(labels));
        const dev = names(geoserverRouteLabels({ ...route, namePrefix: "geostack-dev" }));
        expect([...prod].every((n) => n.startsWith("geostack-prod-"))).toBe(true);
        expect(dev.filter((n) => prod.has(n))).toEqual([]);
    });
});

describe("the public path policy", () => {
    it.each([
        "/geoserver/wms",
        "/geoserver/wfs",
        "/geoserver/wcs",
        "/geoserver/wmts",
        "/geoserver/ows",
        "/geoserver/wms/kml",
        "/geoserver/wms/reflect",
        "/geoserver/gwc/service/wmts",
        "/geoserver/gwc/service/tms/1.0.0/topp:states@EPSG:900913@png/3/2/5.png",
        "/geoserver/topp/wms",
        "/geoserver/topp/wfs",
        "/geoserver/topp/ows",
        "/geoserver/topp/gwc/service/wmts",
        "/geoserver/schemas/wfs/1.1.0/wfs.xsd",
        "/geoserver/styles/icons/marker.png",
        "/geoserver/www/legends/roads.png",
        "/geoserver/openlayers3/ol.js",
    ])("%s is public", (path) => expect(isPublicGeoserverPath(path)).toBe(true));

    it.each([
        "/geoserver",
        "/geoserver/",
        "/geoserver/index.html",
        "/geoserver/web/",
        "/geoserver/web/wicket/bookmarkable/org.geoserver.web.demo.MapPreviewPage",
        "/geoserver/j_spring_security_check",
        "/geoserver/rest/workspaces",
        "/geoserver/rest/services/wms/settings",
        "/geoserver/rest/wms",
        "/geoserver/web/wms",
        "/geoserver/gwc/",
        "/geoserver/gwc/demo",
        "/geoserver/gwc/rest/seed/topp:states",
        "/geoserver/gwc/wms",
        "/geoserver/wps",
        "/geoserver/wmsx",
        "/geoserver/topp/wmsx",
        "/geoserver/topp/states/wms",
        "/wms",
    ])("%s is admin", (path) => expect(isPublicGeoserverPath(path)).toBe(false));
});

const dashboard: DashboardLabelArgs = {
    namePrefix: "geostack-prod",
    domain: "maps.example.org",
    entrypoint: "websecure",
    adminAllowlist: ["203.0.113.0/24"],
    rateLimitAverage: 40,
    rateLimitBurst: 120,
    basicAuthUsers: "admin:$2a$10$abcdefghijklmnopqrstuv",
};

describe("dashboardLabels", () => {
    it("routes traefik.<domain> to the internal API service, behind the allowlist, a rate limit and basic auth", () => {
        const labels = dashboardLabels(dashboard);
        expect(labels).toMatchObject({
            "traefik.enable": "true",
            "traefik.http.routers.geostack-prod-dashboard.rule": "Host(`traefik.maps.example.org`) && (PathPrefix(`/api`) || PathPrefix(`/dashboard`))",
            "traefik.http.routers.geostack-prod-dashboard.service": "api@internal",
            "traefik.http.routers.geostack-prod-dashboard.entrypoints": "websecure",
            "traefik.http.routers.geostack-prod-dashboard.middlewares": "geostack-prod-dashboard-allowlist,geostack-prod-dashboard-ratelimit,geostack-prod-dashboard-auth",
            "traefik.http.middlewares.geostack-prod-dashboard-allowlist.ipallowlist.sourcerange": "203.0.113.0/24",
            "traefik.http.middlewares.geostack-prod-dashboard-auth.basicauth.users": "admin:$2a$10$abcdefghijklmnopqrstuv",
            "traefik.http.middlewares.geostack-prod-dashboard-ratelimit.ratelimit.average": "40",
        });
    });

    it("has no basic auth when no users are given (plain HTTP)", () => {
        const labels = dashboardLabels({ ...dashboard, basicAuthUsers: "", entrypoint: "web" });
        expect(Object.keys(labels).filter((k) => k.includes("basicauth"))).toEqual([]);
        expect(labels["traefik.http.routers.geostack-prod-dashboard.middlewares"]).toBe("geostack-prod-dashboard-allowlist,geostack-prod-dashboard-ratelimit");
    });
});
