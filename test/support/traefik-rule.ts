/**
 * How traefik v3.6 judges a request against a router rule, for the matchers GeoStack's labels use, so tests evaluate
 * the very rule text the labels carry. Read from traefik v3.6.24:
 * - pkg/server/server_entrypoint_tcp.go: `normalizePath` (upper-cases percent-encodings, decodes the unreserved ones:
 *   `%2e` becomes `.`), then `sanitizePath` (`URL.JoinPath()`: drops `.` and `..` segments and duplicate slashes);
 * - pkg/muxer/http/mux.go `withRoutingPath`: the path the matchers see, every percent-encoding decoded but the reserved
 *   characters' (`%3B` stays `%3B`, `%2F` stays `%2F`);
 * - pkg/muxer/http/matcher.go: `PathRegexp` is Go's regexp MatchString on that path (unanchored), `PathPrefix` a
 *   prefix test, `Host` the request host (case-insensitive), and the rule syntax `&&`, `||`, `!`, parentheses.
 */
import * as path from "node:path";

const RESERVED = new Set([":", "/", "?", "#", "[", "]", "@", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "%"]);
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** The routing path traefik matches a request-target's path against. */
export function routingPath(requestPath: string): string {
    // normalizePath: unreserved encodings decoded, the others upper-cased.
    const normalized = requestPath.replace(/%[0-9A-Fa-f]{2}/g, (e) => {
        const c = String.fromCharCode(Number.parseInt(e.slice(1), 16));
        return UNRESERVED.test(c) ? c : e.toUpperCase();
    });
    // sanitizePath: Go's path.Join semantics, a trailing slash kept.
    const cleaned = path.posix.normalize(normalized.replace(/\/+/g, "/"));
    const sanitized = normalized.endsWith("/") && !cleaned.endsWith("/") ? `${cleaned}/` : cleaned;
    // withRoutingPath: every other encoding decoded, reserved characters kept encoded.
    return sanitized.replace(/%[0-9A-F]{2}/g, (e) => {
        const c = String.fromCharCode(Number.parseInt(e.slice(1), 16));
        return RESERVED.has(c) ? e : c;
    });
}

interface Request {
    host: string;
    path: string;
}

/** Evaluates a rule of Host, PathRegexp and PathPrefix matchers with &&, || and ! on a request. */
export function matches(rule: string, request: Request): boolean {
    const routed = { host: request.host.toLowerCase(), path: routingPath(request.path) };
    const tokens = rule.match(/\s*(&&|\|\||!|\(|\)|\w+\(`[^`]*`\))/g)?.map((t) => t.trim()) ?? [];
    if (tokens.join("") !== rule.replace(/\s+/g, "")) throw new Error(`rule not understood: ${rule}`);
    let i = 0;
    const or = (): boolean => {
        let value = and();
        while (tokens[i] === "||") {
            i++;
            const right = and();
            value = value || right;
        }
        return value;
    };
    const and = (): boolean => {
        let value = not();
        while (tokens[i] === "&&") {
            i++;
            const right = not();
            value = value && right;
        }
        return value;
    };
    const not = (): boolean => {
        if (tokens[i] === "!") {
            i++;
            return !not();
        }
        if (tokens[i] === "(") {
            i++;
            const value = or();
            if (tokens[i++] !== ")") throw new Error(`unbalanced: ${rule}`);
            return value;
        }
        const [, matcher, argument] = tokens[i++].match(/^(\w+)\(`([^`]*)`\)$/)!;
        switch (matcher) {
            case "Host":
                return routed.host === argument.toLowerCase();
            case "PathRegexp":
                return new RegExp(argument).test(routed.path);
            case "PathPrefix":
                return routed.path.startsWith(argument);
            default:
                throw new Error(`matcher ${matcher} not emulated`);
        }
    };
    const value = or();
    if (i !== tokens.length) throw new Error(`trailing tokens in ${rule}`);
    return value;
}
