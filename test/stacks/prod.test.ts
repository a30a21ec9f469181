import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { formatJson, formatText, render, type Rendered, SECRET } from "../../tools/render/render";
import { DOCKER_HOSTS, isSecret, type RegisteredResource, reveal } from "../../tools/render/mocks";
import { deployStack, type Deployed, readYaml, ROOT, secretValues, STAND_IN_SECRET } from "../support/harness";
import { nextPlan } from "../support/next-plan";
import { occurrences } from "../support/occurrences";
import { CONTAINER, envOf, IMAGE, labelsOf, NETWORK, networksOf, RANDOM_PASSWORD, REGISTRY_IMAGE, REMOTE_IMAGE, VOLUME } from "../support/resources";

const SOCKET = "/var/run/docker.sock";
const TOKEN = STAND_IN_SECRET;
const REPOSITORY = "ghcr.io/example-org/geoserver";
const stackFile = readYaml("Pulumi.prod.yaml").config;

// The prod stack exactly as committed (its registry token stood in), run once for the whole file.
let prod: Deployed;
let rendered: Rendered;
let warnings: string[];
beforeAll(async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    prod = await deployStack("prod");
    warnings = warn.mock.calls.map(([message]) => message);
    rendered = render("geostack", "prod", prod);
});

const container = (role: string): RegisteredResource => prod.mocks.get(CONTAINER, `geostack-${role}`);
const traefik = () => container("traefik");
const socketProxy = () => container("traefik-docker-socket-proxy");
const geoserver = () => container("geoserver");
const router = (name: string, field: string) => labelsOf(geoserver())[`traefik.http.routers.geostack-prod-geoserver-${name}.${field}`];
const middleware = (name: string, field: string) => labelsOf(geoserver())[`traefik.http.middlewares.geostack-prod-geoserver-${name}.${field}`];
const one = (type: string): RegisteredResource => {
    expect(prod.mocks.ofType(type), type).toHaveLength(1);
    return prod.mocks.ofType(type)[0];
};
const image = () => one(IMAGE);
const push = () => one(REGISTRY_IMAGE);

describe("prod stack: data and names", () => {
    it("protects the data volumes and the certificates, and keeps them if they leave the program; not the tile cache, which is rebuilt", () => {
        // The backup tools' volume holds what every `up` writes again (scripts and a password): not data, not kept.
        const volumes = prod.mocks.ofType(VOLUME).filter((v) => v.inputs.name !== "geostack-prod-backup-files");
        expect(volumes.map((v) => v.inputs.name).sort()).toEqual([
            "geostack-prod-backups",
            "geostack-prod-geoserver-data",
            "geostack-prod-geoserver-tiles",
            "geostack-prod-postgis17-data",
            "geostack-prod-traefik-acme",
        ]);
        for (const v of volumes.filter((v) => v.inputs.name !== "geostack-prod-geoserver-tiles")) {
            expect(v.options, v.name).toMatchObject({ protect: true, retainOnDelete: true });
        }
        expect(prod.mocks.get(VOLUME, "geostack-geoserver-tiles").options).toMatchObject({ protect: false, retainOnDelete: false });
        expect(prod.mocks.get(VOLUME, "geostack-backup-files").options).toMatchObject({ protect: false, retainOnDelete: false });
    });

    it("does not protect what can be recreated, so containers can still be replaced", () => {
        for (const c of prod.mocks.ofType(CONTAINER)) expect(c.options.protect, c.name).toBe(false);
    });

    it("names everything for the prod stack, so it can share a host with dev", () => {
        expect(
            prod.mocks
                .ofType(CONTAINER)
                .map((c) => c.inputs.name)
                .sort(),
        ).toEqual([
            "geostack-prod-backup",
            "geostack-prod-backup-files",
            "geostack-prod-docker-socket-proxy",
            "geostack-prod-geoserver",
            "geostack-prod-postgis",
            "geostack-prod-traefik",
        ]);
        expect(envOf(geoserver()).GEOSERVER_CSRF_WHITELIST).toBe("geostack.example.org");
    });

    it("applies the stack's memory limits", () => {
        expect(geoserver().inputs.memory).toBe(4096);
        expect(container("postgis").inputs.memory).toBe(2048);
        expect(traefik().inputs.memory).toBe(256);
    });

    it("publishes no database port and creates no publish network", () => {
        expect(container("postgis").inputs.ports).toEqual([]);
        expect(prod.mocks.resources.filter((r) => r.name.endsWith("-publish"))).toEqual([]);
        expect(networksOf(container("postgis"))).toEqual([{ name: "geostack-prod-backend", aliases: ["postgis"] }]);
        expect(prod.outputs.databaseAddress.value).toBe("");
    });

    it("keeps passwords secret, distinct, and out of every non-secret input", () => {
        const passwords = ["geoserverAdminPassword", "databasePassword", "databaseSuperuserPassword"].map((o) => prod.outputs[o]);
        for (const p of passwords) expect(p.secret).toBe(true);
        expect(new Set(passwords.map((p) => p.value)).size).toBe(3);
        const plainInputs = JSON.stringify(prod.mocks.resources.map((r) => Object.values(r.inputs).filter((v) => !isSecret(v))));
        for (const p of passwords) expect(plainInputs).not.toContain(p.value);
    });
});

