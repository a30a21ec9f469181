/** Pure builder of traefik's static configuration as command-line flags: no file on the Docker host. */

export interface TraefikFlagArgs {
    /** The network traefik reaches routed containers on. */
    proxyNetworkName: string;
}

export function traefikFlags(args: TraefikFlagArgs): string[] {
    return [
        "--entrypoints.web.address=:80",
        "--providers.docker=true",
        // Only containers labelled traefik.enable=true are routed; PostGIS never is.
        "--providers.docker.exposedbydefault=false",
        `--providers.docker.network=${args.proxyNetworkName}`,
        // Answers the healthcheck on the internal `traefik` entrypoint (:8080), which is never published.
        "--ping=true",
        "--log.level=INFO",
        "--accesslog=true",
        "--global.checknewversion=false",
        "--global.sendanonymoususage=false",
    ];
}
