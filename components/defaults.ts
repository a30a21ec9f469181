/** Releases and sizes a GeoStack gets when nothing else is said; the components' specs take their defaults from here. */
export const DEFAULT_GEOSERVER_VERSION = "2.28.4";
export const DEFAULT_POSTGIS_IMAGE = "postgis/postgis:17-3.5";
export const DEFAULT_TRAEFIK_IMAGE = "traefik:v3.6.26";
export const DEFAULT_GEOSERVER_ADMIN_USER = "admin";
/** The Docker API proxy: the official haproxy image, an LTS release (3.4), alpine for its busybox wget healthcheck. */
export const DEFAULT_DOCKER_SOCKET_PROXY_IMAGE = "haproxy:3.4.2-alpine";

/** The official restic image the off-host copy runs (Alpine, with jq), pinned to a release. */
export const DEFAULT_RESTIC_IMAGE = "restic/restic:0.19.1";
/** Backups: once a night (UTC), and the newest of each of the last 7 days, 4 weeks and 6 months kept. */
export const DEFAULT_BACKUP_SCHEDULE = ["02:00"];
export const DEFAULT_BACKUP_RETENTION = { daily: 7, weekly: 4, monthly: 6 } as const;

/** Per client IP, on each GeoServer router: a map view of retina tiles fits in one burst. */
export const DEFAULT_RATE_LIMIT = { average: 50, burst: 200 } as const;
/** A local name: dev builds the GeoServer image without pushing it anywhere. */
export const DEFAULT_IMAGE_REPOSITORY = "geostack/geoserver";

export const DEFAULT_MEMORY_MB = {
    postgis: 1024,
    geoserver: 2048,
    traefik: 256,
    dockerSocketProxy: 64,
    // A dump, and a scratch PostgreSQL for the restore drill.
    backup: 512,
    offsiteCopy: 512,
} as const;

/**
 * CPU limits (Docker's --cpus): a share of the host, never more than a small server has (Docker refuses a limit above
 * the host's CPU count).
 */
export const DEFAULT_CPUS = {
    postgis: "2",
    geoserver: "2",
    traefik: "1",
    dockerSocketProxy: "0.5",
    // The dump's compression and the drill's restore: one CPU, so the server keeps the others at night.
    backup: "1",
    offsiteCopy: "0.5",
} as const;

/** Below these, the process does not start reliably (GeoServer's JVM in particular). */
export const MIN_MEMORY_MB = {
    postgis: 256,
    geoserver: 1024,
    traefik: 64,
    dockerSocketProxy: 32,
    backup: 256,
    offsiteCopy: 128,
} as const;
