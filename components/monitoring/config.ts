/**
 * Pure builders of the monitoring's configuration files: Prometheus's scrape config and alert rules, Alertmanager's
 * routing, the blackbox exporter's probe modules. No Pulumi import: the tests run Debian's promtool, amtool and
 * blackbox_exporter on exactly these files. Each is JSON, which is YAML too (Prometheus and friends read YAML).
 */

import { MONITOR_DATABASE, MONITOR_DB_ROLE } from "../postgis/monitor-role";

/** Host names on the monitoring network (container aliases) and the exporters' own ports. */
export const MONITORING_HOSTS = {
    prometheus: "prometheus:9090",
    alertmanager: "alertmanager:9093",
    postgresExporter: "postgres-exporter:9187",
    blackbox: "blackbox:9115",
    nodeExporter: "node-exporter:9100",
    /** traefik joins the monitoring network with this alias; its metrics entrypoint is never published. */
    traefikMetrics: "traefik:8082",
} as const;

/** Where the data volumes are mounted (read-only) in the node exporter: `/volumes/<volume name>`. */
export const VOLUMES_MOUNT_ROOT = "/volumes";
export const PROMETHEUS_CONFIG_PATH = "/etc/prometheus/prometheus.yml";
export const PROMETHEUS_RULES_PATH = "/etc/prometheus/geostack-rules.yml";
export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
export const ALERTMANAGER_SECRET_PATH = "/etc/alertmanager/receiver-secret";
export const BLACKBOX_CONFIG_PATH = "/etc/blackbox_exporter/config.yml";

/** The thresholds of the alerts, in one place (the docs and the rule tests read them from here). */
export const ALERT_THRESHOLDS = {
    /** A WMS GetCapabilities slower than this (seconds) for 10 minutes is "slow". */
    slowProbeSeconds: 5,
    /** Days before the certificate's expiry when the alert fires (Let's Encrypt renews 30 days before). */
    certificateDays: 14,
    /** Free share of a data volume's filesystem below which the alert fires. */
    diskFreeRatio: 0.1,
    /** Share of 5xx responses of a router, over 5 minutes, above which the alert fires. */
    errorRatio: 0.05,
} as const;

export interface PrometheusConfigArgs {
    /** The URL blackbox probes for WMS GetCapabilities, through traefik on the monitoring network. */
    probeUrl: string;
}

/** Query of the WMS capabilities document, as a GIS client asks for it. */
export const WMS_CAPABILITIES_QUERY = "service=WMS&version=1.3.0&request=GetCapabilities";

export function prometheusConfig(args: PrometheusConfigArgs): string {
    const job = (name: string, target: string, extra: object = {}) => ({ job_name: name, static_configs: [{ targets: [target] }], ...extra });
    return `${JSON.stringify(
        {
            global: { scrape_interval: "30s", evaluation_interval: "30s" },
            // Relative to this file's directory, as Prometheus resolves it (so promtool checks both files side by side).
            rule_files: [PROMETHEUS_RULES_PATH.split("/").pop()],
            alerting: { alertmanagers: [{ static_configs: [{ targets: [MONITORING_HOSTS.alertmanager] }] }] },
            scrape_configs: [
                job("prometheus", MONITORING_HOSTS.prometheus),
                job("alertmanager", MONITORING_HOSTS.alertmanager),
                job("traefik", MONITORING_HOSTS.traefikMetrics),
                job("postgres", MONITORING_HOSTS.postgresExporter),
                job("volumes", MONITORING_HOSTS.nodeExporter, {
                    // The node exporter also sees its own /etc/hosts and the like: only the data volumes' mounts are kept.
                    metric_relabel_configs: [
                        { source_labels: ["__name__", "mountpoint"], regex: `node_filesystem_[a-z_]+;${VOLUMES_MOUNT_ROOT}/.+`, action: "keep" },
                    ],
                }),
                {
                    // blackbox_exporter's multi-target pattern: the probed URL goes as ?target=, the exporter is scraped.
                    job_name: "wms",
                    metrics_path: "/probe",
                    params: { module: ["wms_capabilities"] },
                    static_configs: [{ targets: [args.probeUrl] }],
                    relabel_configs: [
                        { source_labels: ["__address__"], target_label: "__param_target" },
                        { source_labels: ["__param_target"], target_label: "instance" },
                        { target_label: "__address__", replacement: MONITORING_HOSTS.blackbox },
                    ],
                },
            ],
        },
        null,
        2,
    )}\n`;
}

export interface BlackboxConfigArgs {
    /** The public host name: the Host header and the TLS server name the probe sends to traefik. */
    domain: string;
    tls: boolean;
}

/**
 * One module: GET the capabilities through traefik, as a client of `domain` (Host header, SNI), expect 200 and a
 * WMS_Capabilities document. With TLS the certificate is verified against the system's CAs, so the probe also yields
 * probe_ssl_earliest_cert_expiry of the very certificate users get.
 */
