/**
 * Pure builders of GeoStack's Docker Swarm mode: where each service may run, how it is updated, the Docker API sections
 * traefik's swarm provider reads, and the files that replace a container's uploads. No Pulumi resources here.
 */
import { DOCKER_SOCKET_PROXY_ENV } from "../traefik/socket-proxy";

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
 * The sections of the Docker API traefik's swarm provider reads, all GET: `/version`, `/services`,
 * `/networks?filters={"scope":["swarm"]}`, `/tasks?filters=...service...desired-state=running`, `/nodes/{id}`
 * (traefik pkg/provider/docker/pswarm.go, listServices/listTasks), and `/_ping` for API version negotiation. It polls
 * (refreshSeconds) and never reads `/containers` or `/events`, so those close; writes stay refused (POST=0).
 */
export const SWARM_SOCKET_PROXY_ENV: Record<string, string> = {
    ...DOCKER_SOCKET_PROXY_ENV,
    CONTAINERS: "0",
    EVENTS: "0",
    SERVICES: "1",
    TASKS: "1",
    NETWORKS: "1",
    NODES: "1",
};

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

/**
 * Sourced by the postgres image's entrypoint before GeoStack's init script, as a `.sh` file that is not executable
 * (docker-library/postgres docker-entrypoint.sh, docker_process_init_files: executable files run, others are sourced):
 * it reads the geoserver role's password from its secret file into the variable the init script takes, as the image's
 * own `file_env` does for POSTGRES_PASSWORD_FILE. So the password is never in the service's environment.
 */
export function passwordFilePrelude(variable: string): string {
    return `# GeoStack (swarm): ${variable} from the secret file ${variable}_FILE names.
if [ -n "\${${variable}_FILE:-}" ]; then
  if [ ! -r "\${${variable}_FILE}" ]; then
    echo "19-geostack-password-file.sh: ${variable}_FILE=\${${variable}_FILE} is not a readable file" >&2
    exit 1
  fi
  ${variable}="$(< "\${${variable}_FILE}")"
  export ${variable}
fi
`;
}
