import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validate } from "dockerfile-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GEOSERVER_IMAGE_CONTEXT, geoserverBuildArgs, REVISION_BUILD_ARG } from "../../components/geoserver/image-build";
import { argOf, type Instruction, labelsOf, parseDockerfile, substitute } from "../support/dockerfile";
import { ROOT } from "../support/harness";

const CONTEXT = path.join(ROOT, GEOSERVER_IMAGE_CONTEXT);
const text = fs.readFileSync(path.join(CONTEXT, "Dockerfile"), "utf8");
const instructions = parseDockerfile(text);
const fromIndex = instructions.findIndex((i) => i.keyword === "FROM");
const stage = instructions.slice(fromIndex + 1);
const all = (keyword: string) => stage.filter((i) => i.keyword === keyword);
const stageArgs = Object.fromEntries(all("ARG").map((i) => [argOf(i).name, argOf(i).default]));
const runWith = (needle: string): Instruction => {
    const found = all("RUN").filter((i) => i.args.includes(needle));
    expect(found, `one RUN mentions ${needle}`).toHaveLength(1);
    return found[0];
};
const shell: string[] = JSON.parse(all("SHELL")[0].args);

describe("the GeoServer Dockerfile", () => {
    it("passes the Dockerfile linter without a single diagnostic", () => {
        expect(validate(text)).toEqual([]);
    });

    it("is one stage on the official image, pinned to the GEOSERVER_VERSION build arg", () => {
        expect(instructions.filter((i) => i.keyword === "FROM")).toHaveLength(1);
        expect(instructions[fromIndex].args).toBe("docker.osgeo.org/geoserver:${GEOSERVER_VERSION}");
        // Declared before FROM without a default: a build that is not told the version fails instead of drifting.
        const before = instructions
            .slice(0, fromIndex)
            .filter((i) => i.keyword === "ARG")
            .map(argOf);
        expect(before).toEqual([{ name: "GEOSERVER_VERSION" }]);
        expect(text).not.toMatch(/:latest\b/);
    });

    it("declares and uses every build arg the GeoServerImage component passes", () => {
        const passed = [...Object.keys(geoserverBuildArgs({ geoserverVersion: "2.28.2", extensions: [], source: "" })), REVISION_BUILD_ARG]
            // BuildKit's own arg, not the Dockerfile's.
            .filter((name) => name !== "BUILDKIT_INLINE_CACHE");
        for (const name of passed) {
            expect(Object.keys(stageArgs), name).toContain(name);
            const uses = stage.filter((i) => i.keyword !== "ARG" && new RegExp(`\\$\\{?${name}\\b`).test(i.args));
            expect(uses.length, `${name} is used`).toBeGreaterThan(0);
        }
    });

    it("carries the OCI labels source, version, revision and licenses from the build args", () => {
        const labels = Object.assign({}, ...all("LABEL").map(labelsOf));
        expect(labels).toMatchObject({
            "org.opencontainers.image.source": "${IMAGE_SOURCE}",
            "org.opencontainers.image.version": "${GEOSERVER_VERSION}",
            "org.opencontainers.image.revision": "${IMAGE_REVISION}",
            "org.opencontainers.image.licenses": "GPL-2.0-only",
        });
    });

    it("runs as an unprivileged numeric user, the uid the official image's unprivileged mode uses", () => {
        const users = all("USER");
        const user = substitute(users[users.length - 1].args, stageArgs as Record<string, string>);
        expect(user).toBe("999:999");
        // GeoStack's entrypoint (test/slow/geoserver-entrypoint.test.ts), which keeps startup.sh from switching users.
        expect(JSON.parse(all("ENTRYPOINT")[0].args)).toEqual(["bash", "/opt/geostack/entrypoint.sh"]);
        // Copied before the switch to the unprivileged user, so it stays root's.
        const entrypointCopy = stage.findIndex((i) => i.keyword === "COPY" && i.args.startsWith("geostack-entrypoint.sh "));
        expect(entrypointCopy).toBeGreaterThan(-1);
        expect(entrypointCopy).toBeLessThan(stage.indexOf(users[users.length - 1]));
        // The server owns only what it writes; the webapp stays root's.
        const chown = runWith("chown");
        expect(chown.args).toMatch(/chown -R "\$\{GEOSERVER_UID\}:\$\{GEOSERVER_GID\}" "\$\{GEOSERVER_DATA_DIR\}"/);
        expect(chown.args).not.toContain("webapps");
    });

    it("has a HEALTHCHECK that fetches a static page of the web UI", () => {
        const [healthcheck] = all("HEALTHCHECK");
        expect(healthcheck.args).toMatch(/--start-period=\d+s/);
        expect(healthcheck.args).toMatch(/CMD curl --fail .*\/web\/wicket\/resource\/org\.geoserver\.web\.GeoServerBasePage\/img\/logo\.png/);
    });

    it("turns demo data and start-time extension downloads off", () => {
        const env = all("ENV")
            .map((i) => i.args)
            .join(" ");
        expect(env).toMatch(/SKIP_DEMO_DATA=true/);
        expect(env).toMatch(/INSTALL_EXTENSIONS=false/);
        expect(env).toMatch(/STABLE_EXTENSIONS=""/);
    });

    it("sends the builder only the files the Dockerfile copies", () => {
        const ignore = fs
            .readFileSync(path.join(CONTEXT, ".dockerignore"), "utf8")
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l && !l.startsWith("#"));
        const copied = all("COPY").map((i) => i.args.split(/\s+/)[0]);
        expect(ignore).toEqual(["*", "!Dockerfile", ...copied.map((file) => `!${file}`)]);
        for (const file of copied) expect(fs.existsSync(path.join(CONTEXT, file)), file).toBe(true);
    });
});

