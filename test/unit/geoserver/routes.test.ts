import { describe, expect, it } from "vitest";
import { geoserverRouteLabels, type GeoserverRouteArgs, isPublicGeoserverPath } from "../../../components/geoserver/routes";
import { edgePolicy } from "../../../components/shared/edge";
import { corsOrigins } from "../../../components/geoserver/cors";
import { matches, routingPath } from "../../support/traefik-rule";

const prodEdge = edgePolicy({
    tls: true,
    adminAllowlist: ["203.0.113.0/24", "2001:db8::/32"],
    rateLimitAverage: 40,
    rateLimitBurst: 120,
    httpPort: 80,
    httpsPort: 443,
});
const route: GeoserverRouteArgs = { namePrefix: "geostack-prod", domain: "maps.example.org", proxyNetworkName: "geostack-prod-proxy", edge: prodEdge };
const devEdge = edgePolicy({ tls: false, adminAllowlist: ["127.0.0.0/8"], rateLimitAverage: 50, rateLimitBurst: 200, httpPort: 80, httpsPort: 443 });

describe("geoserverRouteLabels", () => {
    const labels = geoserverRouteLabels(route);
    const router = (name: string, field: string) => labels[`traefik.http.routers.geostack-prod-geoserver-${name}.${field}`];

    it("is routed by traefik on the proxy network, to GeoServer's port 8080", () => {
        expect(labels["traefik.enable"]).toBe("true");
        expect(labels["traefik.docker.network"]).toBe("geostack-prod-proxy");
        expect(labels["traefik.http.services.geostack-prod-geoserver.loadbalancer.server.port"]).toBe("8080");
    });

    it("routes the OGC paths publicly and everything else under /geoserver to the admin router", () => {
        expect(router("public", "rule")).toBe(
            "Host(`maps.example.org`) && (" +
                "PathRegexp(`^/geoserver/(wms|wfs|wcs|wmts|ows|gwc/service|ogc/features)(/|$)`)" +
                " || (PathRegexp(`^/geoserver/[^/]+/(wms|wfs|wcs|wmts|ows|gwc/service|ogc/features)(/|$)`) && !PathRegexp(`^/geoserver/(rest|web|gwc)/`))" +
                " || PathRegexp(`^/geoserver/(schemas|styles|www|openlayers3?)/`))" +
                " && !PathRegexp(`;|%3B`)",
        );
        expect(router("admin", "rule")).toBe("Host(`maps.example.org`) && PathPrefix(`/geoserver`)");
        expect(router("public", "service")).toBe("geostack-prod-geoserver");
        expect(router("admin", "service")).toBe("geostack-prod-geoserver");
    });

    it("gives the public router the higher priority, explicitly", () => {
        expect(Number(router("public", "priority"))).toBeGreaterThan(Number(router("admin", "priority")));
    });

    it("puts both routers on the policy's entrypoint only: websecure with tls, web without", () => {
        expect(router("public", "entrypoints")).toBe("websecure");
        expect(router("admin", "entrypoints")).toBe("websecure");
        const dev = geoserverRouteLabels({ ...route, edge: devEdge });
        expect(dev["traefik.http.routers.geostack-prod-geoserver-public.entrypoints"]).toBe("web");
        expect(dev["traefik.http.routers.geostack-prod-geoserver-admin.entrypoints"]).toBe("web");
    });

    it("filters the admin router by the allowlist first, and rate-limits both per the policy", () => {
        expect(router("admin", "middlewares")).toBe(
            "geostack-prod-geoserver-admin-allowlist,geostack-prod-geoserver-ratelimit,geostack-prod-geoserver-headers,geostack-prod-geoserver-compress",
        );
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
        const dev = geoserverRouteLabels({ ...route, edge: devEdge });
        expect(Object.keys(dev).filter((k) => k.includes(".headers.sts"))).toEqual([]);
        expect(dev["traefik.http.middlewares.geostack-prod-geoserver-headers.headers.contenttypenosniff"]).toBe("true");
    });

    it("routes no admin path at all when the allowlist is empty", () => {
        const publicOnly = geoserverRouteLabels({ ...route, edge: { ...prodEdge, adminAllowlist: [] } });
        expect(Object.keys(publicOnly).filter((k) => k.includes("-admin"))).toEqual([]);
        expect(publicOnly["traefik.http.routers.geostack-prod-geoserver-public.rule"]).toBe(router("public", "rule"));
    });

    it("names every router, service and middleware after the stack, so two stacks never share one", () => {
        const names = (l: Record<string, string>) =>
            Object.keys(l)
                .filter((k) => /^traefik\.http\.(routers|services|middlewares)\./.test(k))
                .map((k) => k.split(".")[3]);
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
        "/geoserver/ogc/features/v1",
        "/geoserver/ogc/features/v1/collections/topp:states/items",
        "/geoserver/topp/ogc/features/v1/collections",
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
        "/geoserver/ogc",
        "/geoserver/ogc/processes/v1/processes",
        "/geoserver/ogc/styles/v1/styles",
        "/geoserver/ogc/featuresx",
        "/geoserver/topp/ogc/processes/v1",
        "/wms",
    ])("%s is admin", (path) => expect(isPublicGeoserverPath(path)).toBe(false));
});

