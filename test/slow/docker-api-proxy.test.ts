// The Docker API proxy's rules (components/traefik/docker-api-proxy.cfg), run by the real HAProxy from Debian's
// packages on the very text the container gets, in front of:
// - a recording stub of the Docker API on a unix socket: every request of a table, path tricks included, is sent as
//   raw bytes, and the test checks what reached the stub, byte for byte, or that nothing did;
// - a real Docker Engine (Debian's docker.io, started as a plain process with its own socket and state): Docker's own
//   CLI works through the proxy for what traefik needs and is refused for the rest, which works directly.
//
// Needs haproxy (and dockerd, docker and root for the second part): see .ci/install-haproxy.sh. Without them each
// part is skipped with a warning, unless GEOSTACK_REQUIRE_HAPROXY=1 / GEOSTACK_REQUIRE_DOCKERD=1 (CI).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SWARM_DOCKER_API_PROVIDER_ENV } from "../../components/swarm/swarm";
import { DOCKER_API_PROXY_CONFIG_ENV, DOCKER_API_PROXY_ENTRYPOINT, DOCKER_SOCKET, dockerApiProxyConfig } from "../../components/traefik/socket-proxy";

const onPath = (name: string) => ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"].map((dir) => path.join(dir, name)).find(fs.existsSync);
const HAPROXY = onPath("haproxy");
const DOCKERD = onPath("dockerd");
// Debian's client, of the same release as its engine.
const DOCKER_CLI = ["/usr/bin/docker", onPath("docker")].find((file) => file !== undefined && fs.existsSync(file));
const REQUIRE_HAPROXY = process.env.GEOSTACK_REQUIRE_HAPROXY === "1";
const REQUIRE_DOCKERD = process.env.GEOSTACK_REQUIRE_DOCKERD === "1";
const isRoot = process.getuid?.() === 0;

if (!HAPROXY) console.warn(`[docker-api-proxy.test] ${REQUIRE_HAPROXY ? "FAILING" : "SKIPPING"}: no haproxy; run .ci/install-haproxy.sh as root.`);
const dockerMissing = !DOCKERD || !DOCKER_CLI ? "dockerd or docker" : !isRoot ? "root (dockerd runs as root)" : undefined;
if (dockerMissing) console.warn(`[docker-api-proxy.test] ${REQUIRE_DOCKERD ? "FAILING" : "SKIPPING"} the real Docker part: missing ${dockerMissing}.`);

// ---------------------------------------------------------------- processes

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address() as net.AddressInfo;
            server.close(() => resolve(address.port));
        });
    });
}

async function waitFor(what: string, ready: () => Promise<boolean> | boolean, log: () => string, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        if (await ready()) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${what} did not come up within ${timeoutMs} ms\n${log()}`);
}

const canConnect = (port: number) =>
    new Promise<boolean>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.end(() => resolve(true)));
        socket.once("error", () => resolve(false));
    });

interface Haproxy {
    port: number;
    output: () => string;
    stop: () => void;
}

/** HAProxy started by the container's own entrypoint and environment; only the listen address and the socket differ. */
async function startHaproxy(dir: string, socket: string, as?: { uid: number; gid: number }, provider?: string): Promise<Haproxy> {
    const port = await freePort();
    const [shell, ...args] = DOCKER_API_PROXY_ENTRYPOINT;
    const child = spawn(shell, args, {
        // Dropping root this way also drops every supplementary group (libuv): the gid is the only group.
        uid: as?.uid,
        gid: as?.gid,
        env: {
            PATH: process.env.PATH,
            TMPDIR: dir,
            [DOCKER_API_PROXY_CONFIG_ENV]: dockerApiProxyConfig(),
            DOCKER_API_PROXY_LISTEN: `127.0.0.1:${port}`,
            DOCKER_SOCKET: socket,
            ...(provider === undefined ? {} : { DOCKER_API_PROXY_PROVIDER: provider }),
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    await waitFor(
        "haproxy",
        () => canConnect(port),
        () => output,
    );
    return { port, output: () => output, stop: () => child.kill("SIGKILL") };
}

// ---------------------------------------------------------------- raw HTTP

interface RawResponse {
    /** Status of each response on the connection, in order. */
    statuses: number[];
    text: string;
}

/** Sends `bytes` as they are on one connection and reads until the server closes it. */
function sendRaw(port: number, bytes: string): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
        let text = "";
        const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
        socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(bytes)}`)));
        socket.on("data", (d) => (text += d.toString("latin1")));
        socket.on("error", reject);
        socket.on("close", () => resolve({ statuses: [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1])), text }));
    });
}

