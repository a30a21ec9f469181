/**
 * Cross-origin requests to GeoServer's public OGC paths, answered by a traefik headers middleware on the public router
 * only (the admin router gets none), and never with credentials. traefik answers a preflight itself, without asking
 * GeoServer, and sets Access-Control-Allow-Origin on every response of the router: `*` when the list is `["*"]`, else
 * the request's Origin when listed (traefik pkg/middlewares/headers/header.go, processCorsHeaders and matchOrigin,
 * v3.6.24). GeoServer's own CORS filter stays off (CORS_ENABLED=false in env.ts): it would cover every path.
 */
import type { Check } from "../shared/args";

/** Any site's maps may read the public services, which answer anyone anyway. */
export const DEFAULT_CORS_ORIGINS = ["*"];
/** Reads only: a cross-origin POST (a WFS Transaction, a WPS Execute) gets no CORS answer. */
export const CORS_METHODS = ["GET", "HEAD", "OPTIONS"];
/** How long a browser may keep a preflight's answer, in seconds. */
export const CORS_MAX_AGE = 600;

const ORIGIN = /^https?:\/\/([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/;

/** `*` alone, or origins as browsers send them: scheme and host in lower case, a port if any, no path. */
export const corsOrigins: Check<string[]> = (value) => {
    const bad = value.filter((origin) => !(origin === "*" ? value.length === 1 : ORIGIN.test(origin)));
    return bad.length === 0
        ? undefined
        : `["*"] (any origin), [] (none), or origins such as https://maps.example.org or http://localhost:8080, lower case, without path or trailing slash (not: ${bad.map((b) => JSON.stringify(b)).join(", ")})`;
};

/** The middleware's labels. Credentials are never allowed: the public services need none, and `*` forbids them. */
export function corsLabels(name: string, origins: string[]): Record<string, string> {
    const m = `traefik.http.middlewares.${name}.headers`;
    return {
        [`${m}.accesscontrolalloworiginlist`]: origins.join(","),
        [`${m}.accesscontrolallowmethods`]: CORS_METHODS.join(","),
        [`${m}.accesscontrolallowcredentials`]: "false",
        [`${m}.accesscontrolmaxage`]: String(CORS_MAX_AGE),
        // Caches keep one answer per Origin when it is echoed back.
        [`${m}.addvaryheader`]: "true",
    };
}