describe("prod stack: TLS", () => {
    it("renders with its placeholder domain and e-mail, warning at preview that Let's Encrypt refuses both", () => {
        expect(warnings).toEqual([
            "domain geostack.example.org is a documentation placeholder: Let's Encrypt will not issue it a certificate; set your server's name",
            "acmeEmail admin@example.org is a documentation placeholder: Let's Encrypt refuses an account with it; set a real address",
        ]);
    });

    it("runs an ACME resolver with the TLS-ALPN challenge, the configured e-mail and Let's Encrypt's production CA", () => {
        expect(traefik().inputs.command).toEqual(
            expect.arrayContaining([
                "--entrypoints.websecure.address=:443",
                "--entrypoints.websecure.http.tls.certresolver=letsencrypt",
                `--certificatesresolvers.letsencrypt.acme.email=${stackFile["geostack:acmeEmail"]}`,
                "--certificatesresolvers.letsencrypt.acme.tlschallenge=true",
                "--certificatesresolvers.letsencrypt.acme.storage=/letsencrypt/acme.json",
                "--certificatesresolvers.letsencrypt.acme.caserver=https://acme-v02.api.letsencrypt.org/directory",
            ]),
        );
        // acme.json lives on the protected volume above: certificates survive a replaced container and rate limits.
        expect(traefik().inputs.volumes).toEqual([{ volumeName: "geostack-prod-traefik-acme", containerPath: "/letsencrypt" }]);
    });

    it("redirects web to websecure permanently, at the entrypoint", () => {
        expect(traefik().inputs.command).toEqual(
            expect.arrayContaining([
                "--entrypoints.web.http.redirections.entrypoint.to=websecure",
                "--entrypoints.web.http.redirections.entrypoint.scheme=https",
                "--entrypoints.web.http.redirections.entrypoint.permanent=true",
            ]),
        );
    });

    it("serves every URL over https, GeoServer's PROXY_BASE_URL included", () => {
        expect(prod.outputs.geoserverUrl.value).toBe("https://geostack.example.org/geoserver/");
        expect(envOf(geoserver()).PROXY_BASE_URL).toBe("https://geostack.example.org/geoserver");
    });

    it("sends HSTS and the security headers on both routers", () => {
        expect(middleware("headers", "headers.stsseconds")).toBe("31536000");
        expect(middleware("headers", "headers.contenttypenosniff")).toBe("true");
        expect(middleware("headers", "headers.customframeoptionsvalue")).toBe("SAMEORIGIN");
        for (const r of ["public", "admin"]) {
            expect(router(r, "middlewares").split(","), r).toEqual(
                expect.arrayContaining(["geostack-prod-geoserver-headers", "geostack-prod-geoserver-compress"]),
            );
        }
    });
});

