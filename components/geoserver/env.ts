import { GEOSERVER_CONTEXT_PATH } from "./routes";

export interface GeoserverEnvArgs {
    /** Public base URL without the context path, e.g. `https://maps.example.org`. */
    publicUrl: string;
    domain: string;
    adminUser: string;
    adminPassword: string;
    database: { host: string; port: number; name: string; user: string; password: string };
    /** Share of the container memory limit the JVM heap may use. */
    maxRamPercentage: number;
}

/** The official GeoServer image's environment: behind a proxy, with JNDI to PostGIS, unprivileged, no demo data. */
export function geoserverEnv(args: GeoserverEnvArgs): string[] {
    return [
        `PROXY_BASE_URL=${args.publicUrl}${GEOSERVER_CONTEXT_PATH}`,
        // Without it the admin UI rejects every form posted through the proxy ("Origin does not correspond to request").
        `GEOSERVER_CSRF_WHITELIST=${args.domain}`,
        "SKIP_DEMO_DATA=true",
        `GEOSERVER_ADMIN_USER=${args.adminUser}`,
        `GEOSERVER_ADMIN_PASSWORD=${args.adminPassword}`,
        "POSTGRES_JNDI_ENABLED=true",
        `POSTGRES_HOST=${args.database.host}`,
        `POSTGRES_PORT=${args.database.port}`,
        `POSTGRES_DB=${args.database.name}`,
        `POSTGRES_USERNAME=${args.database.user}`,
        `POSTGRES_PASSWORD=${args.database.password}`,
        "POSTGRES_JNDI_RESOURCE_NAME=jdbc/postgres",
        "RUN_UNPRIVILEGED=true",
        // Replaces the image's fixed -Xmx1g, which ignores the container's memory limit.
        `EXTRA_JAVA_OPTS=-XX:MaxRAMPercentage=${args.maxRamPercentage} -XX:+UseContainerSupport`,
    ];
}