export function blackboxConfig(args: BlackboxConfigArgs): string {
    return `${JSON.stringify(
        {
            modules: {
                wms_capabilities: {
                    prober: "http",
                    timeout: "15s",
                    http: {
                        method: "GET",
                        valid_status_codes: [200],
                        headers: { Host: args.domain },
                        fail_if_body_not_matches_regexp: ["WMS_Capabilities"],
                        ...(args.tls ? { fail_if_not_ssl: true, tls_config: { server_name: args.domain } } : {}),
                    },
                },
            },
        },
        null,
        2,
    )}\n`;
}

interface Rule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning" };
    annotations: { summary: string };
}

/** The alerts a small GIS team needs before its users tell it; `tls` adds the certificate's. */
export function alertRules(args: { tls: boolean }): string {
    const t = ALERT_THRESHOLDS;
    const rules: Rule[] = [
        {
            alert: "GeoServerDown",
            expr: 'probe_success{job="wms"} == 0',
            for: "5m",
            labels: { severity: "critical" },
            annotations: { summary: "WMS GetCapabilities through traefik has failed for 5 minutes ({{ $labels.instance }})" },
        },
        {
            alert: "GeoServerSlow",
            expr: `probe_duration_seconds{job="wms"} > ${t.slowProbeSeconds}`,
            for: "10m",
            labels: { severity: "warning" },
            annotations: { summary: `WMS GetCapabilities takes more than ${t.slowProbeSeconds} s ({{ $labels.instance }})` },
        },
        {
            alert: "HttpErrorsSpike",
            // Routers with traffic only: a router nobody calls has no error ratio.
            expr: `sum by (router) (rate(traefik_router_requests_total{code=~"5.."}[5m])) / sum by (router) (rate(traefik_router_requests_total[5m]) > 0) > ${t.errorRatio}`,
            for: "10m",
            labels: { severity: "warning" },
            annotations: { summary: `More than ${t.errorRatio * 100}% of the requests to {{ $labels.router }} fail with 5xx` },
        },
        {
            alert: "VolumeFillingUp",
            expr: `node_filesystem_avail_bytes{job="volumes"} / node_filesystem_size_bytes{job="volumes"} < ${t.diskFreeRatio}`,
            for: "15m",
            labels: { severity: "warning" },
            annotations: { summary: `Less than ${t.diskFreeRatio * 100}% free on the filesystem holding {{ $labels.mountpoint }}` },
        },
        {
            alert: "DatabaseDown",
            expr: 'pg_up{job="postgres"} == 0',
            for: "5m",
            labels: { severity: "critical" },
            annotations: { summary: "postgres_exporter cannot reach PostGIS" },
        },
        {
            alert: "MonitoringTargetDown",
            expr: "up == 0",
            for: "10m",
            labels: { severity: "warning" },
            annotations: { summary: "Prometheus cannot scrape {{ $labels.job }} ({{ $labels.instance }})" },
        },
    ];
    if (args.tls) {
        rules.push({
            alert: "CertificateExpiresSoon",
            expr: `probe_ssl_earliest_cert_expiry{job="wms"} - time() < ${t.certificateDays} * 86400`,
            for: "1h",
            labels: { severity: "critical" },
            annotations: { summary: `The certificate served for {{ $labels.instance }} expires in less than ${t.certificateDays} days` },
        });
    }
    return `${JSON.stringify({ groups: [{ name: "geostack", rules }] }, null, 2)}\n`;
}

export type AlertReceiver = { kind: "email"; to: string; from: string; smarthost: string; username?: string } | { kind: "webhook"; url: string };

/**
 * Alertmanager's routing: every alert to the one receiver. The SMTP password is read from ALERTMANAGER_SECRET_PATH;
 * the webhook URL (which often carries a token) is in this file, which is therefore uploaded as a secret, 0400:
 * `url_file` needs Alertmanager 0.26 or later, and Debian's amtool (0.25), which checks this file, refuses it.
 */
export function alertmanagerConfig(receiver: AlertReceiver): string {
    const receiverConfig =
        receiver.kind === "webhook"
            ? { webhook_configs: [{ url: receiver.url, send_resolved: true }] }
            : {
                  email_configs: [
                      {
                          to: receiver.to,
                          from: receiver.from,
                          smarthost: receiver.smarthost,
                          require_tls: true,
                          send_resolved: true,
                          ...(receiver.username === undefined ? {} : { auth_username: receiver.username, auth_password_file: ALERTMANAGER_SECRET_PATH }),
                      },
                  ],
              };
    return `${JSON.stringify(
        {
            route: { receiver: "team", group_by: ["alertname"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
            receivers: [{ name: "team", ...receiverConfig }],
        },
        null,
        2,
    )}\n`;
}

/**
 * postgres_exporter's environment: user and password file rather than a DSN with the password in it
 * (postgres_exporter README: DATA_SOURCE_URI, DATA_SOURCE_USER, DATA_SOURCE_PASS_FILE). The connection is on the
 * internal backend network, where PostgreSQL's image listens without TLS.
 */
export function postgresExporterEnv(args: { host: string; passwordFile: string }): string[] {
    return [
        `DATA_SOURCE_URI=${args.host}/${MONITOR_DATABASE}?sslmode=disable`,
        `DATA_SOURCE_USER=${MONITOR_DB_ROLE}`,
        `DATA_SOURCE_PASS_FILE=${args.passwordFile}`,
    ];
}
