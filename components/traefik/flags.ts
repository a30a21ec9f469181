/** Pure builder of traefik's static configuration as command-line flags: no file on the Docker host. */
import { INSTANCE_LABEL } from "../shared/container";
import { ENTRYPOINTS } from "../shared/edge";

/** The certificate resolver every router on `websecure` gets its certificate from. */
export const ACME_RESOLVER = "letsencrypt";
/** On the ACME volume, so certificates survive a new container (Let's Encrypt rate limits last a week). */
export const ACME_STORAGE_DIR = "/letsencrypt";
export const LETS_ENCRYPT_CA = "https://acme-v02.api.letsencrypt.org/directory";
export const LETS_ENCRYPT_STAGING_CA = "https://acme-staging-v02.api.letsencrypt.org/directory";
/** Prometheus metrics are served here, on an entrypoint that is never published. */
export const METRICS_PORT = 8082;

export interface TraefikFlagArgs {
    /** The network traefik reaches routed containers on. */
    proxyNetworkName: string;
    /** The Docker API, e.g. `tcp://docker-socket-proxy:2375`: never the socket itself. */
    dockerEndpoint: string;
    /** The `geostack.instance` label of the containers traefik routes (its stack's `namePrefix`): it ignores every other. */
    instance: string;
    /** The Docker host's port the websecure entrypoint is published on, where :80 redirects to. */
    httpsPort: number;
    /** HTTPS on :443 with Let's Encrypt, and :80 redirecting to it. */
    tls: boolean;
    /** Let's Encrypt account e-mail; used when `tls`. */
    acmeEmail?: string;
    /** Let's Encrypt's staging CA (untrusted certificates, generous limits) instead of the production CA. */
    acmeStaging: boolean;
    /** Serves the dashboard through a router (never the insecure API port). */
    dashboard: boolean;
    /** Where routes come from: containers' labels on one Docker host (default), or services' labels in a swarm. */
    provider?: "docker" | "swarm";
}

export function traefikFlags(args: TraefikFlagArgs): string[] {
    const provider = args.provider ?? "docker";
    const tls = args.tls
        ? [
              `--entrypoints.${ENTRYPOINTS.websecure}.address=:443`,
              // To the host's port when it is not 443: the websecure entrypoint's own :443 is behind Docker's mapping.
              `--entrypoints.${ENTRYPOINTS.web}.http.redirections.entrypoint.to=${args.httpsPort === 443 ? ENTRYPOINTS.websecure : `:${args.httpsPort}`}`,
              `--entrypoints.${ENTRYPOINTS.web}.http.redirections.entrypoint.scheme=https`,
              `--entrypoints.${ENTRYPOINTS.web}.http.redirections.entrypoint.permanent=true`,
              // Every router on websecure gets TLS from this resolver, for the host names in its rule.
              `--entrypoints.${ENTRYPOINTS.websecure}.http.tls.certresolver=${ACME_RESOLVER}`,
              `--certificatesresolvers.${ACME_RESOLVER}.acme.email=${args.acmeEmail}`,
              `--certificatesresolvers.${ACME_RESOLVER}.acme.storage=${ACME_STORAGE_DIR}/acme.json`,
              `--certificatesresolvers.${ACME_RESOLVER}.acme.caserver=${args.acmeStaging ? LETS_ENCRYPT_STAGING_CA : LETS_ENCRYPT_CA}`,
              // TLS-ALPN-01 runs on :443 itself: nothing needs to answer on :80 but the redirect.
              `--certificatesresolvers.${ACME_RESOLVER}.acme.tlschallenge=true`,
          ]
        : [];
    return [
        `--entrypoints.${ENTRYPOINTS.web}.address=:80`,
        ...tls,
        `--entrypoints.metrics.address=:${METRICS_PORT}`,
        // traefik v3 has a provider of its own for Swarm (`providers.docker.swarmMode` stops it from starting), with the
        // same options; it reads the services' labels, not their containers' (traefik pkg/provider/docker/pswarm.go).
        `--providers.${provider}=true`,
        `--providers.${provider}.endpoint=${args.dockerEndpoint}`,
        // Only containers (services) labelled traefik.enable=true are routed; PostGIS never is.
        `--providers.${provider}.exposedbydefault=false`,
        `--providers.${provider}.network=${args.proxyNetworkName}`,
        // Another stack's containers on the same Docker host are not this traefik's to route. Label(`name`,`value`)
        // matches a label exactly (traefik pkg/provider/constraints, docs .../install-configuration/providers/docker.md).
        `--providers.${provider}.constraints=Label(\`${INSTANCE_LABEL}\`,\`${args.instance}\`)`,
        ...(args.dashboard ? ["--api.dashboard=true"] : []),
        // Answers the healthcheck on the internal `traefik` entrypoint (:8080), which is never published.
        "--ping=true",
        "--log.level=INFO",
        "--accesslog=true",
        // One JSON object per request on stdout: every field (ClientHost, RouterName, DownstreamStatus, Duration in ns,
        // ...) but no request or response header, so no Authorization or Cookie reaches a log (traefik
        // docs/content/observability/access-logs.md: fields.defaultmode keep, fields.headers.defaultmode drop).
        "--accesslog.format=json",
        "--accesslog.fields.defaultmode=keep",
        "--accesslog.fields.headers.defaultmode=drop",
        "--metrics.prometheus=true",
        "--metrics.prometheus.entrypoint=metrics",
        // Per-router request counts and durations (off by default), for the monitoring's error-rate and latency alerts.
        "--metrics.prometheus.addrouterslabels=true",
        "--global.checknewversion=false",
        "--global.sendanonymoususage=false",
    ];
}
