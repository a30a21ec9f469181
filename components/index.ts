// The package's public API: the nine components, their args, the specs their args are checked by, and the defaults.
export { GeoStack, type GeoStackArgs, GEOSTACK_SPEC, geoStackProblems } from "./geostack";
export { GeoStackSwarm, type GeoStackSwarmArgs, GEOSTACK_SWARM_SPEC } from "./swarm/geostack-swarm";
export { Postgis, type PostgisArgs, POSTGIS_SPEC, POSTGIS_HOST_ALIAS } from "./postgis/postgis";
export { POSTGRES_PORT } from "./postgis/postgres";
export { GeoServer, type GeoServerArgs, GEOSERVER_SPEC, GEOSERVER_DATA_DIR, officialGeoserverImage } from "./geoserver/geoserver";
export { GeoServerImage, type GeoServerImageArgs, GEOSERVER_IMAGE_SPEC } from "./geoserver/image";
export { TraefikProxy, type TraefikProxyArgs, TRAEFIK_SPEC } from "./traefik/traefik";
export { DASHBOARD_USER } from "./traefik/dashboard";
export { DockerSocketProxy, type DockerSocketProxyArgs, DOCKER_SOCKET_PROXY_SPEC } from "./traefik/socket-proxy";
export { Backup, type BackupArgs, BACKUP_SPEC } from "./backup/backup";
export { OffsiteCopy, type OffsiteCopyArgs, OFFSITE_COPY_SPEC } from "./backup/offsite-copy";
export { InvalidInputError, type Arg, type Spec } from "./shared/args";
export * from "./defaults";
