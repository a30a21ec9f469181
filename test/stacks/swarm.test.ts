import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { isSecret, type RegisteredResource, reveal } from "../../tools/render/mocks";
import { render } from "../../tools/render/render";
import { deployStack, type Deployed, readYaml, secretValues } from "../support/harness";
import { NETWORK, VOLUME } from "../support/resources";
import { DEFAULT_DOCKER_SOCKET_PROXY_IMAGE } from "../../components/defaults";
import { DOCKER_API_PROXY_CONFIG_ENV, DOCKER_API_PROXY_ENTRYPOINT, dockerApiProxyConfig } from "../../components/traefik/socket-proxy";

const SERVICE = "docker:index/service:Service";
const SECRET = "docker:index/secret:Secret";
const SERVICE_CONFIG = "docker:index/serviceConfig:ServiceConfig";
const PROVIDER = "pulumi:providers:docker";
const PREFIX = "geostack-swarm";
const stackFile = readYaml("Pulumi.swarm.yaml").config;

// Pulumi.swarm.yaml exactly as committed, through index.ts: `geostack:platform: swarm` picks GeoStackSwarm.
let swarm: Deployed;
let warnings: string[];
beforeAll(async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    swarm = await deployStack("swarm");
    warnings = warn.mock.calls.map(([message]) => String(message));
});

const service = (role: string): RegisteredResource => swarm.mocks.get(SERVICE, `geostack-${role}`);
const spec = (role: string) => reveal(service(role).inputs.taskSpec);
const labelsOf = (r: RegisteredResource) =>
    Object.fromEntries(reveal<{ label: string; value: string }[]>(r.inputs.labels ?? []).map((l) => [l.label, l.value]));
const network = (suffix: string) => swarm.mocks.get(NETWORK, `geostack-${suffix}`);
const networkIds = (role: string) => spec(role).networksAdvanceds.map((n: { name: string }) => n.name);
/** The node a provider reference points at: the explicit provider's host, or "" for the default (manager) provider. */
const hostOf = (providerRef: string) => {
    if (providerRef === "") return "";
    const urn = providerRef.split("::").slice(0, -1).join("::");
    return reveal(swarm.mocks.resources.find((r) => r.type === PROVIDER && r.urn === urn)!.inputs.host);
};

describe("swarm stack: the program picks the swarm component", () => {
    it("runs only Services, no Container, no image build", () => {
        expect(
            swarm.mocks
                .ofType(SERVICE)
                .map((s) => reveal(s.inputs.name))
                .sort(),
        ).toEqual(["docker-socket-proxy", "geoserver", "postgis", "traefik"].map((role) => `${PREFIX}-${role}`));
        expect(swarm.mocks.resources.filter((r) => r.type.startsWith("docker:index/container") || r.type.startsWith("docker-build"))).toEqual([]);
        expect(swarm.outputs.containerNames.value).toHaveLength(4);
        expect(swarm.outputs.databaseAddress.value).toBe("");
    });

    it("renders", () => {
        expect(() => render("geostack", "swarm", swarm)).not.toThrow();
        expect(warnings.join("\n")).toMatch(/placeholder/);
    });
});

describe("swarm stack: placement and volumes", () => {
    it("pins PostGIS, GeoServer and traefik by node labels naming the stack, the Docker API proxy to a manager", () => {
        expect(spec("postgis").placement.constraints).toEqual([`node.labels.geostack.postgis==${PREFIX}`]);
        expect(spec("geoserver").placement.constraints).toEqual([`node.labels.geostack.geoserver==${PREFIX}`]);
        expect(spec("traefik").placement.constraints).toEqual([`node.labels.geostack.edge==${PREFIX}`]);
        expect(spec("docker-socket-proxy").placement.constraints).toEqual(["node.role==manager"]);
        for (const role of ["postgis", "geoserver", "traefik"]) expect(reveal(service(role).inputs.mode), role).toEqual({ replicated: { replicas: 1 } });
    });

    it("creates each volume through the provider of the node its service is pinned to; services go through the manager's", () => {
        const volume = (name: string) => swarm.mocks.get(VOLUME, name);
        const postgisVolume = volume("geostack-postgis-data-pg17");
        expect(hostOf(postgisVolume.options.provider)).toBe(stackFile["geostack:postgisNodeHost"]);
        expect(hostOf(volume("geostack-geoserver-data").options.provider)).toBe(stackFile["geostack:geoserverNodeHost"]);
        expect(hostOf(volume("geostack-traefik-acme").options.provider)).toBe(stackFile["geostack:edgeNodeHost"]);
        // The same node for PostGIS and GeoServer: one provider for it.
        expect(
            swarm.mocks
                .ofType(PROVIDER)
                .map((p) => reveal(p.inputs.host))
                .sort(),
        ).toEqual([stackFile["geostack:edgeNodeHost"], stackFile["geostack:postgisNodeHost"]].sort());
        for (const s of swarm.mocks.ofType(SERVICE)) expect(hostOf(s.options.provider), s.name).toBe("");
        // Mounted by name: the node's own volume, not an auto-created empty one.
        expect(spec("postgis").containerSpec.mounts[0]).toMatchObject({
            type: "volume",
            source: reveal(postgisVolume.state.name),
            target: "/var/lib/postgresql/data",
        });
    });

    it("protects the data volumes from destroy (prod-like stack file)", () => {
        for (const name of ["geostack-postgis-data-pg17", "geostack-geoserver-data"]) {
            expect(swarm.mocks.get(VOLUME, name).options, name).toMatchObject({ protect: true, retainOnDelete: true });
        }
    });

    it("gives PostgreSQL a 256 MiB /dev/shm as a tmpfs (a service has no shm size)", () => {
        expect(spec("postgis").containerSpec.mounts).toContainEqual({
            type: "tmpfs",
            target: "/dev/shm",
            tmpfsOptions: { sizeBytes: 268435456, mode: 0o1777 },
        });
    });
});

