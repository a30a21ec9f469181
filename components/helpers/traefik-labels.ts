/** Pure builders of the traefik docker-provider labels GeoStack puts on routed containers. */

export const GEOSERVER_CONTEXT_PATH = "/geoserver";
export const GEOSERVER_PORT = 8080;

/** Explicit, so the public router wins on OGC paths whatever the rules' lengths. */
export const PUBLIC_ROUTER_PRIORITY = 200;
export const ADMIN_ROUTER_PRIORITY = 100;

const HSTS_SECONDS = 31_536_000;

/** One alternative of the public rule: paths matching `matches`, except those matching `unless`. */
export interface PathCondition {
    /** Go (RE2) regular expression on the request path; these patterns mean the same in JavaScript. */
    matches: string;
    unless?: string;
}

const OGC_SERVICES = "(wms|wfs|wcs|wmts|ows|gwc/service)";

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

/** Whether the public router takes this path: the same conditions the rule gives traefik, evaluated here. */
export function isPublicGeoserverPath(path: string): boolean {
    return PUBLIC_PATH_CONDITIONS.some((c) => new RegExp(c.matches).test(path) && !(c.unless !== undefined && new RegExp(c.unless).test(path)));
}

function publicPathRule(): string {
    return PUBLIC_PATH_CONDITIONS.map((c) =>
        c.unless === undefined ? `PathRegexp(\`${c.matches}\`)` : `(PathRegexp(\`${c.matches}\`) && !PathRegexp(\`${c.unless}\`))`,
    ).join(" || ");
}

export interface GeoserverRouteLabelArgs {
    /** `<project>-<stack>`: prefixes every router, service and middleware, so two stacks behind one traefik never collide. */
    namePrefix: string;
    domain: string;
    /** The network traefik reaches the container on (the container may be on several). */
    proxyNetworkName: string;
    entrypoint: string;
    /** HSTS is only sent over HTTPS. */
    tls: boolean;
    /** CIDRs allowed to reach the admin router; empty: the admin UI and REST API are not routed at all. */
    adminAllowlist: string[];
    /** Requests per second per client IP, and the burst on top. */
    rateLimitAverage: number;
    rateLimitBurst: number;
}

export interface GeoserverRouteNames {
    service: string;
    publicRouter: string;
    adminRouter: string;
    rateLimit: string;
    allowlist: string;
    headers: string;
    compress: string;
}

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
    };
}

/** Labels of a per-client-IP rate limit middleware (traefik's default source is the TCP peer: no proxy in front). */
export function rateLimitLabels(name: string, average: number, burst: number): Record<string, string> {
    const m = `traefik.http.middlewares.${name}.ratelimit`;
    return { [`${m}.average`]: String(average), [`${m}.period`]: "1s", [`${m}.burst`]: String(burst) };
}

export function allowlistLabels(name: string, cidrs: string[]): Record<string, string> {
    return { [`traefik.http.middlewares.${name}.ipallowlist.sourcerange`]: cidrs.join(",") };
}

/** Security headers; the frame option allows GeoServer's own UI to frame its pages. */
export function securityHeaderLabels(name: string, tls: boolean): Record<string, string> {
    const m = `traefik.http.middlewares.${name}.headers`;
    return {
        [`${m}.contenttypenosniff`]: "true",
        [`${m}.referrerpolicy`]: "strict-origin-when-cross-origin",
        [`${m}.customframeoptionsvalue`]: "SAMEORIGIN",
        ...(tls ? { [`${m}.stsseconds`]: String(HSTS_SECONDS), [`${m}.stsincludesubdomains`]: "true" } : {}),
    };
}

function routerLabels(name: string, rule: string, priority: number, entrypoint: string, service: string, middlewares: string[]): Record<string, string> {
    const router = `traefik.http.routers.${name}`;
    return {
        [`${router}.rule`]: rule,
        [`${router}.priority`]: String(priority),
        [`${router}.entrypoints`]: entrypoint,
        [`${router}.service`]: service,
        [`${router}.middlewares`]: middlewares.join(","),
    };
}

/**
 * Two routers to GeoServer's port 8080: the public one for the OGC paths, rate-limited per client IP, and the admin
 * one for everything else under /geoserver, only from the allowlist and also rate-limited.
 */
export function geoserverRouteLabels(args: GeoserverRouteLabelArgs): Record<string, string> {
    const names = geoserverRouteNames(args.namePrefix);
    const host = `Host(\`${args.domain}\`)`;
    const common = [names.rateLimit, names.headers, names.compress];
    const admin =
        args.adminAllowlist.length === 0
            ? {}
            : {
                  ...routerLabels(names.adminRouter, `${host} && PathPrefix(\`${GEOSERVER_CONTEXT_PATH}\`)`, ADMIN_ROUTER_PRIORITY, args.entrypoint, names.service, [
                      names.allowlist,
                      ...common,
                  ]),
                  ...allowlistLabels(names.allowlist, args.adminAllowlist),
              };
    return {
        "traefik.enable": "true",
        "traefik.docker.network": args.proxyNetworkName,
        [`traefik.http.services.${names.service}.loadbalancer.server.port`]: String(GEOSERVER_PORT),
        ...routerLabels(names.publicRouter, `${host} && (${publicPathRule()})`, PUBLIC_ROUTER_PRIORITY, args.entrypoint, names.service, common),
        ...admin,
        ...rateLimitLabels(names.rateLimit, args.rateLimitAverage, args.rateLimitBurst),
        ...securityHeaderLabels(names.headers, args.tls),
        [`traefik.http.middlewares.${names.compress}.compress`]: "true",
    };
}

export interface DashboardLabelArgs {
    namePrefix: string;
    /** The dashboard is served on `traefik.<domain>`. */
    domain: string;
    entrypoint: string;
    adminAllowlist: string[];
    rateLimitAverage: number;
    rateLimitBurst: number;
    /** `user:bcrypt-hash` for basic auth; empty: no basic auth (dev, plain HTTP). */
    basicAuthUsers: string;
}

export function dashboardHost(domain: string): string {
    return `traefik.${domain}`;
}

/** Routes the dashboard and its API (traefik's internal `api@internal` service) on `traefik.<domain>`. */
export function dashboardLabels(args: DashboardLabelArgs): Record<string, string> {
    const base = `${args.namePrefix}-dashboard`;
    const names = { router: base, allowlist: `${base}-allowlist`, rateLimit: `${base}-ratelimit`, auth: `${base}-auth` };
    const auth = args.basicAuthUsers === "" ? {} : { [`traefik.http.middlewares.${names.auth}.basicauth.users`]: args.basicAuthUsers };
    const rule = `Host(\`${dashboardHost(args.domain)}\`) && (PathPrefix(\`/api\`) || PathPrefix(\`/dashboard\`))`;
    return {
        "traefik.enable": "true",
        ...routerLabels(names.router, rule, ADMIN_ROUTER_PRIORITY, args.entrypoint, "api@internal", [
            names.allowlist,
            names.rateLimit,
            ...(args.basicAuthUsers === "" ? [] : [names.auth]),
        ]),
        ...allowlistLabels(names.allowlist, args.adminAllowlist),
        ...rateLimitLabels(names.rateLimit, args.rateLimitAverage, args.rateLimitBurst),
        ...auth,
    };
}
