import { beforeAll, describe, expect, it } from "vitest";
import { formatJson, formatText, render, type Rendered, SECRET } from "../../tools/render/render";
import { DOCKER_HOSTS, isSecret, type RegisteredResource, reveal } from "../../tools/render/mocks";
import { deployStack, type Deployed, readYaml, secretValues } from "../support/harness";
import { nextPlan } from "../support/next-plan";
import {
    CONTAINER,
    envOf,
    IMAGE,
    IMAGE_BUILDER_PROVIDER,
    labelsOf,
    NETWORK,
    networksOf,
    REGISTRY_IMAGE,
    REMOTE_IMAGE,
    uploadOf,
    VOLUME,
} from "../support/resources";

// The dev stack exactly as committed, run once for the whole file; the render is of that same run.
let dev: Deployed;
let rendered: Rendered;
beforeAll(async () => {
    dev = await deployStack("dev");
    rendered = render("geostack", "dev", dev);
});

const container = (role: string): RegisteredResource => dev.mocks.get(CONTAINER, `geostack-${role}`);
const geoserverLabel = (key: string): string => labelsOf(container("geoserver"))[`traefik.http.${key}`];
const image = (): RegisteredResource => {
    expect(dev.mocks.ofType(IMAGE)).toHaveLength(1);
    return dev.mocks.ofType(IMAGE)[0];
};

