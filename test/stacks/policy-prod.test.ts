import { beforeAll, describe, expect, it } from "vitest";
import { deployStack } from "../support/harness";
import { type AnalyzedResource, added, analyze, analyzed, brief, type PackConfig, planted, readPackConfig, type Violation } from "../support/policy";

// The policy pack's rules on the prod stack exactly as committed: each resource's inputs as the program registered them
// (what the engine's Analyze sends) and its state (what AnalyzeStack sends), with policy/config.prod.json.
let resources: AnalyzedResource[];
let baseline: Violation[];
const config = () => readPackConfig("prod");
beforeAll(async () => {
    resources = analyzed((await deployStack("prod")).mocks.resources);
    baseline = analyze(resources, config()).violations;
});

const DIGEST = "a".repeat(64);
const ports =
    (...list: Record<string, unknown>[]) =>
    (props: Record<string, any>) => {
        props.ports = list;
    };
const addPort = (port: Record<string, unknown>) => (props: Record<string, any>) => {
    props.ports = [...(props.ports ?? []), port];
};
const addEnv = (entry: string) => (props: Record<string, any>) => {
    props.envs = [...(props.envs ?? []), entry];
};
const role = (r: AnalyzedResource) => r.inputs.labels?.find((l: { label: string }) => l.label === "geostack.role")?.value;

describe("prod stack under the policy pack", () => {
    it("passes every rule, no-secrets-in-env included: every password reaches its container as a file", () => {
        expect(brief(baseline)).toEqual([]);
    });

    it("is checked on the stack's real resources: six containers, three networks, six volumes (the backup's included)", () => {
        const count = (type: string) => resources.filter((r) => r.type === type).length;
        expect([count("docker:index/container:Container"), count("docker:index/network:Network"), count("docker:index/volume:Volume")]).toEqual([6, 3, 6]);
        expect(
            resources
                .filter((r) => r.type === "docker:index/container:Container")
                .map(role)
                .sort(),
        ).toEqual(["backup", "backup-files", "docker-socket-proxy", "geoserver", "postgis", "traefik"]);
    });
});