describe("swarm stack: networks", () => {
    it("are encrypted overlays joined by services only; the backend and the Docker API network are internal", () => {
        for (const suffix of ["backend", "proxy", "docker-api"]) {
            expect(reveal(network(suffix).inputs), suffix).toMatchObject({ driver: "overlay", attachable: false, options: { encrypted: "true" } });
        }
        expect(reveal(network("backend").inputs.internal)).toBe(true);
        expect(reveal(network("docker-api").inputs.internal)).toBe(true);
    });

    it("put PostGIS on the backend only, traefik on the proxy and Docker API networks only, the proxy on its own", () => {
        const id = (suffix: string) => network(suffix).id;
        expect(networkIds("postgis")).toEqual([id("backend")]);
        expect(networkIds("geoserver").sort()).toEqual([id("backend"), id("proxy")].sort());
        expect(networkIds("traefik").sort()).toEqual([id("proxy"), id("docker-api")].sort());
        expect(networkIds("docker-socket-proxy")).toEqual([id("docker-api")]);
    });

    it("publishes only traefik's 80/443, in host mode (the client's address reaches the allowlist and rate limits)", () => {
        for (const s of swarm.mocks.ofType(SERVICE).filter((s) => s.name !== "geostack-traefik")) expect(reveal(s.inputs.endpointSpec), s.name).toBeUndefined();
        expect(reveal(service("traefik").state.endpointSpec.ports)).toEqual([
            { targetPort: 80, publishedPort: 80, publishMode: "host", protocol: "tcp" },
            { targetPort: 443, publishedPort: 443, publishMode: "host", protocol: "tcp" },
        ]);
    });
});