describe("dev stack: networks, ports and data", () => {
    it("creates the two networks, the database one internal", () => {
        const byName = Object.fromEntries(dev.mocks.ofType(NETWORK).map((n) => [n.inputs.name, n.inputs]));
        expect(byName["geostack-dev-backend"]).toMatchObject({ internal: true });
        expect(byName["geostack-dev-proxy"].internal).toBeFalsy();
    });

    it("names every container <project>-<stack>-<role>", () => {
        expect(
            dev.mocks
                .ofType(CONTAINER)
                .map((c) => c.inputs.name)
                .sort(),
        ).toEqual(["geostack-dev-docker-socket-proxy", "geostack-dev-geoserver", "geostack-dev-postgis", "geostack-dev-traefik"]);
        expect(dev.outputs.containerNames.value).toEqual([
            "geostack-dev-postgis",
            "geostack-dev-geoserver",
            "geostack-dev-traefik",
            "geostack-dev-docker-socket-proxy",
        ]);
    });

    it("puts PostGIS on the backend network as `postgis`, published on loopback only", () => {
        const postgis = container("postgis");
        expect(networksOf(postgis)).toContainEqual({ name: "geostack-dev-backend", aliases: ["postgis"] });
        // The extra, non-internal network exists only because Docker does not publish ports of internal-only containers.
        expect(networksOf(postgis).map((n) => n.name)).toEqual(["geostack-dev-backend", "geostack-dev-postgis-publish"]);
        expect(postgis.inputs.ports).toEqual([{ internal: 5432, external: 15432, ip: "127.0.0.1" }]);
        expect(dev.outputs.databaseAddress.value).toBe("127.0.0.1:15432");
    });

    it("publishes nothing beyond loopback, traefik's port 80 included: a laptop's network does not reach the stack", () => {
        const published = dev.mocks.ofType(CONTAINER).flatMap((c) => (c.inputs.ports ?? []).map((p: any) => ({ container: c.inputs.name, ...p })));
        expect(published.filter((p) => p.ip !== "127.0.0.1")).toEqual([]);
        expect(published.filter((p) => p.container === "geostack-dev-traefik")).toEqual([
            { container: "geostack-dev-traefik", internal: 80, external: 80, ip: "127.0.0.1", protocol: "tcp" },
        ]);
    });

    it("mounts PostGIS 17's data volume at /var/lib/postgresql/data, with the major in its name", () => {
        expect(container("postgis").inputs.volumes).toEqual([{ volumeName: "geostack-dev-postgis17-data", containerPath: "/var/lib/postgresql/data" }]);
        expect(container("geoserver").inputs.volumes).toEqual([
            { volumeName: "geostack-dev-geoserver-data", containerPath: "/opt/geoserver_data" },
            { volumeName: "geostack-dev-geoserver-tiles", containerPath: "/var/cache/geowebcache" },
        ]);
        expect(dev.outputs.volumeNames.value).toEqual(["geostack-dev-postgis17-data", "geostack-dev-geoserver-data"]);
    });

    it("delivers the init script and the passwords as uploaded files, never a host bind mount or the environment", () => {
        const postgis = container("postgis");
        // The passwords make the whole list a secret in the state.
        expect(isSecret(postgis.inputs.uploads)).toBe(true);
        const uploads = reveal<any[]>(postgis.inputs.uploads);
        // Executable by the postgres user the entrypoint runs as; a script it cannot execute it would source.
        expect(uploads.find((u) => u.file === "/docker-entrypoint-initdb.d/20-geostack.sh")).toMatchObject({ permissions: "0555" });
        expect(uploads.find((u) => u.file.endsWith("20-geostack.sh")).content).toContain("CREATE DATABASE gis OWNER gis_owner");
        // Readable by the postgres user (uid 999 in the Debian-based image) alone.
        expect(uploads.filter((u) => u.file.startsWith("/run/secrets/")).map(({ content, ...rest }) => ({ ...rest, secret: content.length === 32 }))).toEqual([
            { file: "/run/secrets/postgres-password", owner: "999", group: "999", permissions: "0400", secret: true },
            { file: "/run/secrets/geoserver-db-password", owner: "999", group: "999", permissions: "0400", secret: true },
            { file: "/run/secrets/monitor-db-password", owner: "999", group: "999", permissions: "0400", secret: true },
        ]);
        expect(uploadOf(postgis, "/run/secrets/geoserver-db-password").content).toBe(dev.outputs.databasePassword.value);
        // The monitoring role's step runs after 20-geostack.sh (name order), on every new cluster.
        expect(uploads.find((u) => u.file === "/docker-entrypoint-initdb.d/30-geostack-monitor.sh")).toMatchObject({ permissions: "0555" });
        expect(envOf(postgis)).toEqual({
            POSTGRES_USER: "postgres",
            POSTGRES_PASSWORD_FILE: "/run/secrets/postgres-password",
            GEOSERVER_DB_PASSWORD_FILE: "/run/secrets/geoserver-db-password",
            GEOSTACK_MONITOR_PASSWORD_FILE: "/run/secrets/monitor-db-password",
        });
        expect(postgis.inputs.volumes.filter((v: any) => v.hostPath)).toEqual([]);
    });

    it("has only the two data volumes and the tile cache (no ACME one), unprotected, so `pulumi destroy` cleans a laptop", () => {
        const volumes = dev.mocks.ofType(VOLUME);
        expect(volumes.map((v) => v.inputs.name).sort()).toEqual([
            "geostack-dev-geoserver-data",
            "geostack-dev-geoserver-tiles",
            "geostack-dev-postgis17-data",
        ]);
        for (const v of volumes) expect(v.options, v.name).toMatchObject({ protect: false, retainOnDelete: false });
    });
});

