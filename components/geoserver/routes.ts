/** GeoServer's place behind traefik: its context path and port, what the public may reach, and the routers' labels. */
import {
    ADMIN_ROUTER_PRIORITY,
    allowlistLabels,
    type EdgePolicy,
    PUBLIC_ROUTER_PRIORITY,
    rateLimitLabels,
    routerLabels,
    securityHeaderLabels,
} from "../shared/edge";
import { corsLabels } from "./cors";

export const GEOSERVER_CONTEXT_PATH = "/geoserver";
export const GEOSERVER_PORT = 8080;

/** One alternative of the public rule: paths matching `matches`, except those matching `unless`. */
export interface PathCondition {
    /** Go (RE2) regular expression on the request path; these patterns mean the same in JavaScript. */
    matches: string;
    unless?: string;
}

// ogc/features: OGC API Features (the ogcapi-features extension), WFS's successor. The other OGC API paths (processes,
// styles, ...) are not public services and stay admin.
const OGC_SERVICES = "(wms|wfs|wcs|wmts|ows|gwc/service|ogc/features)";

/**
 * What the public may reach: the OGC services (GeoWebCache's tile services, but not its REST API at /gwc/rest), the
 * same per workspace, and the static files their responses point to: XML schemas (schemaLocation of WFS/WCS
 * responses), the styles directory (external graphics of SLDs and legends), `www` (files the operator publishes,
 * e.g. for GetFeatureInfo templates) and the OpenLayers files of WMS's `application/openlayers` output.
 * Everything else under /geoserver (web UI, REST API, GWC REST and demos, login) is admin.
 */
export const PUBLIC_PATH_CONDITIONS: PathCondition[] = [
    { matches: `^${GEOSERVER_CONTEXT_PATH}/${OGC_SERVICES}(/|$)` },
    // GeoServer's own first path segments are never workspaces.
    { matches: `^${GEOSERVER_CONTEXT_PATH}/[^/]+/${OGC_SERVICES}(/|$)`, unless: `^${GEOSERVER_CONTEXT_PATH}/(rest|web|gwc)/` },
    { matches: `^${GEOSERVER_CONTEXT_PATH}/(schemas|styles|www|openlayers3?)/` },
];

/**
 * Never public, whatever the path: a path parameter. traefik routes on the path with `;` kept (and `%3B` kept encoded,
 * traefik's mux.go), while Tomcat strips `;...` from each segment before it resolves `..` (CoyoteAdapter
 * parsePathParameters), so `/geoserver/wms/..;/web/` would match the public rule and land on the admin UI. No OGC
 * request needs one; such a path goes to the admin router, where the allowlist applies.
 */
export const PATH_PARAMETER = ";|%3B";

/** Whether the public router takes this routing path: the same conditions the rule gives traefik, evaluated here. */
export function isPublicGeoserverPath(path: string): boolean {
    if (new RegExp(PATH_PARAMETER).test(path)) return false;
    return PUBLIC_PATH_CONDITIONS.some((c) => new RegExp(c.matches).test(path) && !(c.unless !== undefined && new RegExp(c.unless).test(path)));
}

function publicPathRule(): string {
    const alternatives = PUBLIC_PATH_CONDITIONS.map((c) =>
        c.unless === undefined ? `PathRegexp(\`${c.matches}\`)` : `(PathRegexp(\`${c.matches}\`) && !PathRegexp(\`${c.unless}\`))`,
    ).join(" || ");
    return `(${alternatives}) && !PathRegexp(\`${PATH_PARAMETER}\`)`;
}

export interface GeoserverRouteNames {
    service: string;
    publicRouter: string;
    adminRouter: string;
    rateLimit: string;
    allowlist: string;
    headers: string;
    compress: string;
    cors: string;
}

/** Every router, service and middleware is prefixed with `<project>-<stack>`, so two stacks behind one traefik never collide. */
export function geoserverRouteNames(namePrefix: string): GeoserverRouteNames {
    const base = `${namePrefix}-geoserver`;
    return {
        service: base,
        publicRouter: `${base}-public`,
        adminRouter: `${base}-admin`,
        rateLimit: `${base}-ratelimit`,
        allowlist: `${base}-admin-allowlist`,
        headers: `${base}-headers`,
        compress: `${base}-compress`,
        cors: `${base}-cors`,
    };
}

export interface GeoserverRouteArgs {
    namePrefix: string;
    domain: string;
    /** The network traefik reaches the container on (the container may be on several). */
    proxyNetworkName: string;
    edge: EdgePolicy;
    /** Origins whose pages may read the public paths (cors.ts); empty: no CORS headers at all. */
    corsAllowedOrigins?: string[];
}

/**
 * Two routers to GeoServer's port 8080: the public one for the OGC paths, rate-limited per client IP, and the admin
 * one for everything else under /geoserver, only from the allowlist (none when it is empty) and also rate-limited.
 */
export function geoserverRouteLabels({ namePrefix, domain, proxyNetworkName, edge, corsAllowedOrigins = [] }: GeoserverRouteArgs): Record<string, string> {
    const names = geoserverRouteNames(namePrefix);
    const host = `Host(\`${domain}\`)`;
    const common = [names.rateLimit, names.headers, names.compress];
    const cors = corsAllowedOrigins.length > 0;
    // CORS on the public router only: the admin paths never answer another origin's pages.
    const publicMiddlewares = cors ? [names.rateLimit, names.cors, names.headers, names.compress] : common;
    const admin =
        edge.adminAllowlist.length === 0
            ? {}
            : {
                  ...routerLabels(
                      names.adminRouter,
                      `${host} && PathPrefix(\`${GEOSERVER_CONTEXT_PATH}\`)`,
                      ADMIN_ROUTER_PRIORITY,
                      edge.entrypoint,
                      names.service,
                      [names.allowlist, ...common],
                  ),
                  ...allowlistLabels(names.allowlist, edge.adminAllowlist),
              };
    return {
        "traefik.enable": "true",
        "traefik.docker.network": proxyNetworkName,
        [`traefik.http.services.${names.service}.loadbalancer.server.port`]: String(GEOSERVER_PORT),
        ...routerLabels(names.publicRouter, `${host} && ${publicPathRule()}`, PUBLIC_ROUTER_PRIORITY, edge.entrypoint, names.service, publicMiddlewares),
        ...admin,
        ...(cors ? corsLabels(names.cors, corsAllowedOrigins) : {}),
        ...rateLimitLabels(names.rateLimit, edge.rateLimit),
        ...securityHeaderLabels(names.headers, edge.tls),
        [`traefik.http.middlewares.${names.compress}.compress`]: "true",
    };
}