describe("prod stack: routing policy", () => {
    it("has a public router for the OGC paths and an admin router for the rest, on websecure, public first", () => {
        expect(router("public", "rule")).toMatch(
            /^Host\(`geostack\.example\.org`\) && \(PathRegexp\(`\^\/geoserver\/\(wms\|wfs\|wcs\|wmts\|ows\|gwc\/service\|ogc\/features\)/,
        );
        expect(router("admin", "rule")).toBe("Host(`geostack.example.org`) && PathPrefix(`/geoserver`)");
        expect(router("public", "entrypoints")).toBe("websecure");
        expect(router("admin", "entrypoints")).toBe("websecure");
        expect(Number(router("public", "priority"))).toBeGreaterThan(Number(router("admin", "priority")));
    });

    it("lets only the configured CIDRs reach the admin router", () => {
        expect(router("admin", "middlewares").split(",")[0]).toBe("geostack-prod-geoserver-admin-allowlist");
        expect(middleware("admin-allowlist", "ipallowlist.sourcerange").split(",")).toEqual(stackFile["geostack:adminAllowlist"]);
        expect(router("public", "middlewares")).not.toContain("allowlist");
    });

    it("rate-limits both routers per client IP with the default values", () => {
        for (const r of ["public", "admin"]) expect(router(r, "middlewares").split(","), r).toContain("geostack-prod-geoserver-ratelimit");
        expect(middleware("ratelimit", "ratelimit.average")).toBe("50");
        expect(middleware("ratelimit", "ratelimit.burst")).toBe("200");
    });
});

describe("prod stack: Docker socket and hardening", () => {
    it("grants no container more than it needs: no privileged mode, devices or host network; only the socket proxy mounts the socket, read-only", () => {
        for (const c of prod.mocks.ofType(CONTAINER)) {
            expect(c.inputs.privileged ?? false, c.name).toBe(false);
            expect(c.inputs.devices ?? [], c.name).toEqual([]);
            expect(c.inputs.networkMode, c.name).toBeUndefined();
            expect(c.inputs.pidMode ?? c.inputs.ipcMode, c.name).toBeUndefined();
        }
        const hostMounts = prod.mocks
            .ofType(CONTAINER)
            .flatMap((c) => (c.inputs.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => `${c.inputs.name} ${v.hostPath} ro=${v.readOnly}`));
        expect(hostMounts).toEqual([`geostack-prod-docker-socket-proxy ${SOCKET} ro=true`]);
        expect(socketProxy().inputs.volumes).toEqual([{ hostPath: SOCKET, containerPath: SOCKET, readOnly: true }]);
        expect(traefik().inputs.command).toContain("--providers.docker.endpoint=tcp://docker-socket-proxy:2375");
    });

    it("runs the official haproxy image on GeoStack's rules file, with no environment to switch sections on", () => {
        expect(prod.mocks.get(REMOTE_IMAGE, "geostack-traefik-docker-socket-proxy-image").inputs.name).toBe("haproxy:3.4.2-alpine");
        // The very file test/slow/docker-api-proxy.test.ts runs haproxy on, through the same entrypoint; not uploaded,
        // since Docker refuses uploads into a read-only container.
        const rules = fs.readFileSync(path.join(ROOT, "components/traefik/docker-api-proxy.cfg"), "utf8");
        expect(socketProxy().inputs.envs).toEqual([`DOCKER_API_PROXY_CONFIG=${rules}`]);
        expect(socketProxy().inputs.entrypoints.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
        expect(socketProxy().inputs.uploads ?? []).toEqual([]);
        expect(socketProxy().inputs.command ?? []).toEqual([]);
        // As the socket's owner (root), with every capability dropped: the image's own user cannot open the socket.
        expect(socketProxy().inputs.user).toBe("0:0");
    });

    it("puts the socket proxy on an internal network that only it and traefik join, its port unpublished", () => {
        const dockerApi = prod.mocks.ofType(NETWORK).find((n) => n.inputs.name === "geostack-prod-docker-api")!;
        expect(dockerApi.inputs.internal).toBe(true);
        const members = prod.mocks.ofType(CONTAINER).filter((c) => networksOf(c).some((n) => n.name === "geostack-prod-docker-api"));
        expect(members.map((c) => c.inputs.name).sort()).toEqual(["geostack-prod-docker-socket-proxy", "geostack-prod-traefik"]);
        expect(networksOf(socketProxy())).toEqual([{ name: "geostack-prod-docker-api", aliases: ["docker-socket-proxy"] }]);
        expect(socketProxy().inputs.ports ?? []).toEqual([]);
    });

    it("publishes exactly 80 and 443, both by traefik, on every IPv4 and IPv6 address, as the provider reads them back", () => {
        const published = prod.mocks.ofType(CONTAINER).flatMap((c) => (c.inputs.ports ?? []).map((p: any) => `${c.inputs.name} ${p.ip} ${p.external}`));
        expect(published).toEqual([
            "geostack-prod-traefik 0.0.0.0 80",
            "geostack-prod-traefik :: 80",
            "geostack-prod-traefik 0.0.0.0 443",
            "geostack-prod-traefik :: 443",
        ]);
    });

    it("gives the proxy network IPv6, so traefik sees an IPv6 client's own address for the allowlist and rate limits", () => {
        const networks = Object.fromEntries(prod.mocks.ofType(NETWORK).map((n) => [n.inputs.name, n.inputs.ipv6]));
        expect(networks).toEqual({ "geostack-prod-backend": undefined, "geostack-prod-proxy": true, "geostack-prod-docker-api": undefined });
        expect(stackFile["geostack:adminAllowlist"].some((cidr: string) => cidr.includes(":"))).toBe(true);
    });

    it("routes only its own stack's containers, whatever else runs on the host", () => {
        expect(traefik().inputs.command).toContain("--providers.docker.constraints=Label(`geostack.instance`,`geostack-prod`)");
        for (const c of prod.mocks.ofType(CONTAINER)) expect(labelsOf(c)["geostack.instance"], c.name).toBe("geostack-prod");
    });

    it("runs traefik and the socket proxy read-only, with capabilities dropped", () => {
        expect(traefik().inputs).toMatchObject({
            readOnly: true,
            capabilities: { drops: ["ALL"], adds: ["CAP_NET_BIND_SERVICE"] },
            securityOpts: ["no-new-privileges:true"],
        });
        expect(socketProxy().inputs).toMatchObject({ readOnly: true, capabilities: { drops: ["ALL"] }, securityOpts: ["no-new-privileges:true"] });
        expect(socketProxy().inputs.tmpfs).toEqual({ "/tmp": "rw,noexec,nosuid,nodev,size=1m" });
    });

    it("limits every container's CPU and memory and drops every capability it does not need (CIS 5.3, 5.10, 5.11)", () => {
        const hardening = Object.fromEntries(
            prod.mocks
                .ofType(CONTAINER)
                .map((c) => [c.inputs.name, { cpus: c.inputs.cpus, caps: c.inputs.capabilities, readOnly: c.inputs.readOnly ?? false, user: c.inputs.user }]),
        );
        expect(hardening).toEqual({
            "geostack-prod-postgis": { cpus: "2.0", caps: { drops: ["ALL"] }, readOnly: false, user: "999:999" },
            "geostack-prod-geoserver": { cpus: "2.0", caps: { drops: ["ALL"] }, readOnly: false, user: undefined },
            "geostack-prod-traefik": { cpus: "1.0", caps: { drops: ["ALL"], adds: ["CAP_NET_BIND_SERVICE"] }, readOnly: true, user: undefined },
            "geostack-prod-docker-socket-proxy": { cpus: "0.5", caps: { drops: ["ALL"] }, readOnly: true, user: "0:0" },
            "geostack-prod-backup": { cpus: "1.0", caps: { drops: ["ALL"] }, readOnly: true, user: "999:999" },
            // Never started: it only carries the backup's files into their volume, which a read-only root cannot take.
            "geostack-prod-backup-files": { cpus: "0.1", caps: { drops: ["ALL"] }, readOnly: false, user: undefined },
        });
    });

    it("serves metrics and access logs, but no dashboard while `dashboard` is off", () => {
        expect(traefik().inputs.command).toEqual(
            expect.arrayContaining([
                "--accesslog=true",
                "--metrics.prometheus=true",
                "--metrics.prometheus.entrypoint=metrics",
                "--entrypoints.metrics.address=:8082",
            ]),
        );
        expect(traefik().inputs.command.filter((f: string) => f.startsWith("--api"))).toEqual([]);
        expect(labelsOf(traefik())["traefik.enable"]).toBeUndefined();
        expect(prod.mocks.ofType(RANDOM_PASSWORD).map((p) => p.name)).not.toContain("geostack-traefik-dashboard-password");
        expect(prod.outputs.traefikDashboardUrl.value).toBe("");
    });

    it("starts traefik after the socket proxy is healthy", () => {
        expect(socketProxy().inputs.wait).toBe(true);
        expect(traefik().options.dependencies).toContain(socketProxy().urn);
    });

    it.each(Object.keys(DOCKER_HOSTS))("leaves every container alone at the next `pulumi up` on %s", (host) => {
        for (const c of prod.mocks.ofType(CONTAINER)) expect(nextPlan(c, DOCKER_HOSTS[host]), c.name).toEqual([]);
    });

    it("runs every container by image ID, so `up` does not replace containers whose image did not change", () => {
        const imageIds = new Set([...prod.mocks.ofType(REMOTE_IMAGE).map((r) => r.state.imageId), image().state.digest]);
        for (const c of prod.mocks.ofType(CONTAINER)) expect(imageIds.has(reveal(c.inputs.image)), c.name).toBe(true);
    });
});

describe("prod stack: the GeoServer image", () => {
    it("is built by the server's engine and loaded there, caching from the previous push of the version", () => {
        const { inputs } = image();
        expect(inputs).toMatchObject({ tags: [`${REPOSITORY}:2.28.4`], builder: { name: "default" }, load: true, push: false });
        expect(reveal(inputs.registries)).toEqual([{ address: "ghcr.io", username: "example-user", password: TOKEN }]);
        expect(inputs.cacheFrom).toEqual([{ registry: { ref: `${REPOSITORY}:2.28.4` } }]);
        expect(inputs.cacheTo).toEqual([{ inline: {} }]);
    });

    it("is pushed by the engine once built, by the tag the build gave it, and never deleted from the registry", () => {
        expect(push().inputs).toMatchObject({ name: `${REPOSITORY}:2.28.4`, keepRemotely: true, triggers: { imageId: image().state.digest } });
        expect(reveal(push().inputs.authConfig)).toEqual({ address: "ghcr.io", username: "example-user", password: TOKEN });
        expect(push().options.dependencies).toContain(image().urn);
    });

    it("keeps the registry token a secret in the two inputs that hold it, and out of every output", () => {
        const found = prod.mocks.resources.flatMap((r) => occurrences(r.inputs, TOKEN).map((o) => ({ resource: r.name, ...o })));
        expect(found.map((o) => `${o.resource} ${o.path}`).sort()).toEqual([
            "geostack-geoserver-image registries[0].password",
            "geostack-geoserver-image-push authConfig.password",
        ]);
        for (const o of found) expect(o.secret, `${o.resource} ${o.path}`).toBe(true);
        for (const [name, output] of Object.entries(prod.outputs)) expect(occurrences(output.value, TOKEN), name).toEqual([]);
    });

    // Issue 16: the image was built on this very host, so the container waits for no registry round-trip.
    it("runs in the GeoServer container by its local image ID, waiting for the build but not for the push", () => {
        expect(reveal(geoserver().inputs.image)).toBe(image().state.digest);
        expect(geoserver().options.dependencies).toContain(image().urn);
        expect(geoserver().options.dependencies).not.toContain(push().urn);
        expect(prod.mocks.ofType(REMOTE_IMAGE).filter((r) => r.name.includes("geoserver"))).toEqual([]);
    });

    it("records the digest the registry reports for that push", () => {
        expect(prod.outputs.geoserverImageName).toEqual({ value: `${REPOSITORY}:2.28.4`, secret: false });
        expect(prod.outputs.geoserverImageDigest).toEqual({ value: `${REPOSITORY}@${push().state.sha256Digest}`, secret: false });
    });
});

describe("render of the prod stack", () => {
    it("shows the data volumes protected and retained on delete", () => {
        const volumes = rendered.resources.filter((r) => r.type === VOLUME && r.name !== "geostack-geoserver-tiles" && r.name !== "geostack-backup-files");
        expect(volumes.length).toBe(4);
        for (const v of volumes) expect(v, v.name).toMatchObject({ protect: true, retainOnDelete: true });
        expect(formatText(rendered)).toMatch(
            /docker:index\/volume:Volume {2}geostack-postgis-data-pg17\n {2}parent: geostack-postgis\n {2}protect: true\n {2}retainOnDelete: true\n/,
        );
    });

    it("shows traefik's ports on both address families, IPv6 addresses in brackets", () => {
        const traefikRender = rendered.resources.find((r) => r.type === CONTAINER && r.properties.name === "geostack-prod-traefik")!;
        expect(traefikRender.properties.ports).toEqual(["0.0.0.0:80 -> 80/tcp", "[::]:80 -> 80/tcp", "0.0.0.0:443 -> 443/tcp", "[::]:443 -> 443/tcp"]);
    });

    it("masks secrets and prints no generated password, nor the registry token, anywhere", () => {
        expect(rendered.outputs.databasePassword).toBe(SECRET);
        const secrets = [...secretValues(prod), TOKEN];
        expect(secrets.length).toBeGreaterThanOrEqual(7);
        for (const output of [formatText(rendered), formatJson(rendered)]) {
            for (const secret of secrets) expect(output.includes(secret), "a secret value leaked").toBe(false);
        }
    });
});