describe("dev stack: GeoServer", () => {
    it("is served at http://geostack.localhost/geoserver/ through traefik's web entrypoint, and knows its public URL", () => {
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
        });
        expect(networksOf(geoserver).map((n) => n.name)).toEqual(["geostack-dev-backend", "geostack-dev-proxy"]);
    });

    it("sends no HSTS over plain HTTP, admits the stack's allowlist to the admin router and applies the default rate limit", () => {
        expect(Object.keys(labelsOf(container("geoserver"))).filter((k) => k.includes(".sts"))).toEqual([]);
        expect(geoserverLabel("middlewares.geostack-dev-geoserver-admin-allowlist.ipallowlist.sourcerange").split(",")).toEqual(
            readYaml("Pulumi.dev.yaml").config["geostack:adminAllowlist"],
        );
        expect(geoserverLabel("middlewares.geostack-dev-geoserver-ratelimit.ratelimit.average")).toBe("50");
        expect(geoserverLabel("middlewares.geostack-dev-geoserver-ratelimit.ratelimit.burst")).toBe("200");
    });

    it("connects to the gis database as the geoserver role, with the password PostGIS set, as a file", () => {
        const geoserverEnv = envOf(container("geoserver"));
        expect(geoserverEnv).toMatchObject({
            POSTGRES_HOST: "postgis",
            POSTGRES_PORT: "5432",
            POSTGRES_DB: "gis",
            POSTGRES_USERNAME: "geoserver",
            POSTGRES_PASSWORD_FILE: "/opt/geostack/secrets/database-password",
        });
        const password = uploadOf(container("geoserver"), "/opt/geostack/secrets/database-password");
        expect(password).toMatchObject({ content: dev.outputs.databasePassword.value, secret: true });
        // The one PostGIS gives the geoserver role, from its own file.
        expect(password.content).toBe(uploadOf(container("postgis"), "/run/secrets/geoserver-db-password").content);
        expect(password.content).toHaveLength(32);
    });

    it("sizes the JVM to the container's memory limit: half of it for the heap, capped metaspace and direct memory", () => {
        const geoserver = container("geoserver");
        expect(geoserver.inputs.memory).toBe(2048);
        expect(envOf(geoserver).EXTRA_JAVA_OPTS).toBe("-Xmx1024m -XX:MaxMetaspaceSize=256m -XX:MaxDirectMemorySize=204m -XX:+ExitOnOutOfMemoryError");
    });

    it("keeps every password secret in container inputs and stack outputs, and out of every container's environment", () => {
        expect(isSecret(container("postgis").inputs.uploads)).toBe(true);
        const passwords = ["geoserverAdminPassword", "databasePassword", "databaseSuperuserPassword"].map((output) => dev.outputs[output].value);
        for (const c of dev.mocks.ofType(CONTAINER)) {
            const env = JSON.stringify(reveal(c.inputs.envs ?? []));
            for (const password of passwords) expect(env, c.name).not.toContain(password);
        }
        expect(uploadOf(container("geoserver"), "/opt/geostack/secrets/geoserver-admin-password")).toMatchObject({
            content: dev.outputs.geoserverAdminPassword.value,
            secret: true,
        });
        for (const output of ["geoserverAdminPassword", "databasePassword", "databaseSuperuserPassword"]) {
            expect(dev.outputs[output].secret, output).toBe(true);
        }
        expect(dev.outputs.geoserverAdminUser).toEqual({ value: "admin", secret: false });
    });
});

describe("dev stack: every container", () => {
    it("gets the common defaults", () => {
        for (const c of dev.mocks.ofType(CONTAINER)) {
            expect(c.inputs, c.name).toMatchObject({ restart: "unless-stopped", logDriver: "local", securityOpts: ["no-new-privileges:true"] });
            expect(c.inputs.logOpts, c.name).toBeUndefined();
            expect(c.inputs.memory, c.name).toBeGreaterThan(0);
            expect(labelsOf(c)["geostack.instance"], c.name).toBe("geostack-dev");
        }
    });

    it.each(Object.keys(DOCKER_HOSTS))("is neither replaced nor updated by the next `pulumi up` on %s", (host) => {
        for (const c of dev.mocks.ofType(CONTAINER)) expect(nextPlan(c, DOCKER_HOSTS[host]), c.name).toEqual([]);
    });

    it("is health-checked, and GeoServer waits for PostGIS", () => {
        expect(container("postgis").inputs.healthcheck.tests).toEqual(["CMD", "pg_isready", "-U", "postgres", "-d", "gis", "-h", "127.0.0.1"]);
        expect(container("geoserver").inputs.healthcheck.tests).toContain("curl");
        expect(container("traefik").inputs.healthcheck.tests).toEqual(["CMD", "traefik", "healthcheck", "--ping"]);
        expect(container("postgis").inputs.wait).toBe(true);
        // Component dependsOn does not reach children by itself: the GeoServer container must name the PostGIS one.
        expect(container("geoserver").options.dependencies).toContain(container("postgis").urn);
    });
});

