/** Pure builders of the traefik docker-provider labels GeoStack puts on routed containers. */

export const GEOSERVER_CONTEXT_PATH = "/geoserver";
export const GEOSERVER_PORT = 8080;

export interface RouteLabelArgs {
    /** Router and service name; unique per stack so two stacks behind one traefik never collide. */
    routerName: string;
    domain: string;
    /** The network traefik reaches the container on (the container may be on several). */
    proxyNetworkName: string;
    entrypoint: string;
}

/** Routes `Host(domain) && PathPrefix(/geoserver)` on the entrypoint to GeoServer's port 8080. */
export function geoserverRouteLabels(args: RouteLabelArgs): Record<string, string> {
    const router = `traefik.http.routers.${args.routerName}`;
    const service = `traefik.http.services.${args.routerName}`;
    return {
        "traefik.enable": "true",
        "traefik.docker.network": args.proxyNetworkName,
        [`${router}.rule`]: `Host(\`${args.domain}\`) && PathPrefix(\`${GEOSERVER_CONTEXT_PATH}\`)`,
        [`${router}.entrypoints`]: args.entrypoint,
        [`${router}.service`]: args.routerName,
        [`${service}.loadbalancer.server.port`]: String(GEOSERVER_PORT),
    };
}
