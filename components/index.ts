export * from "./geostack";
export * from "./postgis";
export * from "./geoserver";
export * from "./geoserver-image";
export * from "./traefik";
export * from "./docker-socket-proxy";
export * from "./helpers/defaults";