/** Runs a RUN instruction's script with the Dockerfile's SHELL, its absolute paths moved into a sandbox. */
function runScript(instruction: Instruction, moves: Record<string, string>, env: Record<string, string>) {
    let script = instruction.args;
    for (const [from, to] of Object.entries(moves)) {
        expect(script, `the script still uses ${from}`).toContain(from);
        script = script.split(from).join(to);
    }
    // stdin from /dev/null: bash sources bashrc when its stdin is a socket, which Node's pipes are.
    return spawnSync(shell[0], [...shell.slice(1), script], { env: { PATH: process.env.PATH!, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("the Dockerfile's scripts, run in a sandbox", () => {
    let root: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "geoserver-dockerfile-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    describe("the extension install", () => {
        const install = () => runWith("GEOSERVER_EXTENSIONS");
        let log: string;
        let lib: string;

        beforeEach(() => {
            const stubs = path.join(root, "stubs");
            fs.mkdirSync(stubs);
            fs.mkdirSync(path.join(root, "opt/geostack"), { recursive: true });
            fs.copyFileSync(path.join(CONTEXT, "extension-checksums.sha256"), path.join(root, "opt/geostack/extension-checksums.sha256"));
            lib = path.join(root, "lib/");
            fs.mkdirSync(lib);
            log = path.join(root, "calls.log");
            // curl writes a made-up zip (or fails for FAIL_URL); unzip records what it was asked and drops a jar.
            fs.writeFileSync(
                path.join(stubs, "curl"),
                `#!/usr/bin/env bash
printf 'curl %s\\n' "$*" >> "$STUB_LOG"
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in --output|--proto|--proto-redir|--retry) [ "$1" = --output ] && out="$2"; shift 2;; -*) shift;; *) url="$1"; shift;; esac
done
if [ -n "\${FAIL_URL:-}" ] && [ "$url" = "$FAIL_URL" ]; then exit 22; fi
printf 'zip from %s' "$url" > "$out"
`,
                { mode: 0o755 },
            );
            fs.writeFileSync(
                path.join(stubs, "unzip"),
                `#!/usr/bin/env bash
printf 'unzip %s\\n' "$*" >> "$STUB_LOG"
zip=""; dir=""
while [ $# -gt 0 ]; do case "$1" in -d) dir="$2"; shift 2;; *.zip) zip="$1"; shift;; *) shift;; esac; done
test -f "$zip" && touch "$dir/$(basename "$zip" .zip).jar"
`,
                { mode: 0o755 },
            );
            process.env.TEST_STUBS = stubs;
        });

        const run = (extensions: string, extra: Record<string, string> = {}) => {
            fs.mkdirSync(path.join(root, "tmp"), { recursive: true });
            const version = "2.28.2";
            return runScript(
                install(),
                { "/opt/geostack/": `${root}/opt/geostack/`, "install -d -m 1777 /tmp;": `install -d -m 1777 ${root}/tmp;` },
                {
                    PATH: `${process.env.TEST_STUBS}:${process.env.PATH}`,
                    STUB_LOG: log,
                    TMPDIR: path.join(root, "tmp"),
                    GEOSERVER_VERSION: version,
                    GEOSERVER_EXTENSIONS: extensions,
                    GEOSERVER_EXTENSIONS_URL: substitute(stageArgs.GEOSERVER_EXTENSIONS_URL!, { GEOSERVER_VERSION: version }),
                    GEOSERVER_LIB_DIR: lib,
                    ...extra,
                },
            );
        };
        const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []);
        const zipSha = (url: string) => crypto.createHash("sha256").update(`zip from ${url}`).digest("hex");
        const url = (name: string) => `https://downloads.sourceforge.net/project/geoserver/GeoServer/2.28.2/extensions/geoserver-2.28.2-${name}-plugin.zip`;

        it("downloads each extension of the release over HTTPS only, unpacks its jars and leaves no zip behind", () => {
            const result = run("vectortiles,wps");
            expect(result.status, result.stderr).toBe(0);
            expect(calls()).toEqual([
                `curl --fail --silent --show-error --location --proto =https --proto-redir =https --retry 3 --output geoserver-2.28.2-vectortiles-plugin.zip ${url("vectortiles")}`,
                `unzip -q -o geoserver-2.28.2-vectortiles-plugin.zip *.jar -d ${lib}`,
                `curl --fail --silent --show-error --location --proto =https --proto-redir =https --retry 3 --output geoserver-2.28.2-wps-plugin.zip ${url("wps")}`,
                `unzip -q -o geoserver-2.28.2-wps-plugin.zip *.jar -d ${lib}`,
            ]);
            expect(fs.readdirSync(lib).sort()).toEqual(["geoserver-2.28.2-vectortiles-plugin.jar", "geoserver-2.28.2-wps-plugin.jar"]);
            // The download folder is gone with the zips in it.
            expect(fs.readdirSync(path.join(root, "tmp"))).toEqual([]);
            // Not pinned: the build log shows the sha256 to pin.
            expect(result.stdout).toContain(`not pinned in extension-checksums.sha256: ${zipSha(url("wps"))}  geoserver-2.28.2-wps-plugin.zip`);
        });

        it("installs nothing and downloads nothing without extensions", () => {
            const result = run("");
            expect(result.status, result.stderr).toBe(0);
            expect(calls()).toEqual([]);
        });

        it("fails the build when a download fails, before unpacking anything of it", () => {
            const result = run("wps,vectortiles", { FAIL_URL: url("wps") });
            expect(result.status).not.toBe(0);
            expect(calls()).toHaveLength(1);
            expect(fs.readdirSync(lib)).toEqual([]);
        });

        it("checks a pinned zip against its sha256 and fails the build on a mismatch", () => {
            const checksums = path.join(root, "opt/geostack/extension-checksums.sha256");
            fs.appendFileSync(checksums, `${zipSha(url("wps"))}  geoserver-2.28.2-wps-plugin.zip\n`);
            const good = run("wps");
            expect(good.status, good.stderr).toBe(0);
            expect(good.stdout).not.toContain("not pinned");
            expect(good.stdout).toContain("geoserver-2.28.2-wps-plugin.zip: OK");

            fs.writeFileSync(checksums, `${"0".repeat(64)}  geoserver-2.28.2-wps-plugin.zip\n`);
            fs.rmSync(log);
            const bad = run("wps");
            expect(bad.status).not.toBe(0);
            expect(calls().filter((c) => c.startsWith("unzip"))).toEqual([]);
        });
    });

    describe("the RemoteIpValve", () => {
        const SERVER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Server port="8005" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="8080" protocol="HTTP/1.1" connectionTimeout="20000" />
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps"
            unpackWARs="true" autoDeploy="false">
        <Valve className="org.apache.catalina.valves.AccessLogValve" directory="logs" prefix="access" suffix=".txt" />
      </Host>
    </Engine>
  </Service>
</Server>
`;
        const valve = () => runWith("RemoteIpValve");
        const config = () => path.join(root, "config/server.xml");
        const conf = () => path.join(root, "tomcat/conf/server.xml");
        const run = () =>
            runScript(
                valve(),
                { "/opt/startup.sh": `${root}/opt/startup.sh` },
                { CONFIG_DIR: path.join(root, "config"), CATALINA_HOME: path.join(root, "tomcat") },
            );

        beforeEach(() => {
            fs.mkdirSync(path.join(root, "opt"));
            fs.writeFileSync(path.join(root, "opt/startup.sh"), "");
            fs.mkdirSync(path.join(root, "config"));
            fs.mkdirSync(path.join(root, "tomcat/conf"), { recursive: true });
            fs.writeFileSync(config(), SERVER_XML);
            fs.writeFileSync(conf(), SERVER_XML);
        });

        it("goes into the template startup.sh renders and into the current server.xml, as an Engine valve before the Host", () => {
            const result = run();
            expect(result.status, result.stderr).toBe(0);
            for (const file of [config(), conf()]) {
                const xml = fs.readFileSync(file, "utf8");
                const lines = xml.split("\n").map((l) => l.trim());
                const at = lines.findIndex((l) => l.includes("RemoteIpValve"));
                expect(lines[at]).toBe(
                    '<Valve className="org.apache.catalina.valves.RemoteIpValve" remoteIpHeader="x-forwarded-for" protocolHeader="x-forwarded-proto" />',
                );
                expect(lines[at - 1]).toMatch(/^<Engine /);
                expect(lines[at + 1]).toMatch(/^<Host name="localhost"/);
                // Nothing else changed.
                expect(xml.replace(/ *<Valve className="org.apache.catalina.valves.RemoteIpValve"[^\n]*\n/, "")).toBe(SERVER_XML);
            }
        });

        it("fails the build rather than adding a second valve, or when the template is missing", () => {
            expect(run().status).toBe(0);
            const again = run();
            expect(again.status).not.toBe(0);
            expect(again.stderr).toContain("already has a RemoteIpValve");

            fs.rmSync(config());
            expect(run().status).not.toBe(0);
        });
    });
});