// Each planted fault must add exactly one finding, of its own rule, on the resource it was planted in.
const faults: [string, string, string, (props: Record<string, any>, resource: AnalyzedResource) => void][] = [
    ["the database published on every IPv4 interface", "no-public-ports", "geostack-postgis", ports({ internal: 5432, external: 5432, ip: "0.0.0.0" })],
    ["the database published on every IPv6 interface", "no-public-ports", "geostack-postgis", ports({ internal: 5432, external: 5432, ip: "::" })],
    ["the database published without an address", "no-public-ports", "geostack-postgis", ports({ internal: 5432, external: 5432 })],
    ["the database published on a LAN address", "no-public-ports", "geostack-postgis", ports({ internal: 5432, external: 5432, ip: "192.168.1.10" })],
    ["traefik's unprotected API entrypoint published", "no-public-ports", "geostack-traefik", addPort({ internal: 8080, external: 8080, ip: "0.0.0.0" })],
    ["traefik's 443 on a random host port", "no-public-ports", "geostack-traefik", ports({ internal: 443, ip: "0.0.0.0" })],
    ["GeoServer publishing 80 like the edge, without being it", "no-public-ports", "geostack-geoserver", ports({ internal: 80, external: 80, ip: "0.0.0.0" })],
    [
        "GeoServer on the host's network",
        "no-public-ports",
        "geostack-geoserver",
        (p) => {
            p.networkMode = "host";
        },
    ],
    [
        "the backend network not internal",
        "backend-networks-internal",
        "geostack-backend",
        (p) => {
            p.internal = false;
        },
    ],
    [
        "the Docker API network without internal",
        "backend-networks-internal",
        "geostack-traefik-docker-socket-proxy-network",
        (p) => {
            delete p.internal;
        },
    ],
    [
        "PostGIS also on the proxy network, beside traefik",
        "backend-containers-on-internal-networks",
        "geostack-postgis",
        (p) => {
            p.networksAdvanced = [...p.networksAdvanced, { name: "geostack-prod-proxy" }];
        },
    ],
    [
        "the socket proxy left on Docker's default bridge",
        "backend-containers-on-internal-networks",
        "geostack-traefik-docker-socket-proxy",
        (p) => {
            delete p.networksAdvanced;
        },
    ],
    [
        "GeoServer mounting the Docker socket",
        "docker-socket-only-in-proxy",
        "geostack-geoserver",
        (p) => {
            p.volumes = [...p.volumes, { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }];
        },
    ],
    [
        "traefik bind-mounting /run, which holds the socket",
        "docker-socket-only-in-proxy",
        "geostack-traefik",
        (p) => {
            p.mounts = [{ type: "bind", source: "/run/", target: "/host-run", readOnly: true }];
        },
    ],
    [
        "GeoServer without a memory limit",
        "memory-limits",
        "geostack-geoserver",
        (p) => {
            p.memory = 0;
        },
    ],
    [
        "PostGIS without no-new-privileges",
        "no-new-privileges",
        "geostack-postgis",
        (p) => {
            p.securityOpts = [];
        },
    ],
    [
        "a privileged traefik",
        "no-new-privileges",
        "geostack-traefik",
        (p) => {
            p.privileged = true;
        },
    ],
    [
        "traefik run by tag",
        "images-pinned",
        "geostack-traefik",
        (p) => {
            p.image = "traefik:v3.6.26";
        },
    ],
    [
        "GeoServer run by a tag that looks like a digest",
        "images-pinned",
        "geostack-geoserver",
        (p) => {
            p.image = "ghcr.io/example-org/geoserver:sha256-abc";
        },
    ],
    [
        "the database volume unprotected",
        "protected-data-volumes",
        "geostack-postgis-data-pg17",
        (_, r) => {
            r.protect = false;
        },
    ],
    ["a DNS API token in traefik's env", "no-secrets-in-env", "geostack-traefik", addEnv("CF_DNS_API_TOKEN=0123456789")],
    ["a password inside a connection string", "no-secrets-in-env", "geostack-geoserver", addEnv("DATABASE_URL=postgresql://geoserver:hunter22@postgis/gis")],
    [
        "GeoServer's logs unrotated",
        "log-rotation",
        "geostack-geoserver",
        (p) => {
            p.logDriver = "json-file";
        },
    ],
];

describe("a fault planted in prod fails exactly its rule", () => {
    it.each(faults)("%s: %s", (_, rule, resource, change) => {
        const after = analyze(planted(resources, resource, change), config()).violations;
        expect(added(baseline, after)).toEqual([`${rule} ${resource}`]);
        const finding = after.find((v) => v.policy === rule && v.resource === resource)!;
        expect(finding.level).toBe(rule === "log-rotation" ? "advisory" : "mandatory");
    });

    it("names the key, never the value, of a secret in env", () => {
        const after = analyze(
            planted(resources, "geostack-geoserver", addEnv("DATABASE_URL=postgresql://geoserver:hunter22@postgis/gis")),
            config(),
        ).violations;
        const messages = after.filter((v) => v.policy === "no-secrets-in-env").map((v) => v.message);
        expect(messages.join("\n")).toContain("DATABASE_URL");
        expect(messages.join("\n")).not.toContain("hunter22");
        const passwords = resources.flatMap((r) => (r.type === "random:index/randomPassword:RandomPassword" ? [r.outputs.result] : []));
        expect(passwords).toHaveLength(4);
        for (const password of passwords) expect(messages.join("\n")).not.toContain(password);
    });
});

