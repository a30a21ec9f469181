/**
 * The edge: what traefik and the containers it routes to agree on. The edge args (declared once, here), the rules
 * between them, the one `EdgePolicy` both sides derive from them, and the traefik middleware label vocabulary.
 */
import { arg, problem, type Rule, type Settings } from "./args";
import { adminCidrList, certifiableDomain, dnsName, emailAddress, requestRate } from "./checks";
import { DEFAULT_RATE_LIMIT } from "../defaults";

/** traefik's entrypoints: `web` on :80, `websecure` on :443 (with TLS). */
export const ENTRYPOINTS = { web: "web", websecure: "websecure" } as const;

/** Explicit, so the public router wins on OGC paths whatever the rules' lengths. */
export const PUBLIC_ROUTER_PRIORITY = 200;
export const ADMIN_ROUTER_PRIORITY = 100;

const HSTS_SECONDS = 31_536_000;

export const EDGE_ARGS = {
    domain: arg.required<string>("string", { check: dnsName }),
    tls: arg.withDefault(false),
    acmeEmail: arg.optional<string>("string", { check: emailAddress }),
    adminAllowlist: arg.withDefault<string[]>([], { check: adminCidrList }),
    rateLimitAverage: arg.withDefault<number>(DEFAULT_RATE_LIMIT.average, { check: requestRate }),
    rateLimitBurst: arg.withDefault<number>(DEFAULT_RATE_LIMIT.burst, { check: requestRate }),
    dashboard: arg.withDefault(false),
};
type EdgeArgs = typeof EDGE_ARGS;

/** The rules between edge args, for any component holding some of them (a rule whose keys it lacks is left out). */
export const EDGE_RULES: Rule<EdgeArgs>[] = [
    {
        keys: ["tls", "acmeEmail"],
        check: ({ tls, acmeEmail }, name) =>
            tls && acmeEmail === undefined ? `${name("acmeEmail")} is required when ${name("tls")} is true: the Let's Encrypt account's e-mail` : undefined,
    },
    {
        keys: ["tls", "domain"],
        // A component for which the domain is optional (TraefikProxy without its dashboard) may leave it out.
        check: ({ tls, domain }, name) => {
            const expected = tls && domain !== undefined ? certifiableDomain(domain) : undefined;
            return expected && problem(name("domain"), domain, `${expected}, since ${name("tls")} is true; set ${name("tls")} to false for a laptop`);
        },
    },
    {
        keys: ["dashboard", "adminAllowlist"],
        check: ({ dashboard, adminAllowlist }, name) =>
            dashboard && adminAllowlist.length === 0
                ? problem(
                      name("adminAllowlist"),
                      adminAllowlist,
                      `at least one CIDR, since ${name("dashboard")} is true and the dashboard is only served to the admin allowlist`,
                  )
                : undefined,
    },
];

/**
 * The edge args a component takes (`keys`), and the rules among them (typed loosely: a component may relax an
 * entry, as TraefikProxy makes `domain` optional, and the rules allow for that).
 */
// biome-ignore lint/suspicious/noExplicitAny: the rules are typed by EDGE_ARGS; a component may relax an entry they allow for
export function edgeSpec<K extends keyof EdgeArgs>(...keys: K[]): { args: Pick<EdgeArgs, K>; rules: Rule<any>[] } {
    const args = Object.fromEntries(keys.map((key) => [key, EDGE_ARGS[key]])) as Pick<EdgeArgs, K>;
    return { args, rules: EDGE_RULES.filter((rule) => rule.keys.every((key) => (keys as string[]).includes(key))) };
}

/** How requests reach a routed container, derived once from the edge settings. */
export interface EdgePolicy {
    tls: boolean;
    scheme: "http" | "https";
    /** The entrypoint routers are on. */
    entrypoint: string;
    /** CIDRs of the admin routers; empty: no admin router. */
    adminAllowlist: string[];
    rateLimit: { average: number; burst: number };
}

export function edgePolicy(settings: Pick<Settings<EdgeArgs>, "tls" | "adminAllowlist" | "rateLimitAverage" | "rateLimitBurst">): EdgePolicy {
    return {
        tls: settings.tls,
        scheme: settings.tls ? "https" : "http",
        entrypoint: settings.tls ? ENTRYPOINTS.websecure : ENTRYPOINTS.web,
        adminAllowlist: settings.adminAllowlist,
        rateLimit: { average: settings.rateLimitAverage, burst: settings.rateLimitBurst },
    };
}

/** Labels of a per-client-IP rate limit middleware (traefik's default source is the TCP peer: no proxy in front). */
export function rateLimitLabels(name: string, rateLimit: EdgePolicy["rateLimit"]): Record<string, string> {
    const m = `traefik.http.middlewares.${name}.ratelimit`;
    return { [`${m}.average`]: String(rateLimit.average), [`${m}.period`]: "1s", [`${m}.burst`]: String(rateLimit.burst) };
}

export function allowlistLabels(name: string, cidrs: string[]): Record<string, string> {
    return { [`traefik.http.middlewares.${name}.ipallowlist.sourcerange`]: cidrs.join(",") };
}

/** Security headers; the frame option allows GeoServer's own UI to frame its pages. HSTS only over HTTPS. */
export function securityHeaderLabels(name: string, tls: boolean): Record<string, string> {
    const m = `traefik.http.middlewares.${name}.headers`;
    return {
        [`${m}.contenttypenosniff`]: "true",
        [`${m}.referrerpolicy`]: "strict-origin-when-cross-origin",
        [`${m}.customframeoptionsvalue`]: "SAMEORIGIN",
        ...(tls ? { [`${m}.stsseconds`]: String(HSTS_SECONDS), [`${m}.stsincludesubdomains`]: "true" } : {}),
    };
}

export function routerLabels(name: string, rule: string, priority: number, entrypoint: string, service: string, middlewares: string[]): Record<string, string> {
    const router = `traefik.http.routers.${name}`;
    return {
        [`${router}.rule`]: rule,
        [`${router}.priority`]: String(priority),
        [`${router}.entrypoints`]: entrypoint,
        [`${router}.service`]: service,
        [`${router}.middlewares`]: middlewares.join(","),
    };
}
