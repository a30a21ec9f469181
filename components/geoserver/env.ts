import { GEOSTACK_SEED, JNDI_RESOURCE } from "./data-dir";
import { GEOSERVER_CONTEXT_PATH } from "./routes";

export const GEOSERVER_DATA_DIR = "/opt/geoserver_data";
/**
 * GeoWebCache's tiles, on a volume of their own: outside /opt, which the official image's startup.sh hands to the
 * server with `chown -R` at every start (CHANGE_OWNERSHIP_ON_FOLDERS), which a large cache would make slow.
 */
export const TILE_CACHE_DIR = "/var/cache/geowebcache";
/**
 * GeoWebCache's configuration (gridsets, blob stores, the disk quota) stays in the data directory, where it is without
 * GEOWEBCACHE_CACHE_DIR: with that variable alone, GeoServer would keep it beside the tiles, on the volume that may be
 * rebuilt (GeoserverXMLResourceProvider: GEOWEBCACHE_CONFIG_DIR, else GEOWEBCACHE_CACHE_DIR, else <data dir>/gwc).
 */
export const GWC_CONFIG_DIR = `${GEOSERVER_DATA_DIR}/gwc`;

/** Where GeoStack's entrypoint and the password files go in the container (uploads, also in GeoStack's image). */
export const GEOSTACK_ENTRYPOINT = "/opt/geostack/entrypoint.sh";
export const ADMIN_PASSWORD_FILE = "/opt/geostack/secrets/geoserver-admin-password";
export const DATABASE_PASSWORD_FILE = "/opt/geostack/secrets/database-password";

export interface GeoserverEnvArgs {
    /** Public base URL without the context path, e.g. `https://maps.example.org`. */
    publicUrl: string;
    domain: string;
    adminUser: string;
    database: { host: string; port: number; name: string; user: string };
    /** The container's memory limit, which the JVM is sized to fit. */
    memoryMb: number;
}

/** What the JVM may use of the container's memory limit, in MiB. */
export interface JvmMemory {
    heap: number;
    metaspace: number;
    directMemory: number;
}

/**
 * Half the limit for the heap (all but 1.5 GiB of large limits), and caps on what else grows: class metadata (uncapped by
 * default) and NIO buffers, which the JVM would otherwise let grow as large as the heap. The rest is for
 * compiled code, thread stacks, the garbage collector and native code (fonts, image I/O). A JVM that outgrows the limit
 * is killed by the kernel, not told; one that outgrows its own caps gets an OutOfMemoryError and exits.
 */
export function jvmMemory(limitMb: number): JvmMemory {
    return {
        heap: Math.max(Math.floor(limitMb / 2), limitMb - 1536),
        metaspace: 256,
        directMemory: Math.min(256, Math.max(64, Math.floor(limitMb / 10))),
    };
}

export function jvmOptions(limitMb: number): string {
    const memory = jvmMemory(limitMb);
    return [
        `-Xmx${memory.heap}m`,
        `-XX:MaxMetaspaceSize=${memory.metaspace}m`,
        `-XX:MaxDirectMemorySize=${memory.directMemory}m`,
        // A JVM out of memory is broken; exiting lets the restart policy start a fresh one.
        "-XX:+ExitOnOutOfMemoryError",
    ].join(" ");
}

/**
 * The official GeoServer image's environment: behind a proxy, with the JNDI pool `jdbc/postgres` to PostGIS (its
 * server.xml template always declares it, from the POSTGRES_* variables), no demo data. No password: those are files,
 * which GeoStack's entrypoint reads (images/geoserver/geostack-entrypoint.sh).
 */
export function geoserverEnv(args: GeoserverEnvArgs): string[] {
    return [
        `PROXY_BASE_URL=${args.publicUrl}${GEOSERVER_CONTEXT_PATH}`,
        // Without it the admin UI rejects every form posted through the proxy ("Origin does not correspond to request").
        `GEOSERVER_CSRF_WHITELIST=${args.domain}`,
        "SKIP_DEMO_DATA=true",
        `GEOSERVER_ADMIN_USER=${args.adminUser}`,
        `GEOSERVER_ADMIN_PASSWORD_FILE=${ADMIN_PASSWORD_FILE}`,
        `POSTGRES_HOST=${args.database.host}`,
        `POSTGRES_PORT=${args.database.port}`,
        `POSTGRES_DB=${args.database.name}`,
        `POSTGRES_USERNAME=${args.database.user}`,
        `POSTGRES_PASSWORD_FILE=${DATABASE_PASSWORD_FILE}`,
        `POSTGRES_JNDI_RESOURCE_NAME=${JNDI_RESOURCE}`,
        // Read by GeoWebCache's DefaultStorageFinder and GeoServer's GeoserverXMLResourceProvider (environment variables).
        `GEOWEBCACHE_CACHE_DIR=${TILE_CACHE_DIR}`,
        `GEOWEBCACHE_CONFIG_DIR=${GWC_CONFIG_DIR}`,
        // CORS is traefik's, on the public router only (routes.ts): the image's filter would answer on every path, the
        // admin ones too, and a second Access-Control-Allow-Origin breaks browsers.
        "CORS_ENABLED=false",
        `GEOSTACK_SEED=${GEOSTACK_SEED}`,
        // Replaces the image's fixed -Xms256m -Xmx1g, which ignores the container's memory limit.
        `EXTRA_JAVA_OPTS=${jvmOptions(args.memoryMb)}`,
    ];
}
