/**
 * Pure builders of GeoStack's Docker Swarm mode: where each service may run, how it is updated, the Docker API sections
 * traefik's swarm provider reads, and the files that replace a container's uploads. No Pulumi resources here.
 */

/**
 * The node labels that pin a stack's services: `docker node update --label-add geostack.postgis=<namePrefix> <node>`.
 * Node labels, not engine labels: only a manager can set them, so a worker cannot attract the database to itself
 * (https://docs.docker.com/engine/swarm/services/#placement-constraints, "node.labels"). The value is the stack's
 * `namePrefix`, so two stacks on one swarm can keep their data on different nodes, and the label says whose it is.
 */
export const NODE_LABELS = { postgis: "geostack.postgis", geoserver: "geostack.geoserver", edge: "geostack.edge" } as const;
export type PinnedRole = keyof typeof NODE_LABELS;

export function nodeConstraint(role: PinnedRole, namePrefix: string): string {
    return `node.labels.${NODE_LABELS[role]}==${namePrefix}`;
}

/** "The Swarm API is only exposed on the manager nodes" (traefik docs/content/providers/swarm.md, "Docker API Access"). */
export const MANAGER_CONSTRAINT = "node.role==manager";

/**
 * The Docker API proxy's rules switch to the requests traefik's swarm provider makes, all GET or HEAD: `/_ping`,
 * `/version`, `/services`, `/networks?filters=...`, `/tasks?filters=...`, `/nodes/<id>` (components/traefik/
 * docker-api-proxy.cfg, the swarm_path rule; traefik pkg/provider/docker/pswarm.go). It polls (refreshSeconds), so
 * `/events` and `/containers` stay closed, as every write does.
 */
export const SWARM_DOCKER_API_PROVIDER_ENV = { DOCKER_API_PROXY_PROVIDER: "swarm" } as const;

/** Where Swarm mounts a secret whose target is a bare name (https://docs.docker.com/engine/swarm/secrets/). */
export const SECRETS_DIR = "/run/secrets";

/**
 * A rolling update (and its rollback): one task at a time, watched for `monitor` after it runs, rolled back on failure.
 * A task with a healthcheck only turns "running" once healthy, so the healthcheck gates the rollout; `monitor` covers
 * what the check sees after that (https://docs.docker.com/reference/cli/docker/service/update/, --update-monitor,
 * --update-failure-action). `stop-first` stops the old task before the new one starts: required for one data
 * directory (two PostgreSQL servers on one cluster corrupt it) and for host-mode ports (one task per port per node).
 */
export function rollout(order: "stop-first" | "start-first", monitor: string) {
    return {
        updateConfig: { parallelism: 1, delay: "0s", order, failureAction: "rollback", monitor, maxFailureRatio: "0.0" },
        // A failed rollback stops, for a human: rolling back again could loop.
        rollbackConfig: { parallelism: 1, delay: "0s", order, failureAction: "pause", monitor, maxFailureRatio: "0.0" },
    };
}

/** The update order of a service holding a data directory: one writer, always (GeoStack runs one replica of each). */
export const SINGLE_WRITER_ORDER = "stop-first";

/**
 * Swarm's CPU limit in units of 1e-9 CPU, from Docker's `--cpus` figure (checked by `cpuLimit`), as
 * `docker service create --limit-cpu` takes it (https://docs.docker.com/reference/cli/docker/service/create/).
 */
export const nanoCpus = (cpus: string) => Math.round(Number(cpus) * 1e9);

/** Bytes of a MiB figure, as Swarm's resource limits and tmpfs sizes take them. */
export const mib = (value: number) => value * 1024 * 1024;

/**
 * A tmpfs on /dev/shm: a service has no `--shm-size`, and Docker's default /dev/shm is 64 MiB, too small for
 * PostgreSQL's parallel workers. A tmpfs mount over it does the same (https://docs.docker.com/engine/storage/tmpfs/,
 * tmpfs-size in bytes, tmpfs-mode 1777 as /dev/shm has).
 */
export function shmMount(sizeMb: number) {
    return { type: "tmpfs", target: "/dev/shm", tmpfsOptions: { sizeBytes: mib(sizeMb), mode: 0o1777 } };
}

/**
 * traefik's swarm provider reads `traefik.swarm.*` for its own options; `traefik.docker.*` there is deprecated and
 * both together is an error (traefik pkg/provider/docker/shared_labels.go, extractSwarmLabels). The routing labels the
 * single-host builders make carry `traefik.docker.network`: this renames that vocabulary, and leaves every other label.
 */
export function forSwarmProvider(labels: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(labels).map(([key, value]) => [key.replace(/^traefik\.docker\./, "traefik.swarm."), value]));
}

/** `host:/export` of an NFS server for GeoServer's data directory. */
export const nfsExport = (value: string) =>
    /^[A-Za-z0-9.-]+:\/[^\s,]*$/.test(value) ? undefined : "an NFS export as <server>:/<path> (e.g. nfs.internal:/srv/geoserver), no options";

/**
 * A volume of the `local` driver that mounts an NFS export, created by Docker on whichever node a task lands, each
 * mounting the same export (https://docs.docker.com/engine/storage/volumes/#create-a-service-which-creates-an-nfs-volume).
 * `hard`: a server that stops answering blocks GeoServer's writes instead of failing them half-done.
 */
export function nfsVolumeOptions(exportPath: string) {
    const [server, ...rest] = exportPath.split(":");
    return {
        driverName: "local",
        driverOptions: { type: "nfs", o: `addr=${server},rw,hard,nfsvers=4`, device: `:${rest.join(":")}` },
    };
}