const request = (method: string, target: string, headers: string[] = []) =>
    [`${method} ${target} HTTP/1.1`, "Host: docker", ...headers, "Connection: close", "", ""].join("\r\n");

// ---------------------------------------------------------------- the table

const ID = "3f4e1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
const FILTERS = encodeURIComponent(JSON.stringify({ type: { container: true } }));

/** What traefik v3.6's docker provider sends (moby client: HEAD /_ping, falling back to GET, then versioned calls). */
const ALLOWED: [method: string, target: string][] = [
    ["HEAD", "/_ping"],
    ["GET", "/_ping"],
    ["GET", "/v1.51/version"],
    ["GET", "/v1.51/containers/json?all=1"],
    ["GET", `/v1.51/containers/${ID}/json`],
    ["GET", `/v1.51/events?filters=${FILTERS}`],
    // The same without the version prefix, and an older API version, as a client that does not negotiate sends.
    ["GET", "/version"],
    ["GET", "/containers/json"],
    ["GET", "/v1.24/containers/geostack-prod-geoserver/json"],
    ["HEAD", "/v1.51/containers/json"],
];

interface Refused {
    why: string;
    bytes: string;
    /** 403 from the rules; 400 where HAProxy's own parser refuses the request first. */
    status: 403 | 400;
}
const refused = (why: string, method: string, target: string, headers: string[] = []): Refused => ({
    why,
    bytes: request(method, target, headers),
    // HAProxy's parser refuses CONNECT to an origin-form target before any rule runs.
    status: method === "CONNECT" ? 400 : 403,
});

const REFUSED: Refused[] = [
    // Other methods on allowed paths.
    ...["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"].map((m) => refused(`${m} is not a read`, m, `/v1.51/containers/${ID}/json`)),
    refused("creating a container", "POST", "/v1.51/containers/create"),
    refused("starting a container", "POST", `/v1.51/containers/${ID}/start`),
    refused("exec", "POST", `/v1.51/containers/${ID}/exec`),
    // Other GETs under /containers: what tecnativa's CONTAINERS=1 let through.
    refused("a file of a container", "GET", `/v1.51/containers/${ID}/archive?path=/var/lib/postgresql/data/pg_hba.conf`),
    refused("a file's stat (HEAD archive)", "HEAD", `/v1.51/containers/${ID}/archive?path=/`),
    refused("a container's filesystem", "GET", `/v1.51/containers/${ID}/export`),
    refused("logs", "GET", `/v1.51/containers/${ID}/logs?stdout=1`),
    refused("attach over websocket", "GET", `/v1.51/containers/${ID}/attach/ws?stream=1`, [
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ]),
    refused("processes", "GET", `/v1.51/containers/${ID}/top`),
    refused("stats", "GET", `/v1.51/containers/${ID}/stats`),
    refused("changes", "GET", `/v1.51/containers/${ID}/changes`),
    // Other sections.
    ...[
        "images/json",
        "info",
        "volumes",
        "networks",
        "secrets",
        "configs",
        "services",
        "tasks",
        "nodes",
        "swarm",
        "plugins",
        "system/df",
        "exec/x/json",
        "distribution/x/json",
    ].map((p) => refused(`/${p}`, "GET", `/v1.51/${p}`)),
    refused("another API version, forbidden path", "GET", `/v1.99/containers/${ID}/archive?path=/`),
    refused("a version prefix Docker would accept but traefik never sends", "GET", "/v1/containers/json"),
    refused("upper case", "GET", "/v1.51/Containers/json"),
    // Path tricks: nothing that needs decoding or cleaning matches.
    refused("%2e%2e to another section", "GET", "/v1.51/containers/%2e%2e/images/json"),
    refused("%2e%2e segments to archive", "GET", `/v1.51/containers/${ID}/json/%2e%2e/archive`),
    refused("encoded slash in the id", "GET", `/v1.51/containers/${ID}%2Farchive/json`),
    refused("percent-encoded letters", "GET", "/v1.51/%63ontainers/json"),
    refused("a NUL byte", "GET", "/v1.51/containers/json%00"),
    refused("dot-dot segments", "GET", `/v1.51/containers/${ID}/json/../archive`),
    refused("dot-dot before the section", "GET", "/v1.51/containers/../images/json"),
    refused("a dot segment", "GET", "/v1.51/./containers/json"),
    refused("a leading double slash", "GET", "//v1.51/containers/json"),
    refused("an inner double slash", "GET", "/v1.51//containers/json"),
    refused("an empty id", "GET", "/v1.51/containers//json"),
    refused("a path parameter", "GET", `/v1.51/containers/${ID};x=1/json`),
    refused("a path parameter after json", "GET", "/v1.51/containers/json;archive"),
    refused("..; segment", "GET", `/v1.51/containers/${ID}/json/..;/archive`),
    refused("a trailing segment", "GET", `/v1.51/containers/${ID}/json/archive`),
    refused("a trailing slash", "GET", "/v1.51/containers/json/"),
    refused("a backslash", "GET", "/v1.51/containers\\json"),
    refused("an absolute URI", "GET", "http://docker/v1.51/images/json"),
    refused("an absolute URI of an allowed path", "GET", "http://docker/v1.51/containers/json"),
    refused("the asterisk form", "OPTIONS", "*"),
    refused("a protocol upgrade on an allowed path", "GET", `/v1.51/containers/${ID}/json`, ["Upgrade: tcp", "Connection: Upgrade"]),
    refused("a Connection: upgrade without Upgrade", "GET", "/_ping", ["Connection: keep-alive, Upgrade"]),
];