// What the rules must let through: the edge's dual-stack ports, loopback in every spelling, secrets as files.
const allowed: [string, string, (props: Record<string, any>) => void][] = [
    [
        "traefik's 80/443 on IPv4 and IPv6",
        "geostack-traefik",
        ports(
            { internal: 80, external: 80, ip: "0.0.0.0" },
            { internal: 443, external: 443, ip: "0.0.0.0" },
            { internal: 80, external: 80, ip: "::" },
            { internal: 443, external: 443, ip: "::" },
        ),
    ],
    ["traefik's 80/443 without an address", "geostack-traefik", ports({ internal: 80, external: 80 }, { internal: 443, external: 443, ip: "" })],
    [
        "the database on loopback, IPv4 and IPv6",
        "geostack-postgis",
        ports(
            { internal: 5432, external: 15432, ip: "127.0.0.1" },
            { internal: 5432, external: 15432, ip: "::1" },
            { internal: 5432, external: 15433, ip: "127.0.0.2" },
        ),
    ],
    ["a password handed over as a file", "geostack-geoserver", addEnv("GEOSERVER_ADMIN_PASSWORD_FILE=/run/secrets/geoserver-admin")],
    [
        "no-new-privileges spelt without a value",
        "geostack-postgis",
        (p) => {
            p.securityOpts = ["no-new-privileges"];
        },
    ],
    [
        "an image by digest",
        "geostack-traefik",
        (p) => {
            p.image = `traefik:v3.6.26@sha256:${DIGEST}`;
        },
    ],
    [
        "logs shipped by journald",
        "geostack-geoserver",
        (p) => {
            p.logDriver = "journald";
            p.logOpts = {};
        },
    ],
];

describe("prod variants the rules allow", () => {
    it.each(allowed)("%s", (_, resource, change) => {
        expect(added(baseline, analyze(planted(resources, resource, change), config()).violations)).toEqual([]);
    });
});

describe("policy config relaxes a rule per stack", () => {
    const publicDatabase = () => planted(resources, "geostack-postgis", ports({ internal: 5432, external: 5432, ip: "0.0.0.0" }));
    const findings = (list: AnalyzedResource[], packConfig: PackConfig) => analyze(list, packConfig).violations.filter((v) => v.policy === "no-public-ports");

    it("to advisory (reported, not blocking) or disabled (not run)", () => {
        expect(findings(publicDatabase(), { ...config(), "no-public-ports": "advisory" }).map((v) => v.level)).toEqual(["advisory"]);
        expect(findings(publicDatabase(), { ...config(), "no-public-ports": "disabled" })).toEqual([]);
        expect(findings(publicDatabase(), { ...config(), all: "advisory" }).map((v) => v.level)).toEqual(["advisory"]);
    });

    it("with properties: other edge host ports, keys that only look secret, volumes that may go", () => {
        const edgeOn8443 = planted(
            resources,
            "geostack-traefik",
            ports({ internal: 80, external: 8080, ip: "0.0.0.0" }, { internal: 443, external: 8443, ip: "0.0.0.0" }),
        );
        expect(findings(edgeOn8443, config())).toHaveLength(2);
        expect(findings(edgeOn8443, { ...config(), "no-public-ports": { edgeHostPorts: [8080, 8443] } })).toEqual([]);

        const keyName = planted(resources, "geostack-traefik", addEnv("TRAEFIK_KEY_TYPE=EC256"));
        expect(added(baseline, analyze(keyName, config()).violations)).toEqual(["no-secrets-in-env geostack-traefik"]);
        expect(added(baseline, analyze(keyName, { ...config(), "no-secrets-in-env": { allowedKeys: ["TRAEFIK_KEY_TYPE"] } }).violations)).toEqual([]);

        const unprotectedAcme = planted(resources, "geostack-traefik-acme", (_, r) => {
            r.protect = false;
        });
        const relaxed: PackConfig = {
            ...config(),
            "protected-data-volumes": { unprotectedVolumes: ["geostack-prod-geoserver-tiles", "geostack-prod-backup-files", "geostack-prod-traefik-acme"] },
        };
        expect(added(baseline, analyze(unprotectedAcme, relaxed).violations)).toEqual([]);
        // The named volume only: the database volume stays guarded.
        const bothUnprotected = planted(unprotectedAcme, "geostack-postgis-data-pg17", (_, r) => {
            r.protect = false;
        });
        expect(added(baseline, analyze(bothUnprotected, relaxed).violations)).toEqual(["protected-data-volumes geostack-postgis-data-pg17"]);
    });
});