describe("CORS on the public paths", () => {
    const cors = (corsAllowedOrigins: string[]) => geoserverRouteLabels({ ...route, corsAllowedOrigins });
    const middlewares = (labels: Record<string, string>, router: string) =>
        labels[`traefik.http.routers.geostack-prod-geoserver-${router}.middlewares`].split(",");
    const corsKeys = (labels: Record<string, string>) => Object.keys(labels).filter((k) => /accesscontrol|addvaryheader/.test(k));

    it("lets any origin read the public router's paths, after the rate limit, and never the admin router's", () => {
        const labels = cors(["*"]);
        expect(middlewares(labels, "public")).toEqual([
            "geostack-prod-geoserver-ratelimit",
            "geostack-prod-geoserver-cors",
            "geostack-prod-geoserver-headers",
            "geostack-prod-geoserver-compress",
        ]);
        expect(middlewares(labels, "admin")).not.toContain("geostack-prod-geoserver-cors");
        expect(labels).toMatchObject({
            "traefik.http.middlewares.geostack-prod-geoserver-cors.headers.accesscontrolalloworiginlist": "*",
            "traefik.http.middlewares.geostack-prod-geoserver-cors.headers.accesscontrolallowmethods": "GET,HEAD,OPTIONS",
            "traefik.http.middlewares.geostack-prod-geoserver-cors.headers.accesscontrolallowcredentials": "false",
            "traefik.http.middlewares.geostack-prod-geoserver-cors.headers.accesscontrolmaxage": "600",
            "traefik.http.middlewares.geostack-prod-geoserver-cors.headers.addvaryheader": "true",
        });
        // One layer: no other middleware (the security headers the admin router shares) answers cross-origin requests.
        expect(corsKeys(labels).every((k) => k.startsWith("traefik.http.middlewares.geostack-prod-geoserver-cors.headers."))).toBe(true);
    });

    it("names the listed origins only, and sends no CORS header at all with an empty list", () => {
        const listed = cors(["https://maps.example.org", "http://localhost:8080"]);
        expect(listed["traefik.http.middlewares.geostack-prod-geoserver-cors.headers.accesscontrolalloworiginlist"]).toBe(
            "https://maps.example.org,http://localhost:8080",
        );
        const none = cors([]);
        expect(corsKeys(none)).toEqual([]);
        expect(middlewares(none, "public")).toEqual(middlewares(geoserverRouteLabels(route), "public"));
        expect(middlewares(none, "public")).not.toContain("geostack-prod-geoserver-cors");
    });

    it.each([
        [["*"], true],
        [[], true],
        [["https://maps.example.org", "http://localhost:8080", "http://[::1]:3000"], true],
        [["*", "https://maps.example.org"], false],
        [["https://maps.example.org/"], false],
        [["https://maps.example.org/app"], false],
        [["HTTPS://Maps.example.org"], false],
        [["maps.example.org"], false],
        [["ftp://maps.example.org"], false],
    ])("accepts %j as allowed origins: %s", (origins, ok) => {
        expect(corsOrigins(origins as string[]) === undefined).toBe(ok);
    });
});

