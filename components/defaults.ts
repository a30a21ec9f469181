/** Releases and sizes a GeoStack gets when nothing else is said; the components' specs take their defaults from here. */
export const DEFAULT_GEOSERVER_VERSION = "2.28.4";
export const DEFAULT_POSTGIS_IMAGE = "postgis/postgis:17-3.5";
export const DEFAULT_TRAEFIK_IMAGE = "traefik:v3.6.26";
export const DEFAULT_GEOSERVER_ADMIN_USER = "admin";
/** The Docker API proxy: the official haproxy image, an LTS release (3.4), alpine for its busybox wget healthcheck. */
export const DEFAULT_DOCKER_SOCKET_PROXY_IMAGE = "haproxy:3.4.2-alpine";

/** Per client IP, on each GeoServer router: a map view of retina tiles fits in one burst. */
export const DEFAULT_RATE_LIMIT = { average: 50, burst: 200 } as const;
/** A local name: dev builds the GeoServer image without pushing it anywhere. */
export const DEFAULT_IMAGE_REPOSITORY = "geostack/geoserver";

export const DEFAULT_MEMORY_MB = {
    postgis: 1024,
    geoserver: 2048,
    traefik: 256,
    dockerSocketProxy: 64,
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
} as const;

/** Below these, the process does not start reliably (GeoServer's JVM in particular). */
export const MIN_MEMORY_MB = {
    postgis: 256,
    geoserver: 1024,
    traefik: 64,
    dockerSocketProxy: 32,
} as const;