// ---------------------------------------------------------------- against a recording stub

describe.skipIf(!HAPROXY && !REQUIRE_HAPROXY)("the Docker API proxy rules in Debian's haproxy, in front of a recording stub", () => {
    let dir = "";
    let stub: http.Server;
    let proxy: Haproxy;
    const received: { method: string; url: string }[] = [];

    beforeAll(async () => {
        if (!HAPROXY) throw new Error("GEOSTACK_REQUIRE_HAPROXY=1 but haproxy is not installed");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-haproxy-"));
        const socket = path.join(dir, "docker.sock");
        stub = http.createServer((req, res) => {
            received.push({ method: req.method!, url: req.url! });
            req.resume();
            res.writeHead(200, { "Content-Type": "application/json", "Api-Version": "1.51" });
            res.end(req.method === "HEAD" ? undefined : '{"stub":true}');
        });
        await new Promise<void>((resolve) => stub.listen(socket, resolve));
        proxy = await startHaproxy(dir, socket);
    });

    afterAll(() => {
        proxy?.stop();
        stub?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is written by the entrypoint exactly as committed", () => {
        expect(fs.readFileSync(path.join(dir, "haproxy.cfg"), "utf8")).toBe(`${dockerApiProxyConfig()}\n`);
    });

    it("is a configuration haproxy accepts without a warning", () => {
        const file = path.join(dir, "check.cfg");
        fs.writeFileSync(file, dockerApiProxyConfig());
        const r = spawnSync(HAPROXY!, ["-c", "-f", file], { encoding: "utf8", env: { DOCKER_SOCKET: path.join(dir, "docker.sock") } });
        expect(r.status, r.stderr).toBe(0);
        expect(`${r.stdout}${r.stderr}`).not.toMatch(/WARNING|ALERT/);
    });

    it("defaults to the container's socket and port when the environment says nothing", () => {
        const config = dockerApiProxyConfig();
        expect(config).toContain(`presetenv DOCKER_SOCKET ${DOCKER_SOCKET}`);
        expect(config).toContain("presetenv DOCKER_API_PROXY_LISTEN :2375");
    });

    it.each(ALLOWED)("forwards %s %s to Docker exactly as sent", async (method, target) => {
        received.length = 0;
        const response = await sendRaw(proxy.port, request(method, target));
        expect(response.statuses, response.text).toEqual([200]);
        expect(received).toEqual([{ method, url: target }]);
    });

    it.each(REFUSED.map((r) => [r.why, r.status, r.bytes] as const))("refuses %s with %d, before Docker", async (_why, status, bytes) => {
        received.length = 0;
        const response = await sendRaw(proxy.port, bytes);
        expect(response.statuses, response.text).toEqual([status]);
        expect(received).toEqual([]);
    });

    it("judges each request of a pipelined connection on its own", async () => {
        received.length = 0;
        const first = [`GET /_ping HTTP/1.1`, "Host: docker", "", ""].join("\r\n");
        const response = await sendRaw(proxy.port, first + request("POST", "/v1.51/containers/create"));
        expect(response.statuses).toEqual([200, 403]);
        expect(received).toEqual([{ method: "GET", url: "/_ping" }]);
    });

    it("does not let a body smuggle a second request past the rules", async () => {
        received.length = 0;
        const smuggled = request("POST", `/v1.51/containers/${ID}/exec`);
        const body = `0\r\n\r\n${smuggled}`;
        const bytes = [
            "GET /_ping HTTP/1.1",
            "Host: docker",
            `Content-Length: ${body.length}`,
            "Transfer-Encoding: chunked",
            "Connection: close",
            "",
            body,
        ].join("\r\n");
        const response = await sendRaw(proxy.port, bytes);
        expect(received.map((r) => `${r.method} ${r.url}`)).not.toContain(`POST /v1.51/containers/${ID}/exec`);
        expect(response.statuses.every((s) => s !== 201)).toBe(true);
    });
});

