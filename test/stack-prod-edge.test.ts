import { beforeAll, describe, expect, it } from "vitest";
import { deployStack, Deployed, readYaml } from "./harness";
import { envOf, labelsOf, networksOf, RegisteredResource, reveal } from "../render/mocks";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const SOCKET = "/var/run/docker.sock";

const stackFile = readYaml("Pulumi.prod.yaml").config;
const projectFile = readYaml("Pulumi.yaml").config;

let prod: Deployed;
beforeAll(async () => {
    prod = await deployStack("prod");
});

const byName = (name: string): RegisteredResource => {
    const found = prod.mocks.ofType(CONTAINER).find((c) => c.inputs.name === name);
    if (!found) throw new Error(`no container ${name}`);
    return found;
};
const traefik = () => byName("geostack-prod-traefik");
const socketProxy = () => byName("geostack-prod-docker-socket-proxy");
const geoserver = () => byName("geostack-prod-geoserver");
const networkNames = (c: RegisteredResource): string[] => networksOf(c).map((n) => n.name);
const router = (name: string, field: string) => labelsOf(geoserver())[`traefik.http.routers.geostack-prod-geoserver-${name}.${field}`];
const middleware = (name: string, field: string) => labelsOf(geoserver())[`traefik.http.middlewares.geostack-prod-geoserver-${name}.${field}`];

describe("prod stack: TLS", () => {
    it("runs an ACME resolver with the TLS-ALPN challenge, the configured e-mail and Let's Encrypt's production CA", () => {
        expect(stackFile["geostack:tls"]).toBe(true);
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
    });

    it("keeps acme.json on a protected volume that outlives the stack", () => {
        const acme = prod.mocks.ofType(VOLUME).find((v) => v.inputs.name === "geostack-prod-traefik-acme")!;
        expect(acme.options).toMatchObject({ protect: true, retainOnDelete: true });
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
        for (const r of ["public", "admin"]) expect(router(r, "middlewares").split(","), r).toEqual(expect.arrayContaining(["geostack-prod-geoserver-headers", "geostack-prod-geoserver-compress"]));
    });
});

describe("prod stack: routing policy", () => {
    it("has a public router for the OGC paths and an admin router for the rest, on websecure, public first", () => {
        expect(router("public", "rule")).toMatch(/^Host\(`geostack\.example\.org`\) && \(PathRegexp\(`\^\/geoserver\/\(wms\|wfs\|wcs\|wmts\|ows\|gwc\/service\)/);
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

    it("rate-limits both routers per client IP with the configured values", () => {
        for (const r of ["public", "admin"]) expect(router(r, "middlewares").split(","), r).toContain("geostack-prod-geoserver-ratelimit");
        expect(middleware("ratelimit", "ratelimit.average")).toBe(String(stackFile["geostack:rateLimitAverage"] ?? projectFile.rateLimitAverage.default));
        expect(middleware("ratelimit", "ratelimit.burst")).toBe(String(stackFile["geostack:rateLimitBurst"] ?? projectFile.rateLimitBurst.default));
    });
});

describe("prod stack: Docker socket", () => {
    it("never mounts the Docker socket into traefik", () => {
        expect(traefik().inputs.volumes.filter((v: any) => v.hostPath !== undefined)).toEqual([]);
        expect(traefik().inputs.command).toContain("--providers.docker.endpoint=tcp://docker-socket-proxy:2375");
    });

    it("mounts it read-only into the socket proxy alone, which allows only reading containers", () => {
        const mounting = prod.mocks.ofType(CONTAINER).filter((c) => (c.inputs.volumes ?? []).some((v: any) => v.hostPath === SOCKET));
        expect(mounting.map((c) => c.inputs.name)).toEqual(["geostack-prod-docker-socket-proxy"]);
        expect(socketProxy().inputs.volumes).toEqual([{ hostPath: SOCKET, containerPath: SOCKET, readOnly: true }]);
        expect(envOf(socketProxy())).toMatchObject({ CONTAINERS: "1", POST: "0", EXEC: "0", IMAGES: "0", NETWORKS: "0", VOLUMES: "0", SECRETS: "0", AUTH: "0", INFO: "0" });
    });

    it("puts the socket proxy on an internal network that only it and traefik join, its port unpublished", () => {
        const dockerApi = prod.mocks.ofType(NETWORK).find((n) => n.inputs.name === "geostack-prod-docker-api")!;
        expect(dockerApi.inputs.internal).toBe(true);
        const members = prod.mocks.ofType(CONTAINER).filter((c) => networkNames(c).includes("geostack-prod-docker-api"));
        expect(members.map((c) => c.inputs.name).sort()).toEqual(["geostack-prod-docker-socket-proxy", "geostack-prod-traefik"]);
        expect(networkNames(socketProxy())).toEqual(["geostack-prod-docker-api"]);
        expect(reveal(socketProxy().inputs.networksAdvanced)).toEqual([{ name: "geostack-prod-docker-api", aliases: ["docker-socket-proxy"] }]);
        expect(socketProxy().inputs.ports ?? []).toEqual([]);
    });
});

describe("prod stack: hardening", () => {
    it("publishes exactly 80 and 443, both by traefik", () => {
        const published = prod.mocks.ofType(CONTAINER).flatMap((c) => (c.inputs.ports ?? []).map((p: any) => ({ container: c.inputs.name, external: p.external })));
        expect(published).toEqual([
            { container: "geostack-prod-traefik", external: 80 },
            { container: "geostack-prod-traefik", external: 443 },
        ]);
    });

    it("runs traefik and the socket proxy read-only, with capabilities dropped", () => {
        expect(traefik().inputs).toMatchObject({ readOnly: true, capabilities: { drops: ["ALL"], adds: ["CAP_NET_BIND_SERVICE"] }, securityOpts: ["no-new-privileges:true"] });
        expect(socketProxy().inputs).toMatchObject({ readOnly: true, capabilities: { drops: ["ALL"] }, securityOpts: ["no-new-privileges:true"] });
        expect(Object.keys(socketProxy().inputs.tmpfs).sort()).toEqual(["/run", "/tmp"]);
    });

    it("serves metrics and access logs, but no dashboard while `dashboard` is off", () => {
        expect(traefik().inputs.command).toEqual(expect.arrayContaining(["--accesslog=true", "--metrics.prometheus=true", "--metrics.prometheus.entrypoint=metrics", "--entrypoints.metrics.address=:8082"]));
        expect(traefik().inputs.command.filter((f: string) => f.startsWith("--api"))).toEqual([]);
        expect(labelsOf(traefik())["traefik.enable"]).toBeUndefined();
        expect(prod.mocks.ofType(PASSWORD).map((p) => p.name)).not.toContain("geostack-traefik-dashboard-password");
        expect(prod.outputs.traefikDashboardUrl.value).toBe("");
    });

    it("starts traefik after the socket proxy is healthy", () => {
        expect(socketProxy().inputs.wait).toBe(true);
        expect(traefik().options.dependencies).toContain(socketProxy().urn);
    });
});
