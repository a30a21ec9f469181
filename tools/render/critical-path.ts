/**
 * The critical path of a first `pulumi up`: the chain of resources whose creation takes longest, through the real
 * dependency graph. The engine creates a resource once every resource it depends on is created, and the SDK tells it
 * which ones in each registration: `dependsOn` (a component expanded to its children) and every resource an input's
 * value comes from (RegisterResourceRequest.dependencies, which the mocks record). Everything off this path runs
 * beside it.
 *
 * The durations are estimates, not measurements (there is no Docker host here): the assumptions below, plus what the
 * resources declare themselves, i.e. each healthcheck's interval and each `waitTimeout`.
 */
import { type RegisteredResource, reveal } from "./mocks";

/** Assumed download and upload speed between the Docker host and the registries, in MB/s. */
const DOWNLOAD_MB_PER_S = 25;
const UPLOAD_MB_PER_S = 10;
/** Approximate compressed size (linux/amd64, MB) of the images the stacks pull or build on; any other counts 150. */
const IMAGE_MB: [RegExp, number][] = [
    [/(^|\/)geoserver[:@]/, 550],
    [/^postgis\/postgis[:@]/, 160],
    [/^traefik[:@]/, 50],
    [/(socket-proxy|haproxy)[:@]/, 30],
];
/** Seconds from a container's start until its service would pass its healthcheck, on a first start (empty volume). */
const READY_S: Record<string, number> = {
    // initdb, the entrypoint's temporary server, CREATE EXTENSION postgis and the init script, then the real server.
    postgis: 15,
    // Tomcat and GeoServer's Spring context on two cores, the data directory copied into the empty volume.
    geoserver: 60,
    traefik: 2,
    "docker-socket-proxy": 1,
};
/** A build beyond pulling its base: one download per extension and writing the layers. */
const BUILD_S = { perExtension: 4, layers: 15 };
/** Creating and starting a container, a network, a volume: Docker API calls. */
const API_CALL_S = 1;

export interface CriticalStep {
    type: string;
    name: string;
    /** What takes the time. */
    what: string;
    seconds: number;
    /** Longest the provider waits before it gives up (a container's waitTimeout), when that is longer. */
    giveUpSeconds?: number;
}

export interface CriticalPath {
    steps: CriticalStep[];
    seconds: number;
    /** The healthy-wait that takes longest to fail, counted from the start of `up`, for a service that never turns healthy. */
    slowestFailure?: { name: string; seconds: number };
}

const imageMb = (reference: string) => IMAGE_MB.find(([pattern]) => pattern.test(reference))?.[1] ?? 150;

/** A Go duration as Docker reports it ("1m30s", "10s") in seconds. */
export function durationSeconds(text: string): number {
    let seconds = 0;
    for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) seconds += Number(value) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit]!;
    return seconds;
}

function labelOf(inputs: Record<string, any>, label: string): string | undefined {
    return (reveal<{ label: string; value: string }[]>(inputs.labels) ?? []).find((l) => l.label === label)?.value;
}