describe("swarm stack: secrets", () => {
    const envs = () => swarm.mocks.ofType(SERVICE).map((s) => JSON.stringify(reveal(s.inputs.taskSpec.containerSpec.env ?? {})));

    it("never puts a password in a service's environment or labels, only files' paths", () => {
        const secrets = secretValues(swarm);
        expect(secrets.length).toBeGreaterThan(3);
        for (const text of [...envs(), ...swarm.mocks.ofType(SERVICE).map((s) => JSON.stringify(reveal(s.inputs.labels)))]) {
            for (const secret of secrets) expect(text.includes(secret)).toBe(false);
        }
        const postgisEnv = reveal(spec("postgis").containerSpec.env);
        expect(Object.keys(postgisEnv).filter((key) => /PASSWORD/.test(key))).toEqual(["POSTGRES_PASSWORD_FILE", "GEOSERVER_DB_PASSWORD_FILE"].sort());
        expect(Object.keys(reveal(spec("geoserver").containerSpec.env)).filter((key) => /PASSWORD/.test(key))).toEqual([
            "GEOSERVER_ADMIN_PASSWORD_FILE",
            "POSTGRES_PASSWORD_FILE",
        ]);
    });

    it("holds every password in an auto-named Secret whose data stays a Pulumi secret, mounted where the _FILE variable points", () => {
        const secretsById = new Map(swarm.mocks.ofType(SECRET).map((s) => [s.id, s]));
        for (const s of swarm.mocks.ofType(SECRET)) {
            expect(s.inputs.name, s.name).toBeUndefined();
            expect(isSecret(s.inputs.data), s.name).toBe(true);
        }
        for (const role of ["postgis", "geoserver"]) {
            const { env, secrets } = spec(role).containerSpec;
            for (const [key, file] of Object.entries<string>(env).filter(([key]) => key.endsWith("PASSWORD_FILE"))) {
                const mounted = secrets.find((s: { fileName: string }) => s.fileName === file);
                expect(mounted, `${role} ${key}`).toBeDefined();
                expect(secretsById.has(mounted.secretId), `${role} ${key}`).toBe(true);
                expect(mounted.fileMode, `${role} ${key}`).toBe(0o400);
            }
        }
        // The geoserver role's password: the same value for PostGIS's init and GeoServer's pool.
        const value = (role: string, file: string) => {
            const mounted = spec(role).containerSpec.secrets.find((s: { fileName: string }) => s.fileName === file);
            return Buffer.from(reveal(secretsById.get(mounted.secretId)!.inputs.data), "base64").toString();
        };
        expect(value("postgis", "/run/secrets/geoserver-db-password")).toBe(value("geoserver", "/opt/geostack/secrets/database-password"));
    });

    it("ships the scripts as auto-named ServiceConfigs: PostGIS's init script (executed, reads its password file), GeoServer's entrypoint", () => {
        const configs = new Map(swarm.mocks.ofType(SERVICE_CONFIG).map((c) => [c.id, c]));
        for (const c of configs.values()) expect(c.inputs.name, c.name).toBeUndefined();
        const files = (role: string) =>
            Object.fromEntries(spec(role).containerSpec.configs.map((c: { configId: string; fileName: string; fileMode: number }) => [c.fileName, c.fileMode]));
        expect(files("postgis")).toEqual({ "/docker-entrypoint-initdb.d/20-geostack.sh": 0o555 });
        const initScript = configs.get(spec("postgis").containerSpec.configs[0].configId)!;
        const script = Buffer.from(reveal<string>(initScript.inputs.data), "base64").toString();
        // The script reads the variable the service sets, which names the mounted secret.
        expect(script).toContain("${GEOSERVER_DB_PASSWORD_FILE:-}");
        expect(spec("postgis").containerSpec.env.GEOSERVER_DB_PASSWORD_FILE).toBe("/run/secrets/geoserver-db-password");
        expect(files("geoserver")).toEqual({
            "/opt/geostack/entrypoint.sh": 0o555,
            // What the container gets as uploads for a new data directory (components/geoserver/data-dir.ts), readable by 999.
            "/opt/geostack/seed/new-data-dir/workspaces/default.xml": 0o444,
            "/opt/geostack/seed/new-data-dir/workspaces/gis/workspace.xml": 0o444,
            "/opt/geostack/seed/new-data-dir/workspaces/gis/namespace.xml": 0o444,
            "/opt/geostack/seed/new-data-dir/workspaces/gis/postgis/datastore.xml": 0o444,
            "/opt/geostack/seed/new-data-dir/logging.xml": 0o444,
            "/opt/geostack/seed/services.properties": 0o444,
            "/opt/geostack/seed/geowebcache-diskquota.xml": 0o444,
        });
        expect(spec("geoserver").containerSpec.env.GEOSTACK_SEED).toBe("/opt/geostack/seed");
        expect(spec("geoserver").containerSpec.commands).toEqual(["bash", "/opt/geostack/entrypoint.sh"]);
    });

    it("keeps GeoWebCache's tiles on a local volume of the node the task runs on, and answers cross-origin reads of the public paths", () => {
        expect(spec("geoserver").containerSpec.mounts).toContainEqual({
            type: "volume",
            source: `${PREFIX}-geoserver-tiles`,
            target: "/var/cache/geowebcache",
        });
        // Not one the stack creates or protects: Docker makes it on the node, and a new node starts with an empty cache.
        expect(swarm.mocks.ofType(VOLUME).map((v) => reveal(v.inputs.name))).not.toContain(`${PREFIX}-geoserver-tiles`);
        const labels = labelsOf(service("geoserver"));
        expect(labels[`traefik.http.middlewares.${PREFIX}-geoserver-cors.headers.accesscontrolalloworiginlist`]).toBe("*");
        expect(labels[`traefik.http.routers.${PREFIX}-geoserver-public.middlewares`].split(",")).toContain(`${PREFIX}-geoserver-cors`);
        expect(labels[`traefik.http.routers.${PREFIX}-geoserver-admin.middlewares`].split(",")).not.toContain(`${PREFIX}-geoserver-cors`);
    });
});

