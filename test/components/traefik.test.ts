// TraefikProxy and its DockerSocketProxy, each on its own, given only a network: no GeoStack, no stack config.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { DOCKER_SOCKET_PROXY_SPEC, DockerSocketProxy, TRAEFIK_SPEC, TraefikProxy } from "../../components";
import { installMocks, type ProviderMocks, reveal, settle } from "../../tools/render/mocks";
import { attempt, expectRefusal, type RefusalCase, registrationsDone, titleOf, uncovered } from "../support/refusals";
import { CONTAINER, NETWORK, networksOf, VOLUME } from "../support/resources";

let mocks: ProviderMocks;
let edge: TraefikProxy;
let socketProxy: DockerSocketProxy;

beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    mocks = installMocks("some-other-project", "staging");
    edge = new TraefikProxy("edge", { proxyNetworkName: "web" });
    new TraefikProxy("tlsedge", { namePrefix: "t", proxyNetworkName: "web", tls: true, acmeEmail: "ops@example.org", protectData: false });
    new TraefikProxy("laptop", { proxyNetworkName: "web", httpPort: 8080, loopbackOnly: true });
    new TraefikProxy("v4edge", { proxyNetworkName: "web", tls: true, acmeEmail: "ops@example.org", httpPort: 8000, httpsPort: 8443, ipv6: false });
    socketProxy = new DockerSocketProxy("api", {});
    await registrationsDone();
});

