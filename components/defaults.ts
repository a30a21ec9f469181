/** Versions and sizes a GeoStack gets when nothing else is said. Pulumi.yaml declares the same defaults (a test holds them equal). */
export const DEFAULT_GEOSERVER_VERSION = "2.28.2";
export const DEFAULT_POSTGIS_IMAGE = "postgis/postgis:17-3.5";
export const DEFAULT_TRAEFIK_IMAGE = "traefik:v3.6.26";
export const DEFAULT_GEOSERVER_ADMIN_USER = "admin";
/** A local name: dev builds the GeoServer image without pushing it anywhere. */
export const DEFAULT_IMAGE_REPOSITORY = "geostack/geoserver";
export const DEFAULT_IMAGE_PLATFORM = "linux/amd64";

export const DEFAULT_MEMORY_MB = {
    postgis: 1024,
    geoserver: 2048,
    traefik: 256,
} as const;

/** Below these, the process does not start reliably (GeoServer's JVM in particular). */
export const MIN_MEMORY_MB = {
    postgis: 256,
    geoserver: 768,
    traefik: 64,
} as const;

export function officialGeoserverImage(version: string): string {
    return `docker.osgeo.org/geoserver:${version}`;
}