describe("swarm stack: traefik and the Docker API proxy", () => {
    const flags = () => spec("traefik").containerSpec.args as string[];

    it("reads services' labels through the swarm provider, only this stack's, only those enabled", () => {
        expect(flags()).toEqual(
            expect.arrayContaining([
                "--providers.swarm=true",
                "--providers.swarm.endpoint=tcp://docker-socket-proxy:2375",
                "--providers.swarm.exposedbydefault=false",
                `--providers.swarm.network=${PREFIX}-proxy`,
                `--providers.swarm.constraints=Label(\`geostack.instance\`,\`${PREFIX}\`)`,
            ]),
        );
        expect(flags().filter((flag) => flag.startsWith("--providers.docker"))).toEqual([]);
    });

    it("finds GeoServer's routes, with the mandatory port label, on the service (not its containers), in the swarm vocabulary", () => {
        const labels = labelsOf(service("geoserver"));
        expect(labels).toMatchObject({
            "traefik.enable": "true",
            "geostack.instance": PREFIX,
            [`traefik.http.services.${PREFIX}-geoserver.loadbalancer.server.port`]: "8080",
            "traefik.swarm.network": `${PREFIX}-proxy`,
        });
        expect(Object.keys(labels).filter((key) => key.startsWith("traefik.docker."))).toEqual([]);
        expect(spec("geoserver").containerSpec.labels).toBeUndefined();
        expect(labelsOf(service("postgis"))["traefik.enable"]).toBeUndefined();
    });

    it("runs GeoStack's HAProxy rules for the swarm provider (test/slow/docker-api-proxy.test.ts runs them), read-only, as uid 0 with no capability", () => {
        const container = spec("docker-socket-proxy").containerSpec;
        const env = reveal<Record<string, string>>(container.env);
        expect(container.image).toBe(DEFAULT_DOCKER_SOCKET_PROXY_IMAGE);
        expect(container.commands).toEqual(DOCKER_API_PROXY_ENTRYPOINT);
        expect(env).toEqual({ [DOCKER_API_PROXY_CONFIG_ENV]: dockerApiProxyConfig(), DOCKER_API_PROXY_PROVIDER: "swarm" });
        expect(container).toMatchObject({ readOnly: true, user: "0:0", capDrops: ["ALL"] });
        expect(container.capAdds).toBeUndefined();
        expect(container.mounts).toContainEqual({ type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: 1024 * 1024 } });
        expect(container.mounts[0]).toEqual({
            type: "bind",
            source: "/var/run/docker.sock",
            target: "/var/run/docker.sock",
            readOnly: true,
        });
    });
});

describe("swarm stack: CPU limits and capabilities, as for the containers", () => {
    it("limits each service's CPUs (Docker's --cpus as nanoCPUs)", () => {
        const cpus = (role: string) => spec(role).resources.limits.nanoCpus;
        expect(cpus("postgis")).toBe(2_000_000_000);
        expect(cpus("geoserver")).toBe(2_000_000_000);
        expect(cpus("traefik")).toBe(1_000_000_000);
        expect(cpus("docker-socket-proxy")).toBe(500_000_000);
    });

    it("drops every capability; traefik keeps only the low-port bind, GeoStack's GeoServer image (non-root) none", () => {
        for (const role of ["postgis", "geoserver", "traefik", "docker-socket-proxy"]) expect(spec(role).containerSpec.capDrops, role).toEqual(["ALL"]);
        expect(spec("traefik").containerSpec.capAdds).toEqual(["CAP_NET_BIND_SERVICE"]);
        for (const role of ["postgis", "geoserver", "docker-socket-proxy"]) expect(spec(role).containerSpec.capAdds, role).toBeUndefined();
    });
});

describe("swarm stack: updates", () => {
    it("stops the old task first where there is one data directory or host ports, rolls back on failure, waits for convergence", () => {
        for (const role of ["postgis", "geoserver", "traefik"]) {
            expect(reveal(service(role).inputs.updateConfig), role).toMatchObject({ order: "stop-first", failureAction: "rollback", parallelism: 1 });
            expect(reveal(service(role).inputs.rollbackConfig), role).toMatchObject({ order: "stop-first" });
        }
        expect(reveal(service("docker-socket-proxy").inputs.updateConfig.order)).toBe("start-first");
        for (const s of swarm.mocks.ofType(SERVICE)) {
            expect(reveal(s.inputs.convergeConfig), s.name).toBeDefined();
            expect(reveal(s.inputs.taskSpec.containerSpec.healthcheck.tests), s.name).toBeDefined();
        }
        // GeoServer is created once PostGIS converged (healthy).
        expect(service("geoserver").options.dependencies).toContain(service("postgis").urn);
    });
});