describe("dev stack: traefik on plain HTTP", () => {
    it("runs from command-line flags, without an ACME resolver, websecure or a redirect", () => {
        const traefik = container("traefik");
        expect(traefik.inputs.image).toBe(dev.mocks.get(REMOTE_IMAGE, "geostack-traefik-image").state.imageId);
        expect(traefik.inputs.command).toEqual(
            expect.arrayContaining([
                "--entrypoints.web.address=:80",
                "--providers.docker.exposedbydefault=false",
                "--providers.docker.network=geostack-dev-proxy",
                "--ping=true",
            ]),
        );
        expect(traefik.inputs.command.filter((f: string) => /websecure|redirections|certificatesresolvers|acme/.test(f))).toEqual([]);
    });

    it("reads Docker through the socket proxy, which alone mounts the socket, read-only", () => {
        const traefik = container("traefik");
        expect(traefik.inputs.command).toContain("--providers.docker.endpoint=tcp://docker-socket-proxy:2375");
        expect(traefik.inputs.volumes).toEqual([]);
        const socketProxy = dev.mocks.ofType(CONTAINER).find((c) => c.inputs.name === "geostack-dev-docker-socket-proxy")!;
        expect(socketProxy.inputs.volumes).toEqual([{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }]);
        expect(networksOf(traefik).map((n) => n.name)).toEqual(["geostack-dev-proxy", "geostack-dev-docker-api"]);
    });
});

describe("dev stack: the GeoServer image", () => {
    it("is built by the Docker engine from images/geoserver, for the host's own platform, loaded there, pushed nowhere", () => {
        const { inputs } = image();
        expect(inputs).toMatchObject({
            context: { location: "images/geoserver" },
            dockerfile: { location: "images/geoserver/Dockerfile" },
            tags: ["geostack/geoserver:2.28.4"],
            builder: { name: "default" },
            load: true,
            push: false,
            buildArgs: { GEOSERVER_VERSION: "2.28.4", GEOSERVER_EXTENSIONS: "", GEOSERVER_EXTENSIONS_ALLOW_UNPINNED: "false", IMAGE_SOURCE: "" },
        });
        // No platform: an arm64 laptop builds arm64 natively instead of amd64 under emulation.
        expect(inputs.platforms).toBeUndefined();
        // Nothing was pushed before, and a local build has its layers on the Docker host already.
        expect(inputs.cacheFrom).toBeUndefined();
        expect(inputs.cacheTo).toBeUndefined();
        expect(image().options.retainOnDelete).toBe(true);
    });

    it("is built by a GeoServerImage component inside the GeoStack, with the default docker-build provider", () => {
        const [component] = dev.mocks.ofType("geostack:index:GeoServerImage");
        expect(component.name).toBe("geostack-geoserver-image");
        expect(component.options.parent).toBe(dev.mocks.ofType("geostack:index:GeoStack")[0].urn);
        expect(image().options.parent).toBe(component.urn);
        // No docker:host in the dev stack: both providers talk to the local engine.
        expect(dev.mocks.ofType(IMAGE_BUILDER_PROVIDER)).toEqual([]);
        expect(image().options.provider).toBe("");
    });

    it("is pushed nowhere, with no registry login, and not pulled back", () => {
        expect(image().inputs.registries).toBeUndefined();
        expect(dev.mocks.ofType(REGISTRY_IMAGE)).toEqual([]);
        expect(dev.mocks.ofType(REMOTE_IMAGE).filter((r) => r.name.includes("geoserver"))).toEqual([]);
    });

    it("runs in the GeoServer container by the image ID the build loaded into the engine", () => {
        const id = image().state.digest;
        expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(reveal(container("geoserver").inputs.image)).toBe(id);
        expect(container("geoserver").options.dependencies).toContain(image().urn);
        expect(dev.outputs.geoserverImageName).toEqual({ value: "geostack/geoserver:2.28.4", secret: false });
        expect(dev.outputs.geoserverImageDigest).toEqual({ value: id, secret: false });
    });
});

