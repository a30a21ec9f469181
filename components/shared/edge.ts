/**
 * The edge: what traefik and the containers it routes to agree on. The edge args (declared once, here), the rules
 * between them, the one `EdgePolicy` both sides derive from them, and the traefik middleware label vocabulary.
 */
import { arg, problem, type Rule, type Settings } from "./args";
import { adminCidrList, certifiableDomain, dnsName, emailAddress, requestRate, tcpPort } from "./checks";
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
    /** The Docker host's ports traefik's web (:80) and, with tls, websecure (:443) entrypoints are published on. */
    httpPort: arg.withDefault<number>(80, { check: tcpPort }),
    httpsPort: arg.withDefault<number>(443, { check: tcpPort }),
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
        keys: ["tls", "httpPort", "httpsPort"],
        check: ({ tls, httpPort, httpsPort }, name) =>
            tls && httpPort === httpsPort
                ? problem(
                      name("httpsPort"),
                      httpsPort,
                      `another port than ${name("httpPort")} (${httpPort}), since ${name("tls")} is true and traefik publishes both`,
                  )
                : undefined,
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

/** Second-level names reserved for documentation (RFC 2606): valid DNS names that Let's Encrypt will not certify or mail. */
const PLACEHOLDER_DOMAINS = ["example.com", "example.net", "example.org"];
const isPlaceholder = (name: string) => PLACEHOLDER_DOMAINS.some((domain) => name === domain || name.endsWith(`.${domain}`));

/**
 * Warnings for edge values left at a documentation placeholder while TLS is on: the program runs (the committed prod
 * stack must render), but Let's Encrypt refuses the name (issuance policy) and the account e-mail ("contact email has
 * forbidden domain"), so the deployment would serve no certificate.
 */
export function placeholderWarnings(settings: { tls: boolean; domain?: string; acmeEmail?: string }): string[] {
    if (!settings.tls) return [];
    const warnings: string[] = [];
    if (settings.domain !== undefined && isPlaceholder(settings.domain)) {
        warnings.push(`domain ${settings.domain} is a documentation placeholder: Let's Encrypt will not issue it a certificate; set your server's name`);
    }
    const mailDomain = settings.acmeEmail?.split("@")[1]?.toLowerCase();
    if (mailDomain !== undefined && isPlaceholder(mailDomain)) {
        warnings.push(`acmeEmail ${settings.acmeEmail} is a documentation placeholder: Let's Encrypt refuses an account with it; set a real address`);
    }
    return warnings;
}

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
    /** The Docker host's port that entrypoint is published on: what the public URLs carry when it is not the scheme's own. */
    port: number;
    /** CIDRs of the admin routers; empty: no admin router. */
    adminAllowlist: string[];
    rateLimit: { average: number; burst: number };
}

export function edgePolicy(
    settings: Pick<Settings<EdgeArgs>, "tls" | "adminAllowlist" | "rateLimitAverage" | "rateLimitBurst" | "httpPort" | "httpsPort">,
): EdgePolicy {
    return {
        tls: settings.tls,
        scheme: settings.tls ? "https" : "http",
        entrypoint: settings.tls ? ENTRYPOINTS.websecure : ENTRYPOINTS.web,
        port: settings.tls ? settings.httpsPort : settings.httpPort,
        adminAllowlist: settings.adminAllowlist,
        rateLimit: { average: settings.rateLimitAverage, burst: settings.rateLimitBurst },
    };
}

/** `<scheme>://<host>`, with the port when it is not the scheme's own (80 for http, 443 for https). */
export function publicOrigin(edge: EdgePolicy, host: string): string {
    const standard = edge.scheme === "https" ? 443 : 80;
    return `${edge.scheme}://${host}${edge.port === standard ? "" : `:${edge.port}`}`;
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