// ---------------------------------------------------------------- the swarm provider's rules (GeoStackSwarm)

const NODE = "9v3lbq4h2x7n1m0k8j6g5f4d3";
const NETWORK_FILTERS = encodeURIComponent(JSON.stringify({ scope: { swarm: true } }));
const TASK_FILTERS = encodeURIComponent(JSON.stringify({ "desired-state": { running: true }, service: { [NODE]: true } }));

/** What traefik v3.6's swarm provider sends (pkg/provider/docker/pswarm.go: ServerVersion, ServiceList, NetworkList, TaskList, NodeInspect). */
const SWARM_ALLOWED: [method: string, target: string][] = [
    ["HEAD", "/_ping"],
    ["GET", "/_ping"],
    ["GET", "/v1.51/version"],
    ["GET", "/v1.51/services"],
    ["GET", `/v1.51/networks?filters=${NETWORK_FILTERS}`],
    ["GET", `/v1.51/tasks?filters=${TASK_FILTERS}`],
    ["GET", `/v1.51/nodes/${NODE}`],
    ["GET", "/services"],
    ["GET", "/v1.24/nodes/manager1.example.org"],
    ["HEAD", "/v1.51/tasks"],
];

const SWARM_REFUSED: Refused[] = [
    ...["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"].map((m) => refused(`${m} is not a read`, m, "/v1.51/services")),
    refused("creating a service", "POST", "/v1.51/services/create"),
    refused("updating a service", "POST", `/v1.51/services/${NODE}/update?version=3`),
    refused("removing a node", "DELETE", `/v1.51/nodes/${NODE}?force=1`),
    refused("promoting a node", "POST", `/v1.51/nodes/${NODE}/update?version=3`),
    // Under the allowed sections, what the swarm provider never reads.
    refused("a service's spec (its env and secrets' ids)", "GET", `/v1.51/services/${NODE}`),
    refused("a service's logs", "GET", `/v1.51/services/${NODE}/logs?stdout=1`),
    refused("a task", "GET", `/v1.51/tasks/${NODE}`),
    refused("a task's logs", "GET", `/v1.51/tasks/${NODE}/logs?stdout=1`),
    refused("a network", "GET", `/v1.51/networks/${NODE}`),
    refused("the node list", "GET", "/v1.51/nodes"),
    refused("a node's sub-path", "GET", `/v1.51/nodes/${NODE}/update`),
    // The docker provider's endpoints stay closed in swarm mode.
    refused("/containers/json", "GET", "/v1.51/containers/json?all=1"),
    refused("a container's inspect", "GET", `/v1.51/containers/${ID}/json`),
    refused("/events", "GET", `/v1.51/events?filters=${FILTERS}`),
    ...["secrets", "configs", "swarm", "swarm/unlockkey", "info", "images/json", "volumes", "plugins", "system/df"].map((p) =>
        refused(`/${p}`, "GET", `/v1.51/${p}`),
    ),
    refused("%2e%2e out of a node", "GET", "/v1.51/nodes/%2e%2e/secrets"),
    refused("dot-dot out of a node", "GET", "/v1.51/nodes/../secrets"),
    refused("an encoded slash in a node id", "GET", `/v1.51/nodes/${NODE}%2Fupdate`),
    refused("an empty node id", "GET", "/v1.51/nodes/"),
    refused("a path parameter", "GET", "/v1.51/services;x=1"),
    refused("a trailing slash", "GET", "/v1.51/services/"),
    refused("an inner double slash", "GET", "/v1.51//services"),
    refused("an absolute URI of an allowed path", "GET", "http://docker/v1.51/services"),
    refused("a protocol upgrade on an allowed path", "GET", "/v1.51/services", ["Upgrade: tcp", "Connection: Upgrade"]),
];