describe("render of the dev stack", () => {
    const resource = (type: string, name: string) => {
        const found = rendered.resources.find((r) => r.type === type && r.name === name);
        if (!found) throw new Error(`no ${type} ${name} in the render`);
        return found;
    };

    it("lists every registered resource once, parents before their children", () => {
        expect(rendered.resources).toHaveLength(dev.mocks.resources.length);
        expect(new Set(rendered.resources.map((r) => r.key)).size).toBe(rendered.resources.length);
        const seen = new Set<string>();
        for (const r of rendered.resources) {
            if (r.parent) expect(seen, `${r.name} after its parent`).toContain(r.parent);
            seen.add(r.name);
        }
    });

    it("shows what a reviewer needs of a container: image, networks, ports, volumes, env keys, labels, healthcheck, limits", () => {
        const postgis = resource(CONTAINER, "geostack-postgis");
        expect(postgis.parent).toBe("geostack-postgis");
        expect(postgis.properties).toMatchObject({
            name: "geostack-dev-postgis",
            image: "postgis/postgis:17-3.5 (by image ID)",
            networks: ["geostack-dev-backend (aliases: postgis)", "geostack-dev-postgis-publish"],
            ports: ["127.0.0.1:15432 -> 5432/tcp"],
            volumes: { "/var/lib/postgresql/data": "volume geostack-dev-postgis17-data" },
            env: ["GEOSERVER_DB_PASSWORD_FILE", "GEOSTACK_MONITOR_PASSWORD_FILE", "POSTGRES_PASSWORD_FILE", "POSTGRES_USER"],
            labels: { "geostack.instance": "geostack-dev", "geostack.role": "postgis" },
            healthcheck: { tests: "CMD pg_isready -U postgres -d gis -h 127.0.0.1", interval: "10s" },
            memory: 1024,
        });
        expect(resource(CONTAINER, "geostack-geoserver").properties.image).toBe(
            `geostack/geoserver:2.28.4 (built here, image ID ${image().state.digest.slice(0, 19)})`,
        );
        expect(resource(CONTAINER, "geostack-traefik").properties.command).toContain("--providers.docker.exposedbydefault=false");
    });

    it("prints env keys only, and keeps a digest of the values so a diff sees them change", () => {
        const text = formatText(rendered);
        expect(text).toContain("POSTGRES_USER");
        expect(text).not.toContain("POSTGRES_USER=");
        expect(resource(CONTAINER, "geostack-geoserver").hidden.env).toMatch(/^[0-9a-f]{12}$/);
    });

    it("masks secret outputs, and prints no generated password, hash or secret output anywhere, as text or JSON", () => {
        expect(rendered.outputs).toMatchObject({
            geoserverAdminPassword: SECRET,
            databasePassword: SECRET,
            databaseSuperuserPassword: SECRET,
            geoserverUrl: "http://geostack.localhost/geoserver/",
        });
        const secrets = secretValues(dev);
        expect(secrets.length).toBeGreaterThanOrEqual(6);
        for (const output of [formatText(rendered), formatJson(rendered)]) {
            for (const secret of secrets) expect(output.includes(secret), "a secret value leaked").toBe(false);
        }
    });

    it("prints as text every resource and property the JSON holds", () => {
        const text = formatText(rendered);
        expect(JSON.parse(formatJson(rendered))).toEqual(rendered);
        for (const r of rendered.resources) {
            expect(text).toContain(`${r.type}  ${r.name}\n`);
            for (const key of Object.keys(r.properties)) expect(text).toContain(`  ${key}:`);
        }
        for (const key of Object.keys(rendered.outputs)) expect(text).toContain(`  ${key}:`);
    });
});
