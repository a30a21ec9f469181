/** traefik's own dashboard, routed through a router like any service (never the insecure API port). */
import { ADMIN_ROUTER_PRIORITY, allowlistLabels, type EdgePolicy, rateLimitLabels, routerLabels } from "../shared/edge";

export const DASHBOARD_USER = "admin";

export function dashboardHost(domain: string): string {
    return `traefik.${domain}`;
}

export interface DashboardLabelArgs {
    namePrefix: string;
    /** The dashboard is served on `traefik.<domain>`. */
    domain: string;
    edge: EdgePolicy;
    /** `user:bcrypt-hash` for basic auth; empty: no basic auth (dev, plain HTTP). */
    basicAuthUsers: string;
}

/** Routes the dashboard and its API (traefik's internal `api@internal` service) on `traefik.<domain>`, to the admin allowlist. */
export function dashboardLabels({ namePrefix, domain, edge, basicAuthUsers }: DashboardLabelArgs): Record<string, string> {
    const base = `${namePrefix}-dashboard`;
    const names = { router: base, allowlist: `${base}-allowlist`, rateLimit: `${base}-ratelimit`, auth: `${base}-auth` };
    const auth = basicAuthUsers === "" ? {} : { [`traefik.http.middlewares.${names.auth}.basicauth.users`]: basicAuthUsers };
    const rule = `Host(\`${dashboardHost(domain)}\`) && (PathPrefix(\`/api\`) || PathPrefix(\`/dashboard\`))`;
    return {
        "traefik.enable": "true",
        ...routerLabels(names.router, rule, ADMIN_ROUTER_PRIORITY, edge.entrypoint, "api@internal", [
            names.allowlist,
            names.rateLimit,
            ...(basicAuthUsers === "" ? [] : [names.auth]),
        ]),
        ...allowlistLabels(names.allowlist, edge.adminAllowlist),
        ...rateLimitLabels(names.rateLimit, edge.rateLimit),
        ...auth,
    };
}