describe("which router traefik picks, evaluated on the labels' rule text as traefik v3.6 normalises the path", () => {
    const labels = geoserverRouteLabels(route);
    const rule = (name: string) => labels[`traefik.http.routers.geostack-prod-geoserver-${name}.rule`];
    /** The router that serves a request: the public one has the higher priority; the admin one is allowlisted. */
    const routerFor = (requestPath: string, host = "maps.example.org") =>
        matches(rule("public"), { host, path: requestPath }) ? "public" : matches(rule("admin"), { host, path: requestPath }) ? "admin" : "none";

    it("emulates traefik's path normalisation: unreserved encodings decoded, dot segments dropped, reserved ones kept", () => {
        expect(routingPath("/geoserver/%77ms")).toBe("/geoserver/wms");
        expect(routingPath("/geoserver/wms/%2e%2e/web/")).toBe("/geoserver/web/");
        expect(routingPath("/geoserver//wms/./x")).toBe("/geoserver/wms/x");
        expect(routingPath("/geoserver/wms/..;/web/")).toBe("/geoserver/wms/..;/web/");
        expect(routingPath("/geoserver/wms/..%3b/web/")).toBe("/geoserver/wms/..%3B/web/");
        expect(routingPath("/geoserver/a%20b")).toBe("/geoserver/a b");
    });

    it.each([
        ["/geoserver/wms", "public"],
        ["/geoserver/topp/wfs", "public"],
        ["/geoserver/gwc/service/wmts", "public"],
        ["/geoserver/styles/icons/marker.png", "public"],
        ["/geoserver/ogc/features/v1/collections/gis:roads/items", "public"],
        ["/geoserver/gis/ogc/features/v1/collections", "public"],
        ["/geoserver/ogc/processes/v1/processes", "admin"],
        ["/geoserver/ogc/features/..;/..;/web/", "admin"],
        ["/geoserver/ogc/features/%2e%2e/%2e%2e/rest/", "admin"],
        // Path parameters: Tomcat strips `;...` before resolving `..`, so each of these would land on the admin UI or REST.
        ["/geoserver/wms/..;/web/", "admin"],
        ["/geoserver/www/..;/rest/workspaces", "admin"],
        ["/geoserver/styles/..;/..;/geoserver/web/", "admin"],
        ["/geoserver/wms;jsessionid=0123/..;/web/", "admin"],
        ["/geoserver/wms/..%3B/web/", "admin"],
        ["/geoserver/wms/..%3b/web/", "admin"],
        ["/geoserver/topp/wms;x=1", "admin"],
        // Dot segments, encoded or not, are resolved by traefik before routing.
        ["/geoserver/wms/../web/", "admin"],
        ["/geoserver/wms/%2e%2e/web/", "admin"],
        ["/geoserver/wms/%2E%2E/rest/", "admin"],
        ["/geoserver/%77eb/", "admin"],
        ["/geoserver/rest/workspaces", "admin"],
        ["/geoserver/web/", "admin"],
        ["/other", "none"],
    ])("%s goes to the %s router", (requestPath, expected) => {
        expect(routerFor(requestPath)).toBe(expected);
    });

    it("serves no other host name", () => {
        expect(routerFor("/geoserver/wms", "evil.example.org")).toBe("none");
        expect(routerFor("/geoserver/wms", "MAPS.example.org")).toBe("public");
    });

    it("agrees with isPublicGeoserverPath on every path of the policy table", () => {
        for (const p of ["/geoserver/wms", "/geoserver/web/", "/geoserver/wms/..;/web/", "/geoserver/topp/states/wms", "/geoserver/gwc/rest/x"]) {
            expect(routerFor(p) === "public", p).toBe(isPublicGeoserverPath(routingPath(p)));
        }
    });
});
