import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validate } from "dockerfile-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TILE_CACHE_DIR } from "../../components/geoserver/env";
import { GEOSERVER_IMAGE_CONTEXT, geoserverBuildArgs } from "../../components/geoserver/image-build";
import { checksumsIn, downloadChecksums, mergePins, writePins } from "../../tools/pin-extensions";
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

    it("is one stage on the official image, pinned to the GEOSERVER_VERSION build arg, or on that release's GDAL variant", () => {
        expect(instructions.filter((i) => i.keyword === "FROM")).toHaveLength(1);
        expect(instructions[fromIndex].args).toBe("docker.osgeo.org/geoserver:${GEOSERVER_VERSION}${GEOSERVER_BASE_VARIANT}");
        // The version declared before FROM without a default: a build that is not told the version fails instead of
        // drifting. The variant is the plain image unless told.
        const before = instructions
            .slice(0, fromIndex)
            .filter((i) => i.keyword === "ARG")
            .map(argOf);
        expect(before).toEqual([{ name: "GEOSERVER_VERSION" }, { name: "GEOSERVER_BASE_VARIANT", default: "" }]);
        expect(text).not.toMatch(/:latest\b/);
    });

    it("declares and uses every build arg the GeoServerImage component passes", () => {
        const passed = Object.keys(geoserverBuildArgs({ geoserverVersion: "2.28.2", extensions: [], allowUnpinnedExtensions: false, source: "" }));
        // A build arg reaches the environment of the RUN that runs install-extensions.sh, which may read it.
        const script = fs.readFileSync(path.join(CONTEXT, "install-extensions.sh"), "utf8");
        for (const name of passed) {
            expect(Object.keys(stageArgs), name).toContain(name);
            const uses = [...stage.filter((i) => i.keyword !== "ARG").map((i) => i.args), script].filter((text) => new RegExp(`\\$\\{?${name}\\b`).test(text));
            expect(uses.length, `${name} is used`).toBeGreaterThan(0);
        }
    });

    it("carries the OCI labels source, version and licenses from the build args", () => {
        const labels = Object.assign({}, ...all("LABEL").map(labelsOf));
        expect(labels).toMatchObject({
            "org.opencontainers.image.source": "${IMAGE_SOURCE}",
            "org.opencontainers.image.version": "${GEOSERVER_VERSION}",
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

    it("fails a build on the GDAL variant that lacks GDAL's JNI library or ogr2ogr, and checks nothing on the plain image", () => {
        const check = runWith("libgdalalljni");
        expect(check.args).toContain('if [ -n "${GEOSERVER_BASE_VARIANT}" ]; then');
        expect(check.args).toContain("ls /usr/local/lib/libgdalalljni.so > /dev/null;");
        expect(check.args).toContain("ogr2ogr --version;");
        // The RUNs fail on the first failing command (SHELL's errexit).
        expect(shell).toContain("errexit");
    });

    it("gives the unprivileged user the tile cache folder, whose owner a new volume mounted there takes", () => {
        expect(stageArgs.GEOWEBCACHE_CACHE_DIR).toBe(TILE_CACHE_DIR);
        const chown = runWith("chown");
        expect(chown.args).toMatch(/mkdir -p [^;]*"\$\{GEOWEBCACHE_CACHE_DIR\}"/);
        expect(chown.args).toMatch(/chown -R "\$\{GEOSERVER_UID\}:\$\{GEOSERVER_GID\}" "\$\{GEOSERVER_DATA_DIR\}" "\$\{GEOWEBCACHE_CACHE_DIR\}"/);
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

    describe("the extension install (install-extensions.sh, with a stub curl and unzip, and the real sha256sum)", () => {
        const VERSION = "2.28.2";
        const url = (name: string) =>
            `https://downloads.sourceforge.net/project/geoserver/GeoServer/${VERSION}/extensions/geoserver-${VERSION}-${name}-plugin.zip`;
        const zip = (name: string) => `geoserver-${VERSION}-${name}-plugin.zip`;
        // What the stub curl downloads, so its sha256 is known.
        const sha256Of = (name: string) =>
            crypto
                .createHash("sha256")
                .update(`zip from ${url(name)}`)
                .digest("hex");
        let stubs: string;
        let lib: string;
        let log: string;
        let pins: string;

        beforeEach(() => {
            stubs = path.join(root, "stubs");
            fs.mkdirSync(path.join(stubs, "done"), { recursive: true });
            lib = path.join(root, "lib/");
            fs.mkdirSync(lib);
            fs.mkdirSync(path.join(root, "tmp"));
            log = path.join(root, "calls.log");
            pins = path.join(root, "extension-checksums.sha256");
            fs.copyFileSync(path.join(CONTEXT, "extension-checksums.sha256"), pins);
            // curl writes a made-up zip (or fails for FAIL_URL). For WAIT_URL it first waits until WAIT_FOR_URL's
            // download has finished, which only a download running at the same time can let happen.
            fs.writeFileSync(
                path.join(stubs, "curl"),
                `#!/usr/bin/env bash
printf 'curl %s\\n' "$*" >> "$STUB_LOG"
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in --output|--proto|--proto-redir|--retry) [ "$1" = --output ] && out="$2"; shift 2;; -*) shift;; *) url="$1"; shift;; esac
done
if [ -n "\${FAIL_URL:-}" ] && [ "$url" = "$FAIL_URL" ]; then exit 22; fi
if [ -n "\${WAIT_URL:-}" ] && [ "$url" = "$WAIT_URL" ]; then
  for _ in $(seq 100); do [ -e "$STUB_DONE/$(basename "$WAIT_FOR_URL")" ] && break; sleep 0.05; done
  [ -e "$STUB_DONE/$(basename "$WAIT_FOR_URL")" ] || exit 28
fi
printf 'zip from %s' "$url" > "$out"
touch "$STUB_DONE/$(basename "$url")"
`,
                { mode: 0o755 },
            );
            // unzip records what it was asked and drops a jar.
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
        });

        const stubEnv = (): Record<string, string> => ({
            PATH: `${stubs}:${process.env.PATH}`,
            STUB_LOG: log,
            STUB_DONE: path.join(stubs, "done"),
            TMPDIR: path.join(root, "tmp"),
        });
        const install = (extensions: string, extra: Record<string, string> = {}, args: string[] = []) =>
            spawnSync("bash", [path.join(CONTEXT, "install-extensions.sh"), ...args], {
                env: {
                    ...stubEnv(),
                    GEOSERVER_VERSION: VERSION,
                    GEOSERVER_EXTENSIONS: extensions,
                    GEOSERVER_LIB_DIR: lib,
                    GEOSERVER_EXTENSION_PINS: pins,
                    ...extra,
                },
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            });
        const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []);
        const pin = (...names: string[]) => fs.appendFileSync(pins, names.map((name) => `${sha256Of(name)}  ${zip(name)}\n`).join(""));
        const unpacked = () => fs.readdirSync(lib).sort();

        it("is what the Dockerfile runs, after copying it and the pin file where the script reads them", () => {
            expect(runWith("install-extensions.sh").args).toContain("bash /opt/geostack/install-extensions.sh");
            expect(all("COPY").map((i) => i.args)).toEqual(
                expect.arrayContaining([
                    "extension-checksums.sha256 /opt/geostack/extension-checksums.sha256",
                    "install-extensions.sh /opt/geostack/install-extensions.sh",
                ]),
            );
            const script = fs.readFileSync(path.join(CONTEXT, "install-extensions.sh"), "utf8");
            expect(script).toContain("${GEOSERVER_EXTENSION_PINS:-/opt/geostack/extension-checksums.sha256}");
            // The build args the script reads are declared in the stage, so they reach its environment.
            for (const name of ["GEOSERVER_VERSION", "GEOSERVER_EXTENSIONS", "GEOSERVER_EXTENSIONS_URL", "GEOSERVER_EXTENSIONS_ALLOW_UNPINNED"]) {
                expect(script, name).toContain(`\${${name}`);
                expect(Object.keys(stageArgs), name).toContain(name);
            }
        });

        it("downloads each pinned extension over HTTPS only, checks it, unpacks its jars and leaves no zip behind", () => {
            pin("vectortiles", "wps");
            const result = install("vectortiles,wps");
            expect(result.status, result.stderr).toBe(0);
            expect(calls().sort()).toEqual([
                `curl --fail --silent --show-error --location --proto =https --proto-redir =https --retry 3 --output ${zip("vectortiles")} ${url("vectortiles")}`,
                `curl --fail --silent --show-error --location --proto =https --proto-redir =https --retry 3 --output ${zip("wps")} ${url("wps")}`,
                `unzip -q -o ${zip("vectortiles")} *.jar -d ${lib}`,
                `unzip -q -o ${zip("wps")} *.jar -d ${lib}`,
            ]);
            expect(unpacked()).toEqual([`geoserver-${VERSION}-vectortiles-plugin.jar`, `geoserver-${VERSION}-wps-plugin.jar`]);
            // sha256sum --check's own verdict, for each zip.
            expect(result.stdout).toContain(`${zip("wps")}: OK`);
            expect(result.stdout).toContain(`extension sha256: ${sha256Of("wps")}  ${zip("wps")}`);
            // The download folder is gone with the zips in it.
            expect(fs.readdirSync(path.join(root, "tmp"))).toEqual([]);
        });

        it("downloads the extensions at the same time, not one after another", () => {
            pin("vectortiles", "wps");
            // The first download can only finish once the second has: run one after the other, the first would time out.
            const result = install("vectortiles,wps", { WAIT_URL: url("vectortiles"), WAIT_FOR_URL: url("wps") });
            expect(result.status, result.stderr).toBe(0);
            expect(unpacked()).toHaveLength(2);
        });

        it("fails on a zip that does not match its pin, before unpacking anything", () => {
            pin("vectortiles");
            fs.appendFileSync(pins, `${"0".repeat(64)}  ${zip("wps")}\n`);
            const result = install("vectortiles,wps");
            expect(result.status).not.toBe(0);
            expect(result.stdout).toContain(`${zip("wps")}: FAILED`);
            expect(result.stderr).toMatch(/WARNING: 1 computed checksum did NOT match/);
            expect(calls().filter((c) => c.startsWith("unzip"))).toEqual([]);
            expect(unpacked()).toEqual([]);
        });

        it("fails on a zip without a pin, printing the line to pin, unless trusted on first use", () => {
            pin("vectortiles");
            const refused = install("vectortiles,wps");
            expect(refused.status).not.toBe(0);
            expect(refused.stderr).toContain(`not pinned in extension-checksums.sha256: ${zip("wps")}; pin the sha256 lines above with npm run pin-extensions`);
            expect(refused.stdout).toContain(`extension sha256: ${sha256Of("wps")}  ${zip("wps")}`);
            expect(unpacked()).toEqual([]);

            const trusted = install("vectortiles,wps", { GEOSERVER_EXTENSIONS_ALLOW_UNPINNED: "true" });
            expect(trusted.status, trusted.stderr).toBe(0);
            expect(trusted.stdout).toContain(`not pinned, trusted on first use: ${zip("wps")}`);
            // What is pinned is still checked.
            expect(trusted.stdout).toContain(`${zip("vectortiles")}: OK`);
            expect(unpacked()).toHaveLength(2);
        });

        it("fails when a download fails, before unpacking any zip, also the ones that arrived", () => {
            pin("vectortiles", "wps");
            const result = install("vectortiles,wps", { FAIL_URL: url("wps") });
            expect(result.status).not.toBe(0);
            expect(result.stderr).toContain(`download failed: ${url("wps")}`);
            expect(calls().filter((c) => c.startsWith("curl"))).toHaveLength(2);
            expect(unpacked()).toEqual([]);
        });

        it("installs and downloads nothing without extensions", () => {
            const result = install("");
            expect(result.status, result.stderr).toBe(0);
            expect(calls()).toEqual([]);
        });

        it("only prints each zip's sha256 line with --print-checksums, without a pin file, installing nothing", () => {
            const result = install("wps", { GEOSERVER_EXTENSION_PINS: path.join(root, "missing.sha256") }, ["--print-checksums"]);
            expect(result.status, result.stderr).toBe(0);
            expect(result.stdout.trim()).toBe(`extension sha256: ${sha256Of("wps")}  ${zip("wps")}`);
            expect(unpacked()).toEqual([]);
        });

        describe("npm run pin-extensions", () => {
            let context: string;
            beforeEach(() => {
                context = path.join(root, "context");
                fs.cpSync(CONTEXT, context, { recursive: true });
            });
            const pinFile = () => fs.readFileSync(path.join(context, "extension-checksums.sha256"), "utf8");

            it("pins what a download through the same script gives, after which the build's check passes", () => {
                const pinned = downloadChecksums(context, VERSION, ["wps", "vectortiles"], { ...process.env, ...stubEnv() });
                expect(writePins(context, pinned).map((p) => p.zip)).toEqual([zip("wps"), zip("vectortiles")]);
                // Comments kept, lines sorted by zip.
                expect(pinFile()).toBe(
                    `${fs.readFileSync(pins, "utf8")}${sha256Of("vectortiles")}  ${zip("vectortiles")}\n${sha256Of("wps")}  ${zip("wps")}\n`,
                );
                const result = install("wps,vectortiles", { GEOSERVER_EXTENSION_PINS: path.join(context, "extension-checksums.sha256") });
                expect(result.status, result.stderr).toBe(0);
                expect(result.stdout).toContain(`${zip("wps")}: OK`);
                // Again: nothing new.
                expect(writePins(context, pinned)).toEqual([]);
            });

            it("pins the lines of a reviewed build's log, and refuses a zip already pinned to another sha256", () => {
                const buildLog = `#9 2.104 extension sha256: ${sha256Of("wps")}  ${zip("wps")}\n#9 2.105 not pinned, trusted on first use: ${zip("wps")}\n`;
                expect(checksumsIn(buildLog)).toEqual([{ sha256: sha256Of("wps"), zip: zip("wps") }]);
                writePins(context, checksumsIn(buildLog));
                const before = pinFile();
                const changed = { sha256: "f".repeat(64), zip: zip("wps") };
                expect(mergePins(before, [changed]).conflicts).toEqual([`${zip("wps")} is pinned to ${sha256Of("wps")}, the build gave ${"f".repeat(64)}`]);
                expect(() => writePins(context, [changed])).toThrow(/nothing written/);
                expect(pinFile()).toBe(before);
            });
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