/** `<type> <name>` of the resources the component registered directly. */
async function children(component: pulumi.ComponentResource): Promise<string[]> {
    const urn = (await settle(component.urn)).value;
    return mocks.resources
        .filter((r) => r.options.parent === urn)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

describe("TraefikProxy given only a network", () => {
    it("creates its container and its Docker socket proxy, named after the component", async () => {
        expect(await children(edge)).toEqual([
            "docker:index/container:Container edge",
            "docker:index/remoteImage:RemoteImage edge-image",
            "geostack:index:DockerSocketProxy edge-docker-socket-proxy",
        ]);
        expect(mocks.get(CONTAINER, "edge").inputs.name).toBe("edge-traefik");
    });

    it("routes on the given network and reads Docker only through the proxy's network", () => {
        const container = mocks.get(CONTAINER, "edge");
        expect(container.inputs.command).toContain("--providers.docker.network=web");
        expect(networksOf(container)).toEqual([{ name: "web" }, { name: "edge-docker-api" }]);
    });

    it("publishes only port 80, on IPv4 and IPv6, and keeps no certificates volume without TLS", () => {
        expect(mocks.get(CONTAINER, "edge").inputs.ports).toEqual([
            { internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" },
            { internal: 80, external: 80, ip: "::", protocol: "tcp" },
        ]);
        expect(mocks.ofType(VOLUME).map((v) => v.name)).not.toContain("edge-acme");
    });

    it("outputs no dashboard", async () => {
        expect((await settle(edge.dashboardUrl)).value).toBe("");
        expect((await settle(edge.dashboardPassword)).secret).toBe(true);
    });

    it("names nothing after the project or stack it runs in", () => {
        for (const r of mocks.resources) expect(JSON.stringify(reveal(r.inputs))).not.toMatch(/some-other-project|staging/);
    });
});

describe("TraefikProxy with TLS", () => {
    it("publishes 443 as well as 80", () => {
        expect(mocks.get(CONTAINER, "tlsedge").inputs.ports).toEqual([
            { internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" },
            { internal: 80, external: 80, ip: "::", protocol: "tcp" },
            { internal: 443, external: 443, ip: "0.0.0.0", protocol: "tcp" },
            { internal: 443, external: 443, ip: "::", protocol: "tcp" },
        ]);
    });

    it("publishes on the host ports it is given, on loopback only or IPv4 only when asked", () => {
        expect(mocks.get(CONTAINER, "laptop").inputs.ports).toEqual([
            { internal: 80, external: 8080, ip: "127.0.0.1", protocol: "tcp" },
            { internal: 80, external: 8080, ip: "::1", protocol: "tcp" },
        ]);
        expect(mocks.get(CONTAINER, "v4edge").inputs.ports).toEqual([
            { internal: 80, external: 8000, ip: "0.0.0.0", protocol: "tcp" },
            { internal: 443, external: 8443, ip: "0.0.0.0", protocol: "tcp" },
        ]);
        expect(mocks.get(CONTAINER, "v4edge").inputs.command).toContain("--entrypoints.web.http.redirections.entrypoint.to=:8443");
    });

    it("routes only containers labelled with its own instance, its name prefix", () => {
        expect(mocks.get(CONTAINER, "tlsedge").inputs.command).toContain("--providers.docker.constraints=Label(`geostack.instance`,`t`)");
    });

    it("keeps the certificates volume when deleted even where data is not protected (Let's Encrypt rate limits)", () => {
        expect(mocks.get(VOLUME, "tlsedge-acme").inputs.name).toBe("t-traefik-acme");
        expect(mocks.get(VOLUME, "tlsedge-acme").options).toMatchObject({ protect: false, retainOnDelete: true });
    });
});

describe("DockerSocketProxy on its own", () => {
    it("sits alone on an internal network named after the component, reachable at docker-socket-proxy:2375", async () => {
        expect(mocks.get(NETWORK, "api-network").inputs).toMatchObject({ name: "api-docker-api", internal: true });
        expect(networksOf(mocks.get(CONTAINER, "api"))).toEqual([{ name: "api-docker-api", aliases: ["docker-socket-proxy"] }]);
        expect((await settle(socketProxy.networkName)).value).toBe("api-docker-api");
        expect((await settle(socketProxy.endpoint)).value).toBe("tcp://docker-socket-proxy:2375");
    });

    it("mounts the socket read-only and publishes nothing", () => {
        const container = mocks.get(CONTAINER, "api");
        expect(container.inputs.name).toBe("api-docker-socket-proxy");
        expect(container.inputs.volumes).toEqual([{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }]);
        expect(container.inputs.ports).toEqual([]);
    });
});

describe("TraefikProxy refuses bad args before registering anything", () => {
    const context = 'Invalid arguments for TraefikProxy "bad"';
    const base = { proxyNetworkName: "web" };
    const cases: RefusalCase[] = [
        { args: { namePrefix: "-x" } },
        { args: { domain: "Maps.Example.org" } },
        // Older releases cannot talk to Docker Engine 29+.
        { args: { image: "traefik:v2.10" } },
        { args: { memoryMb: 32 } },
        { args: { cpus: "one" } },
        { args: { dockerSocketGroupId: -5 } },
        { args: { acmeEmail: "ops" } },
        { args: { adminAllowlist: ["10.0.0.0/33"] } },
        { args: { rateLimitAverage: 0 } },
        { args: { rateLimitBurst: -1 } },
        { args: { dockerSocketProxyImage: "not a reference" } },
        { args: { httpPort: 0 } },
        { args: { httpsPort: 65536 } },
        {
            args: { tls: true, acmeEmail: "ops@example.org", httpsPort: 80 },
            message: /^httpsPort = 80: expected another port than httpPort \(80\), since tls is true/,
        },
        { args: { tls: true }, message: /^acmeEmail is required when tls is true: the Let's Encrypt account's e-mail$/ },
        {
            args: { tls: true, acmeEmail: "ops@example.org", domain: "maps.local" },
            message: /^domain = "maps\.local": expected a public DNS name Let's Encrypt can certify .*, since tls is true/,
        },
        { args: { dashboard: true, domain: "maps.example.org" }, message: /^adminAllowlist = \[\]: expected at least one CIDR, since dashboard is true/ },
        { args: { dashboard: true, adminAllowlist: ["10.0.0.0/8"] }, message: /^domain is required when dashboard is true$/ },
    ];

    it("has a case for every arg with a check and every rule", () => {
        expect(uncovered(TRAEFIK_SPEC, base, cases)).toEqual({ args: [], rules: [] });
    });

    it.each(cases.map((c) => [titleOf(c), c] as const))("%s", (_, refusal) =>
        expectRefusal(TRAEFIK_SPEC, context, base, refusal, (args) => new TraefikProxy("bad", args as any)),
    );

    it("takes the component name as the name prefix only if Docker can use it", async () => {
        const { error, registered } = await attempt(() => new TraefikProxy("bad name", base));
        expect((error as Error).message).toMatch(
            /^Invalid arguments for TraefikProxy "bad name" .*\n {2}- namePrefix = "bad name": expected a prefix of lower-case letters/,
        );
        expect(registered).toEqual([]);
    });
});

describe("DockerSocketProxy refuses bad args before registering anything", () => {
    const context = 'Invalid arguments for DockerSocketProxy "bad"';
    const cases: RefusalCase[] = [
        { args: { namePrefix: "-x" } },
        { args: { image: "not a reference" } },
        { args: { memoryMb: 16 } },
        { args: { cpus: "0.05" } },
        { args: { socketGroupId: 0 } },
    ];

    it("has a case for every arg with a check", () => {
        expect(uncovered(DOCKER_SOCKET_PROXY_SPEC, {}, cases)).toEqual({ args: [], rules: [] });
    });

    it.each(cases.map((c) => [titleOf(c), c] as const))("%s", (_, refusal) =>
        expectRefusal(DOCKER_SOCKET_PROXY_SPEC, context, {}, refusal, (args) => new DockerSocketProxy("bad", args)),
    );
});
