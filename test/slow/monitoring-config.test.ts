// The monitoring's generated files, read by the real programs from Debian's packages (.ci/install-monitoring.sh):
// promtool checks the Prometheus config and rules and runs unit tests of every alert with series that fire it and
// series that do not; amtool checks Alertmanager's config for both receivers; blackbox_exporter checks its modules.
// Without the programs the suite is skipped, unless GEOSTACK_REQUIRE_MONITORING=1 (CI), where it fails instead.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
    ALERT_THRESHOLDS,
    ALERTMANAGER_SECRET_PATH,
    alertmanagerConfig,
    alertRules,
    blackboxConfig,
    PROMETHEUS_RULES_PATH,
    prometheusConfig,
} from "../../components/monitoring/config";

const has = (program: string) => spawnSync("sh", ["-c", `command -v ${program}`]).status === 0;
const programs = ["promtool", "amtool", "prometheus-blackbox-exporter"];
const missing = programs.filter((p) => !has(p));
if (missing.length > 0 && process.env.GEOSTACK_REQUIRE_MONITORING === "1") throw new Error(`missing ${missing.join(", ")}: run .ci/install-monitoring.sh`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-monitoring-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
}

function run(cmd: string, args: string[]) {
    const r = spawnSync(cmd, args, { encoding: "utf8", cwd: dir, timeout: 30_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const rulesFile = PROMETHEUS_RULES_PATH.split("/").pop()!;
const probeUrl = "https://traefik/geoserver/ows?service=WMS&version=1.3.0&request=GetCapabilities";

/** One alert unit test: `series` over `minutes`, and the alerts expected at the end (none: it must not fire). */
interface Case {
    name: string;
    series: { series: string; values: string }[];
    alert: string;
    at: string;
    fires: Record<string, string>[];
}

const day = 86400;
// promtool's time() starts at 0: an expiry timestamp of N days is N days away.
const cases: Case[] = [
    {
        name: "WMS probe failing",
        alert: "GeoServerDown",
        at: "10m",
        series: [{ series: 'probe_success{job="wms",instance="i"}', values: "0x20" }],
        fires: [{ job: "wms", instance: "i" }],
    },
    {
        name: "WMS probe recovering",
        alert: "GeoServerDown",
        at: "10m",
        series: [{ series: 'probe_success{job="wms",instance="i"}', values: "0x15 1x5" }],
        fires: [],
    },
    {
        name: "WMS slow",
        alert: "GeoServerSlow",
        at: "15m",
        series: [{ series: 'probe_duration_seconds{job="wms",instance="i"}', values: `${ALERT_THRESHOLDS.slowProbeSeconds + 1}x40` }],
        fires: [{ job: "wms", instance: "i" }],
    },
    {
        name: "WMS fast",
        alert: "GeoServerSlow",
        at: "15m",
        series: [{ series: 'probe_duration_seconds{job="wms",instance="i"}', values: "0.3x40" }],
        fires: [],
    },
    {
        name: "certificate in 10 days",
        alert: "CertificateExpiresSoon",
        at: "2h",
        series: [{ series: 'probe_ssl_earliest_cert_expiry{job="wms",instance="i"}', values: `${10 * day}x300` }],
        fires: [{ job: "wms", instance: "i" }],
    },
    {
        name: "certificate in 60 days",
        alert: "CertificateExpiresSoon",
        at: "2h",
        series: [{ series: 'probe_ssl_earliest_cert_expiry{job="wms",instance="i"}', values: `${60 * day}x300` }],
        fires: [],
    },
    {
        name: "volume 95% full",
        alert: "VolumeFillingUp",
        at: "20m",
        series: [
            { series: 'node_filesystem_avail_bytes{job="volumes",mountpoint="/volumes/p-postgis17-data"}', values: "5x60" },
            { series: 'node_filesystem_size_bytes{job="volumes",mountpoint="/volumes/p-postgis17-data"}', values: "100x60" },
        ],
        fires: [{ job: "volumes", mountpoint: "/volumes/p-postgis17-data" }],
    },
    {
        name: "volume half full",
        alert: "VolumeFillingUp",
        at: "20m",
        series: [
            { series: 'node_filesystem_avail_bytes{job="volumes",mountpoint="/volumes/p-postgis17-data"}', values: "50x60" },
            { series: 'node_filesystem_size_bytes{job="volumes",mountpoint="/volumes/p-postgis17-data"}', values: "100x60" },
        ],
        fires: [],
    },
    {
        name: "10% of a router's requests fail",
        alert: "HttpErrorsSpike",
        at: "20m",
        series: [
            { series: 'traefik_router_requests_total{router="r",code="200"}', values: "0+90x60" },
            { series: 'traefik_router_requests_total{router="r",code="502"}', values: "0+10x60" },
        ],
        fires: [{ router: "r" }],
    },
    {
        name: "1% of a router's requests fail",
        alert: "HttpErrorsSpike",
        at: "20m",
        series: [
            { series: 'traefik_router_requests_total{router="r",code="200"}', values: "0+99x60" },
            { series: 'traefik_router_requests_total{router="r",code="502"}', values: "0+1x60" },
        ],
        fires: [],
    },
    {
        name: "database unreachable",
        alert: "DatabaseDown",
        at: "10m",
        series: [{ series: 'pg_up{job="postgres",instance="e"}', values: "0x20" }],
        fires: [{ job: "postgres", instance: "e" }],
    },
    { name: "database up", alert: "DatabaseDown", at: "10m", series: [{ series: 'pg_up{job="postgres",instance="e"}', values: "1x20" }], fires: [] },
    {
        name: "exporter down",
        alert: "MonitoringTargetDown",
        at: "15m",
        series: [{ series: 'up{job="volumes",instance="n"}', values: "0x40" }],
        fires: [{ job: "volumes", instance: "n" }],
    },
    { name: "exporter up", alert: "MonitoringTargetDown", at: "15m", series: [{ series: 'up{job="volumes",instance="n"}', values: "1x40" }], fires: [] },
];

describe.skipIf(missing.length > 0)("monitoring configuration under Debian's promtool, amtool and blackbox_exporter", () => {
    it("promtool accepts the Prometheus config and its rules, with and without TLS", () => {
        for (const tls of [false, true]) {
            write(rulesFile, alertRules({ tls }));
            const config = write("prometheus.yml", prometheusConfig({ probeUrl }));
            const checked = run("promtool", ["check", "config", config]);
            expect(checked.output).toContain("SUCCESS");
            expect(checked.status, checked.output).toBe(0);
            const rules = run("promtool", ["check", "rules", rulesFile]);
            expect(rules.output).toContain(`SUCCESS: ${tls ? 7 : 6} rules found`);
        }
    });

    it("every alert fires on series that should fire it and stays quiet on series that should not", () => {
        write(rulesFile, alertRules({ tls: true }));
        const tests = {
            rule_files: [rulesFile],
            evaluation_interval: "30s",
            tests: cases.map((c) => ({
                interval: "30s",
                input_series: c.series,
                alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: [] as object[] }],
            })),
        };
        // Severity and the summary are part of a firing alert: taken from the rule, the summary's {{ $labels.x }} filled in.
        const rules = JSON.parse(alertRules({ tls: true })).groups[0].rules as {
            alert: string;
            labels: { severity: string };
            annotations: { summary: string };
        }[];
        for (const [i, test] of tests.tests.entries()) {
            const rule = rules.find((r) => r.alert === cases[i].alert)!;
            test.alert_rule_test[0].exp_alerts = cases[i].fires.map((labels) => ({
                exp_labels: { ...labels, severity: rule.labels.severity },
                exp_annotations: { summary: rule.annotations.summary.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, key) => labels[key]) },
            }));
        }
        const testFile = write("rules.test.yml", JSON.stringify(tests));
        const result = run("promtool", ["test", "rules", testFile]);
        expect(result.output, result.output).toContain("SUCCESS");
        expect(result.status).toBe(0);
        // Every alert is tested both ways.
        for (const rule of rules) {
            expect(
                cases.some((c) => c.alert === rule.alert && c.fires.length > 0),
                rule.alert,
            ).toBe(true);
            expect(
                cases.some((c) => c.alert === rule.alert && c.fires.length === 0),
                rule.alert,
            ).toBe(true);
        }
    });

    it("promtool test rules fails when a quiet case is said to fire (the harness can fail)", () => {
        write(rulesFile, alertRules({ tls: true }));
        const wrong = {
            rule_files: [rulesFile],
            tests: [
                {
                    interval: "30s",
                    input_series: [{ series: 'pg_up{job="postgres",instance="e"}', values: "1x20" }],
                    alert_rule_test: [
                        { eval_time: "10m", alertname: "DatabaseDown", exp_alerts: [{ exp_labels: { severity: "critical", job: "postgres", instance: "e" } }] },
                    ],
                },
            ],
        };
        expect(run("promtool", ["test", "rules", write("wrong.test.yml", JSON.stringify(wrong))]).status).not.toBe(0);
    });

    it("amtool accepts Alertmanager's config for an e-mail and a webhook receiver, the secret read from a file", () => {
        for (const receiver of [
            { kind: "email" as const, to: "gis-team@example.org", from: "geostack@example.org", smarthost: "smtp.example.org:587", username: "geostack" },
            { kind: "webhook" as const, url: "https://hooks.example.org/services/T000/B000/XXXX" },
        ]) {
            const text = alertmanagerConfig(receiver);
            // The SMTP password stays in its own file; the webhook's URL is in this (secret) file.
            if (receiver.kind === "email") expect(text).toContain(ALERTMANAGER_SECRET_PATH);
            const result = run("amtool", ["check-config", write(`alertmanager-${receiver.kind}.yml`, text)]);
            expect(result.output).toContain("SUCCESS");
            expect(result.status, result.output).toBe(0);
        }
    });

    it("blackbox_exporter accepts its probe module, with and without TLS", () => {
        for (const tls of [false, true]) {
            const file = write("blackbox.yml", blackboxConfig({ domain: "maps.example.org", tls }));
            const result = run("prometheus-blackbox-exporter", [`--config.file=${file}`, "--config.check"]);
            expect(result.status, result.output).toBe(0);
        }
    });
});
