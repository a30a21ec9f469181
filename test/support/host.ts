import { type RegisteredResource, reveal } from "../../tools/render/mocks";
import { CONTAINER, IMAGE, labelsOf, NETWORK, VOLUME } from "./resources";

/** One stack's resources, as one Docker host would receive them. */
export type Stack = { name: string; resources: RegisteredResource[] };

interface Binding {
    stack: string;
    container: string;
    ip: string;
    port: number;
    protocol: string;
}

/** Docker refuses a second binding of a port on an address the first covers: the same, or its family's wildcard. */
function overlap(a: Binding, b: Binding): boolean {
    const family = (ip: string) => (ip.includes(":") ? 6 : 4);
    const wildcard = (ip: string) => ip === "0.0.0.0" || ip === "::";
    return a.port === b.port && a.protocol === b.protocol && family(a.ip) === family(b.ip) && (a.ip === b.ip || wildcard(a.ip) || wildcard(b.ip));
}

/** `Label(`name`,`value`)` of a traefik's `--providers.docker.constraints` (the only form GeoStack writes). */
export function constraintOf(traefik: RegisteredResource): { label: string; value: string } {
    const flag = reveal<string[]>(traefik.inputs.command).find((f) => f.startsWith("--providers.docker.constraints="));
    const match = flag && /^--providers\.docker\.constraints=Label\(`([^`]+)`,\s*`([^`]*)`\)$/.exec(flag);
    if (!match) throw new Error(`${traefik.name} has no Label(...) constraint: it would route every container of the host`);
    return { label: match[1], value: match[2] };
}

const containers = (stack: Stack) => stack.resources.filter((r) => r.type === CONTAINER);
const traefikOf = (stack: Stack) => containers(stack).filter((c) => labelsOf(c)["geostack.role"] === "traefik");

/** The containers of the whole host a traefik routes: enabled for traefik, and matching its constraint. */
export function routedBy(traefik: RegisteredResource, host: Stack[]): RegisteredResource[] {
    const { label, value } = constraintOf(traefik);
    return host.flatMap(containers).filter((c) => labelsOf(c)["traefik.enable"] === "true" && labelsOf(c)[label] === value);
}

/**
 * What would go wrong with these stacks on one Docker host: a Docker name two stacks use, a host port bound twice, a
 * traefik routing another stack's container, two containers one traefik routes defining the same router, middleware
 * or service, and an image tag two stacks build.
 */
export function hostConflicts(host: Stack[]): string[] {
    const conflicts: string[] = [];
    const named: [string, (r: RegisteredResource) => string[]][] = [
        [CONTAINER, (r) => [r.inputs.name]],
        [NETWORK, (r) => [r.inputs.name]],
        [VOLUME, (r) => [r.inputs.name]],
        // A tag two stacks build would point at whichever built last.
        [IMAGE, (r) => reveal<string[]>(r.inputs.tags ?? [])],
    ];
    for (const [type, namesOf] of named) {
        const owners = new Map<string, string[]>();
        for (const stack of host)
            for (const r of stack.resources.filter((r) => r.type === type)) {
                for (const name of namesOf(r)) owners.set(name, [...(owners.get(name) ?? []), stack.name]);
            }
        for (const [name, stacks] of owners) if (stacks.length > 1) conflicts.push(`${type} ${name}: in ${stacks.join(" and ")}`);
    }

    const bindings: Binding[] = host.flatMap((stack) =>
        containers(stack).flatMap((c) =>
            reveal<any[]>(c.inputs.ports ?? []).map((p) => ({
                stack: stack.name,
                container: c.inputs.name,
                ip: p.ip ?? "0.0.0.0",
                port: p.external,
                protocol: p.protocol ?? "tcp",
            })),
        ),
    );
    bindings.forEach((a, i) => {
        for (const b of bindings.slice(i + 1)) {
            if (overlap(a, b)) conflicts.push(`port ${a.port}/${a.protocol}: ${a.container} on ${a.ip} and ${b.container} on ${b.ip}`);
        }
    });

    for (const stack of host) {
        for (const traefik of traefikOf(stack)) {
            const routed = routedBy(traefik, host);
            for (const c of routed) {
                if (!containers(stack).includes(c)) conflicts.push(`${traefik.inputs.name} routes ${c.inputs.name} of another stack`);
            }
            const definers = new Map<string, string[]>();
            for (const c of routed) {
                const defined = new Set(
                    Object.keys(labelsOf(c)).flatMap(
                        (key) => /^traefik\.http\.(routers|middlewares|services)\.([^.]+)\./.exec(key)?.slice(1, 3).join(" ") ?? [],
                    ),
                );
                for (const d of defined) definers.set(d, [...(definers.get(d) ?? []), c.inputs.name]);
            }
            for (const [d, by] of definers) if (by.length > 1) conflicts.push(`${traefik.inputs.name}: ${d} defined by ${by.join(" and ")}`);
        }
    }
    return conflicts;
}