function estimate(resource: RegisteredResource, builtHere: Set<string>): Omit<CriticalStep, "type" | "name"> {
    const inputs = reveal<Record<string, any>>(resource.inputs);
    switch (resource.type) {
        case "docker:index/container:Container": {
            if (!inputs.wait) return { what: "create and start", seconds: API_CALL_S };
            const role = labelOf(inputs, "geostack.role") ?? "";
            const ready = READY_S[role] ?? 10;
            // Docker runs the first probe one interval after the start, then one per interval: healthy at the first
            // probe after the service is ready (an engine before 25 has no start_interval).
            const interval = durationSeconds(String(inputs.healthcheck?.interval ?? "30s")) || 30;
            const healthy = Math.max(1, Math.ceil(ready / interval)) * interval;
            return {
                what: `start, ready after ~${ready} s, healthy at the next probe (every ${inputs.healthcheck?.interval})`,
                seconds: API_CALL_S + healthy,
                giveUpSeconds: API_CALL_S + Number(inputs.waitTimeout ?? 300),
            };
        }
        case "docker:index/remoteImage:RemoteImage": {
            const name = String(inputs.name);
            // An image built on this very host is in its image store already: the pull only asks the registry.
            if (builtHere.has(name)) return { what: `pull ${name} (built here: layers present)`, seconds: 2 };
            return { what: `pull ${name} (~${imageMb(name)} MB)`, seconds: Math.round(imageMb(name) / DOWNLOAD_MB_PER_S) + 2 };
        }
        case "docker:index/image:Image":
        case "docker-build:index:Image": {
            const extensions = String(inputs.build?.args?.GEOSERVER_EXTENSIONS ?? inputs.buildArgs?.GEOSERVER_EXTENSIONS ?? "")
                .split(/[\s,]+/)
                .filter(Boolean).length;
            const base = imageMb("geoserver:");
            const pushes = resource.type === "docker-build:index:Image" ? Boolean(inputs.push) : inputs.skipPush === false;
            const seconds = Math.round(base / DOWNLOAD_MB_PER_S) + extensions * BUILD_S.perExtension + BUILD_S.layers;
            const push = pushes ? Math.round(base / UPLOAD_MB_PER_S) : 0;
            return { what: `build (base ~${base} MB, ${extensions} extensions)${pushes ? ", push" : ""}`, seconds: seconds + push };
        }
        case "docker:index/registryImage:RegistryImage":
            return { what: "push to the registry", seconds: Math.round(imageMb("geoserver:") / UPLOAD_MB_PER_S) };
        case "docker:index/network:Network":
        case "docker:index/volume:Volume":
            return { what: "create", seconds: API_CALL_S };
        default:
            return { what: "", seconds: 0 };
    }
}

/** The longest chain of dependent resources, by the estimates above; components take no time of their own. */
export function criticalPath(resources: RegisteredResource[]): CriticalPath {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    // Digests and names an image build of this stack produces: pulling them back costs no download.
    const builtHere = new Set(
        resources
            .filter((r) => r.type === "docker:index/image:Image" || r.type === "docker-build:index:Image")
            .flatMap((r) => [reveal(r.state.repoDigest), reveal(r.state.digest), reveal(r.state.ref)].filter(Boolean).map(String)),
    );
    type Chain = { seconds: number; steps: CriticalStep[] };
    const none: Chain = { seconds: 0, steps: [] };
    type Visit = { before: Chain; through: Chain; own: CriticalStep };
    const memo = new Map<string, Visit>();
    const visit = (urn: string): Visit => {
        const cached = memo.get(urn);
        if (cached) return cached;
        const resource = byUrn.get(urn)!;
        const own: CriticalStep = { type: resource.type, name: resource.name, ...estimate(resource, builtHere) };
        const before: Chain = resource.options.dependencies
            .filter((dep) => byUrn.has(dep))
            .map((dep) => visit(dep).through)
            .reduce((a, b) => (b.seconds > a.seconds ? b : a), none);
        const through: Chain = { seconds: before.seconds + own.seconds, steps: own.seconds > 0 ? [...before.steps, own] : before.steps };
        const result: Visit = { before, through, own };
        memo.set(urn, result);
        return result;
    };
    const visited = resources.map((r) => visit(r.urn));
    const path = visited.map((v) => v.through).reduce((a, b) => (b.seconds > a.seconds ? b : a), none);
    const failures = visited
        .filter((v) => v.own.giveUpSeconds !== undefined)
        .map((v) => ({ name: v.own.name, seconds: v.before.seconds + v.own.giveUpSeconds! }))
        .sort((a, b) => b.seconds - a.seconds);
    return { steps: path.steps, seconds: path.seconds, slowestFailure: failures[0] };
}