describe.skipIf(!HAPROXY && !REQUIRE_HAPROXY)("the Docker API proxy rules for traefik's swarm provider, in front of a recording stub", () => {
    let dir = "";
    let stub: http.Server;
    let proxy: Haproxy;
    let unknown: Haproxy;
    const received: { method: string; url: string }[] = [];

    beforeAll(async () => {
        if (!HAPROXY) throw new Error("GEOSTACK_REQUIRE_HAPROXY=1 but haproxy is not installed");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-haproxy-swarm-"));
        const socket = path.join(dir, "docker.sock");
        stub = http.createServer((req, res) => {
            received.push({ method: req.method!, url: req.url! });
            req.resume();
            res.writeHead(200, { "Content-Type": "application/json", "Api-Version": "1.51" });
            res.end(req.method === "HEAD" ? undefined : '{"stub":true}');
        });
        await new Promise<void>((resolve) => stub.listen(socket, resolve));
        // The service's environment: components/swarm/geostack-swarm.ts.
        proxy = await startHaproxy(dir, socket, undefined, SWARM_DOCKER_API_PROVIDER_ENV.DOCKER_API_PROXY_PROVIDER);
        fs.mkdirSync(path.join(dir, "unknown"));
        unknown = await startHaproxy(path.join(dir, "unknown"), socket, undefined, "Swarm");
    });

    afterAll(() => {
        proxy?.stop();
        unknown?.stop();
        stub?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it.each(SWARM_ALLOWED)("forwards %s %s to Docker exactly as sent", async (method, target) => {
        received.length = 0;
        const response = await sendRaw(proxy.port, request(method, target));
        expect(response.statuses, response.text).toEqual([200]);
        expect(received).toEqual([{ method, url: target }]);
    });

    it.each(SWARM_REFUSED.map((r) => [r.why, r.status, r.bytes] as const))("refuses %s with %d, before Docker", async (_why, status, bytes) => {
        received.length = 0;
        const response = await sendRaw(proxy.port, bytes);
        expect(response.statuses, response.text).toEqual([status]);
        expect(received).toEqual([]);
    });

    it("refuses everything, /_ping included, when the provider is neither docker nor swarm", async () => {
        received.length = 0;
        for (const [method, target] of [...SWARM_ALLOWED, ...ALLOWED]) {
            const response = await sendRaw(unknown.port, request(method, target));
            expect(response.statuses, `${method} ${target}`).toEqual([403]);
        }
        expect(received).toEqual([]);
    });
});

// ---------------------------------------------------------------- against a real Docker Engine

describe.skipIf((!HAPROXY || dockerMissing !== undefined) && !REQUIRE_DOCKERD)("the Docker API proxy in front of a real Docker Engine", () => {
    let dir = "";
    let dockerd: ChildProcess | undefined;
    let dockerdLog = "";
    let socket = "";
    let proxy: Haproxy;
    let id = "";
    const SECRET = "the-password-in-a-file";

    const docker = (host: string, args: string[], input?: string) =>
        spawnSync(DOCKER_CLI!, ["--host", host, ...args], {
            encoding: "utf8",
            input,
            timeout: 60_000,
            env: { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: path.join(dir, "cli") },
        });
    const direct = (args: string[], input?: string) => docker(`unix://${socket}`, args, input);
    const viaProxy = (args: string[]) => docker(`tcp://127.0.0.1:${proxy.port}`, args);
    const ok = (r: ReturnType<typeof docker>) => {
        expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
        return r.stdout.trim();
    };
    const denied = (r: ReturnType<typeof docker>) => {
        expect(r.status, r.stdout).not.toBe(0);
        return r.stderr;
    };

    beforeAll(async () => {
        if (!HAPROXY || dockerMissing) throw new Error(`GEOSTACK_REQUIRE_DOCKERD=1 but missing ${dockerMissing ?? "haproxy"}`);
        // Short: a unix socket path must fit in 108 bytes.
        dir = fs.mkdtempSync("/tmp/gs-dockerd-");
        socket = path.join(dir, "docker.sock");
        // Its own socket, state and containerd; no bridge and no iptables, so the host's network is left alone.
        dockerd = spawn(
            DOCKERD!,
            [
                `--host=unix://${socket}`,
                `--data-root=${path.join(dir, "data")}`,
                `--exec-root=${path.join(dir, "exec")}`,
                `--pidfile=${path.join(dir, "dockerd.pid")}`,
                "--bridge=none",
                "--iptables=false",
                "--ip6tables=false",
                "--ip-masq=false",
                // Apart from a system containerd's own containers, where the host has one (a CI runner).
                "--containerd-namespace=geostack-test",
                "--containerd-plugins-namespace=geostack-test-plugins",
            ],
            { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH } },
        );
        dockerd.stdout!.on("data", (d) => (dockerdLog += d));
        dockerd.stderr!.on("data", (d) => (dockerdLog += d));
        await waitFor(
            "dockerd",
            () => fs.existsSync(socket) && direct(["version", "--format", "{{.Server.Version}}"]).status === 0,
            () => dockerdLog,
            60_000,
        );

        // A one-file image made with `docker import`, and a container of it that is never started.
        const rootfs = path.join(dir, "rootfs");
        fs.mkdirSync(path.join(rootfs, "etc"), { recursive: true });
        fs.writeFileSync(path.join(rootfs, "etc", "secret"), SECRET);
        const tar = spawnSync("tar", ["-C", rootfs, "-c", "."], { maxBuffer: 1 << 20 });
        ok(docker(`unix://${socket}`, ["import", "-", "geostack-test/victim:1"], tar.stdout.toString("latin1")));
        id = ok(direct(["create", "--network", "none", "--name", "victim", "--label", "traefik.enable=true", "geostack-test/victim:1", "/nothing"]));
        proxy = await startHaproxy(dir, socket);
    }, 120_000);

    afterAll(() => {
        proxy?.stop();
        if (dockerd && dockerd.exitCode === null) {
            dockerd.kill("SIGTERM");
            spawnSync("sh", ["-c", `for i in $(seq 50); do kill -0 ${dockerd.pid} 2>/dev/null || exit 0; sleep 0.2; done`]);
        }
        if (dir) spawnSync("rm", ["-rf", dir]);
    }, 30_000);

    it("answers what traefik's docker provider asks: ping, version, the container list, an inspect", () => {
        expect(ok(viaProxy(["version", "--format", "{{.Server.APIVersion}}"]))).toMatch(/^1\.\d+$/);
        expect(ok(viaProxy(["ps", "--all", "--no-trunc", "--format", "{{.ID}}"]))).toBe(id);
        expect(ok(viaProxy(["inspect", "--format", '{{index .Config.Labels "traefik.enable"}}', id]))).toBe("true");
    });

    it("streams events", async () => {
        const stream = await new Promise<string>((resolve) => {
            let text = "";
            const child = spawn(DOCKER_CLI!, ["--host", `tcp://127.0.0.1:${proxy.port}`, "events", "--filter", "type=container", "--format", "{{.Action}}"], {
                env: { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: path.join(dir, "cli") },
            });
            child.stdout.on("data", (d) => (text += d));
            child.stderr.on("data", (d) => (text += d));
            setTimeout(() => ok(direct(["rename", "victim", "victim2"])), 500);
            setTimeout(() => {
                child.kill();
                resolve(text);
            }, 2_500);
        });
        expect(stream).toContain("rename");
        ok(direct(["rename", "victim2", "victim"]));
    });

    it("refuses uploads into a read-only container, which is why the rules travel in the environment", () => {
        // The provider uploads (`uploads`) with PUT /containers/<id>/archive at "/" before the first start, as here.
        const readOnly = ok(direct(["create", "--read-only", "--tmpfs", "/etc", "--network", "none", "geostack-test/victim:1", "/x"]));
        try {
            const tar = spawnSync("tar", ["-C", path.join(dir, "rootfs"), "-c", "etc/secret"]).stdout.toString("latin1");
            expect(denied(direct(["cp", "-", `${readOnly}:/`], tar))).toContain("container rootfs is marked read-only");
            // Not under a tmpfs either: it is mounted only when the container starts.
            expect(denied(direct(["cp", "-", `${readOnly}:/etc`], tar))).toContain("container rootfs is marked read-only");
        } finally {
            ok(direct(["rm", readOnly]));
        }
    });

    it("runs unprivileged when it is in the socket's group, and cannot reach Docker when it is not (dockerSocketGroupId)", async () => {
        const NOBODY = 65534;
        const group = 4242;
        const unprivileged = path.join(dir, "unprivileged");
        fs.mkdirSync(unprivileged, { mode: 0o777 });
        fs.chmodSync(unprivileged, 0o777);
        fs.chmodSync(dir, 0o711);
        fs.chownSync(socket, 0, group);
        fs.chmodSync(socket, 0o660);
        const member = await startHaproxy(unprivileged, socket, { uid: NOBODY, gid: group });
        const outsider = await startHaproxy(unprivileged, socket, { uid: NOBODY, gid: NOBODY });
        try {
            expect(ok(docker(`tcp://127.0.0.1:${member.port}`, ["ps", "--all", "--quiet", "--no-trunc"]))).toContain(id);
            expect(denied(docker(`tcp://127.0.0.1:${outsider.port}`, ["ps", "--all", "--quiet"]))).toMatch(/50[23]|Service Unavailable|Bad Gateway/i);
            // The rules are the same whoever runs them.
            expect(denied(docker(`tcp://127.0.0.1:${member.port}`, ["cp", `${id}:/etc/secret`, "-"]))).toMatch(/403|Forbidden/i);
        } finally {
            member.stop();
            outsider.stop();
        }
    });

    it("refuses what the container's files, logs, exec and every write would need, though Docker itself serves it", () => {
        // Directly, the socket gives a container's files away: that is what the proxy stands between.
        expect(ok(direct(["cp", `${id}:/etc/secret`, "-"]))).toContain(SECRET);
        expect(denied(viaProxy(["cp", `${id}:/etc/secret`, "-"]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["export", id]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["logs", id]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["diff", id]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["images"]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["system", "df"]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["create", "--network", "none", "geostack-test/victim:1", "/x"]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["rename", "victim", "renamed"]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["rm", "--force", id]))).toMatch(/403|Forbidden/i);
        expect(denied(viaProxy(["volume", "create", "stolen"]))).toMatch(/403|Forbidden/i);
        // Nothing changed behind the refusals.
        expect(ok(direct(["ps", "--all", "--no-trunc", "--format", "{{.ID}} {{.Names}}"]))).toBe(`${id} victim`);
        expect(ok(direct(["volume", "ls", "--quiet"]))).toBe("");
    });
});
