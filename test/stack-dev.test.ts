import { beforeAll, describe, expect, it } from "vitest";
import { deployStack, Deployed } from "./harness";
import { envOf, isSecret, labelsOf, networksOf, RegisteredResource } from "../render/mocks";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";

let dev: Deployed;
beforeAll(async () => {
    dev = await deployStack("dev");
});

const container = (role: string): RegisteredResource => dev.mocks.get(CONTAINER, `geostack-${role}`);

describe("dev stack", () => {
    it("creates the two networks, the database one internal", () => {
        const byName = Object.fromEntries(dev.mocks.ofType(NETWORK).map((n) => [n.inputs.name, n.inputs]));
        expect(byName["geostack-dev-backend"]).toMatchObject({ internal: true });
        expect(byName["geostack-dev-proxy"].internal).toBeFalsy();
    });

    it("names every container <project>-<stack>-<role>", () => {
        expect(dev.mocks.ofType(CONTAINER).map((c) => c.inputs.name).sort()).toEqual([
            "geostack-dev-docker-socket-proxy",
            "geostack-dev-geoserver",
            "geostack-dev-postgis",
            "geostack-dev-traefik",
        ]);
        expect(dev.outputs.containerNames.value).toEqual(["geostack-dev-postgis", "geostack-dev-geoserver", "geostack-dev-traefik", "geostack-dev-docker-socket-proxy"]);
    });

    it("puts PostGIS on the backend network as `postgis`, published on loopback only", () => {
        const postgis = container("postgis");
        expect(networksOf(postgis)).toContainEqual({ name: "geostack-dev-backend", aliases: ["postgis"] });
        // The extra, non-internal network exists only because Docker does not publish ports of internal-only containers.
        expect(networksOf(postgis).map((n) => n.name)).toEqual(["geostack-dev-backend", "geostack-dev-postgis-publish"]);
        expect(postgis.inputs.ports).toEqual([{ internal: 5432, external: 15432, ip: "127.0.0.1" }]);
        expect(dev.outputs.databaseAddress.value).toBe("127.0.0.1:15432");
    });

    it("publishes nothing beyond loopback except traefik's port 80", () => {
        const published = dev.mocks
            .ofType(CONTAINER)
            .flatMap((c) => (c.inputs.ports ?? []).map((p: any) => ({ container: c.inputs.name, ...p })))
            .filter((p) => p.ip !== "127.0.0.1");
        expect(published).toEqual([{ container: "geostack-dev-traefik", internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" }]);
    });

    it("mounts PostGIS 17's data volume at /var/lib/postgresql/data, with the major in its name", () => {
        expect(container("postgis").inputs.volumes).toEqual([{ volumeName: "geostack-dev-postgis17-data", containerPath: "/var/lib/postgresql/data" }]);
        expect(container("geoserver").inputs.volumes).toEqual([{ volumeName: "geostack-dev-geoserver-data", containerPath: "/opt/geoserver_data" }]);
        expect(dev.outputs.volumeNames.value).toEqual(["geostack-dev-postgis17-data", "geostack-dev-geoserver-data"]);
    });

    it("delivers the init script through uploads, never a host bind mount", () => {
        const postgis = container("postgis");
        expect(postgis.inputs.uploads).toHaveLength(1);
        // Executable by the postgres user the entrypoint runs as; a script it cannot execute it would source.
        expect(postgis.inputs.uploads[0]).toMatchObject({ file: "/docker-entrypoint-initdb.d/20-geostack.sh", permissions: "0755" });
        expect(postgis.inputs.uploads[0].content).toContain("CREATE DATABASE gis OWNER geoserver");
        expect(postgis.inputs.volumes.filter((v: any) => v.hostPath)).toEqual([]);
    });

    it("does not protect dev data, so `pulumi destroy` cleans a laptop", () => {
        const volumes = dev.mocks.ofType(VOLUME);
        expect(volumes.map((v) => v.inputs.name).sort()).toEqual(["geostack-dev-geoserver-data", "geostack-dev-postgis17-data"]);
        for (const v of volumes) expect(v.options, v.name).toMatchObject({ protect: false, retainOnDelete: false });
    });

    it("serves GeoServer at http://geostack.localhost/geoserver/ through traefik", () => {
        const geoserver = container("geoserver");
        expect(dev.outputs.geoserverUrl.value).toBe("http://geostack.localhost/geoserver/");
        expect(labelsOf(geoserver)).toMatchObject({
            "traefik.enable": "true",
            "traefik.docker.network": "geostack-dev-proxy",
            "traefik.http.routers.geostack-dev-geoserver-admin.rule": "Host(`geostack.localhost`) && PathPrefix(`/geoserver`)",
            "traefik.http.routers.geostack-dev-geoserver-admin.entrypoints": "web",
            "traefik.http.routers.geostack-dev-geoserver-public.entrypoints": "web",
            "traefik.http.services.geostack-dev-geoserver.loadbalancer.server.port": "8080",
        });
        expect(envOf(geoserver)).toMatchObject({
            PROXY_BASE_URL: "http://geostack.localhost/geoserver",
            GEOSERVER_CSRF_WHITELIST: "geostack.localhost",
            SKIP_DEMO_DATA: "true",
            RUN_UNPRIVILEGED: "true",
        });
        expect(networksOf(geoserver).map((n) => n.name)).toEqual(["geostack-dev-backend", "geostack-dev-proxy"]);
    });

    it("connects GeoServer to the gis database as the geoserver role, with the password PostGIS set", () => {
        const geoserverEnv = envOf(container("geoserver"));
        expect(geoserverEnv).toMatchObject({ POSTGRES_JNDI_ENABLED: "true", POSTGRES_HOST: "postgis", POSTGRES_PORT: "5432", POSTGRES_DB: "gis", POSTGRES_USERNAME: "geoserver" });
        expect(geoserverEnv.POSTGRES_PASSWORD).toBe(envOf(container("postgis")).GEOSERVER_DB_PASSWORD);
        expect(geoserverEnv.POSTGRES_PASSWORD).toBe(dev.outputs.databasePassword.value);
        expect(geoserverEnv.POSTGRES_PASSWORD).toHaveLength(32);
    });

    it("sizes the JVM from the container's memory limit, not a fixed -Xmx", () => {
        const geoserver = container("geoserver");
        expect(geoserver.inputs.memory).toBe(2048);
        expect(envOf(geoserver).EXTRA_JAVA_OPTS).toContain("-XX:MaxRAMPercentage=75");
        expect(envOf(geoserver).EXTRA_JAVA_OPTS).not.toMatch(/-Xmx/);
    });

    it("keeps every password secret in container inputs and stack outputs", () => {
        expect(isSecret(container("postgis").inputs.envs)).toBe(true);
        expect(isSecret(container("geoserver").inputs.envs)).toBe(true);
        for (const output of ["geoserverAdminPassword", "databasePassword", "databaseSuperuserPassword"]) {
            expect(dev.outputs[output].secret, output).toBe(true);
        }
        expect(dev.outputs.geoserverAdminUser).toEqual({ value: "admin", secret: false });
    });

    it("gives every container the common defaults", () => {
        for (const c of dev.mocks.ofType(CONTAINER)) {
            expect(c.inputs, c.name).toMatchObject({
                restart: "unless-stopped",
                logDriver: "json-file",
                logOpts: { "max-size": "10m", "max-file": "5" },
                securityOpts: ["no-new-privileges:true"],
            });
            expect(c.inputs.memory).toBeGreaterThan(0);
            expect(c.inputs.memorySwap).toBe(c.inputs.memory);
            expect(labelsOf(c)["geostack.instance"]).toBe("geostack-dev");
        }
    });

    it("health-checks every container and waits for PostGIS before creating GeoServer", () => {
        expect(container("postgis").inputs.healthcheck.tests).toEqual(["CMD", "pg_isready", "-U", "postgres", "-d", "gis", "-h", "127.0.0.1"]);
        expect(container("geoserver").inputs.healthcheck.tests).toContain("curl");
        expect(container("traefik").inputs.healthcheck.tests).toEqual(["CMD", "traefik", "healthcheck", "--ping"]);
        expect(container("postgis").inputs.wait).toBe(true);
        // Component dependsOn does not reach children by itself: the GeoServer container must name the PostGIS one.
        expect(container("geoserver").options.dependencies).toContain(container("postgis").urn);
    });

    it("runs traefik from command-line flags, reading Docker through the socket proxy", () => {
        const traefik = container("traefik");
        expect(traefik.inputs.image).toBe(dev.mocks.get("docker:index/remoteImage:RemoteImage", "geostack-traefik-image").state.imageId);
        expect(traefik.inputs.command).toEqual(
            expect.arrayContaining(["--entrypoints.web.address=:80", "--providers.docker.exposedbydefault=false", "--providers.docker.network=geostack-dev-proxy", "--ping=true"]),
        );
        expect(traefik.inputs.command).toContain("--providers.docker.endpoint=tcp://docker-socket-proxy:2375");
        expect(traefik.inputs.volumes).toEqual([]);
        const socketProxy = dev.mocks.ofType(CONTAINER).find((c) => c.inputs.name === "geostack-dev-docker-socket-proxy")!;
        expect(socketProxy.inputs.volumes).toEqual([{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }]);
        expect(networksOf(traefik).map((n) => n.name)).toEqual(["geostack-dev-proxy", "geostack-dev-docker-api"]);
    });
});
