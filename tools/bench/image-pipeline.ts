/**
 * A benchmark of the GeoServer image pipeline, not a test: `npm run bench:image [-- --project <checkout>]`.
 *
 * 1. The resource graph of the prod stack (under the checkout's own mocks): what the GeoServer container waits for,
 *    transitively, among the image's resources, and which of those are registry round-trips (a push, a pull).
 * 2. The extension downloads of images/geoserver/install-extensions.sh with a stub curl that takes DELAY_MS per zip:
 *    wall time for 1 and for 4 extensions (downloads at once: about the same; one after another: 4 times as long).
 *
 * `--project` points at another checkout (e.g. a worktree of main), whose program and tools this one's loader
 * (tools/ts-loader.cjs) runs, to compare the graph before and after a change.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { findProjectDir } from "../render/stack-config";

interface Registered {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, any>;
    options: { dependencies: string[] };
}

/** Whether a resource of the image talks to a registry when it is created. */
function registryRoundTrip(r: Registered): string | undefined {
    if (r.type === "docker:index/registryImage:RegistryImage") return "push";
    if (r.type === "docker:index/image:Image" && r.inputs.skipPush === false) return "push (inside the build)";
    // kreuzwerker's findImage looks on the host first: a pull only when the host lacks the image.
    if (r.type === "docker:index/remoteImage:RemoteImage") return "pull, unless the host has it";
    if (r.type === "docker-build:index:Image" && r.inputs.push === true) return "push (inside the build)";
    return undefined;
}

async function graph(projectDir: string): Promise<void> {
    const { runProgram } = require(path.join(projectDir, "tools/render/run.ts"));
    const { stackConfig, secretKeysOf } = require(path.join(projectDir, "tools/render/stack-config.ts"));
    const config = stackConfig("prod", projectDir);
    const cwd = process.cwd();
    process.chdir(projectDir);
    try {
        const deployed = await runProgram({
            project: "geostack",
            stack: "prod",
            config,
            secretKeys: secretKeysOf("prod", projectDir, config),
            load: async () => require(path.join(projectDir, "index.ts")),
        });
        const resources: Registered[] = deployed.mocks.resources;
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const container = resources.find((r) => r.type === "docker:index/container:Container" && r.name === "geostack-geoserver")!;
        const waitsFor = new Set<string>();
        const visit = (urn: string) => {
            for (const dep of byUrn.get(urn)?.options.dependencies ?? []) {
                if (waitsFor.has(dep)) continue;
                waitsFor.add(dep);
                visit(dep);
            }
        };
        visit(container.urn);
        const imageResources = resources.filter((r) => r.name.startsWith("geostack-geoserver-image") && !r.type.startsWith("geostack:"));
        console.log(`prod stack of ${projectDir}: the GeoServer image's resources, and whether the GeoServer container waits for each`);
        for (const r of imageResources) {
            const trip = registryRoundTrip(r);
            console.log(`  ${waitsFor.has(r.urn) ? "waited for" : "beside it "}  ${r.type} ${r.name}${trip ? `  [registry: ${trip}]` : ""}`);
        }
        const onPath = imageResources.filter((r) => waitsFor.has(r.urn) && registryRoundTrip(r));
        console.log(`  registry round-trips in front of the container: ${onPath.length}`);
    } finally {
        process.chdir(cwd);
    }
}

function downloads(projectDir: string, delayMs: number): void {
    const script = path.join(projectDir, "images/geoserver/install-extensions.sh");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-extensions-"));
    try {
        const stubs = path.join(root, "stubs");
        fs.mkdirSync(stubs);
        fs.mkdirSync(path.join(root, "lib"));
        fs.writeFileSync(
            path.join(stubs, "curl"),
            `#!/usr/bin/env bash\nout=""; while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift 2;; *) url="$1"; shift;; esac; done\nsleep ${delayMs / 1000}\nprintf 'zip from %s' "$url" > "$out"\n`,
            { mode: 0o755 },
        );
        fs.writeFileSync(path.join(stubs, "unzip"), "#!/usr/bin/env bash\n", { mode: 0o755 });
        const names = ["wps", "vectortiles", "css", "monitor"];
        const pins = path.join(root, "pins.sha256");
        const url = (name: string) => `https://downloads.sourceforge.net/project/geoserver/GeoServer/2.28.4/extensions/geoserver-2.28.4-${name}-plugin.zip`;
        fs.writeFileSync(
            pins,
            names
                .map(
                    (n) =>
                        `${crypto
                            .createHash("sha256")
                            .update(`zip from ${url(n)}`)
                            .digest("hex")}  geoserver-2.28.4-${n}-plugin.zip\n`,
                )
                .join(""),
        );
        const time = (extensions: string[]): number => {
            const start = process.hrtime.bigint();
            const result = spawnSync("bash", [script], {
                env: {
                    PATH: `${stubs}:${process.env.PATH}`,
                    TMPDIR: root,
                    GEOSERVER_VERSION: "2.28.4",
                    GEOSERVER_EXTENSIONS: extensions.join(","),
                    GEOSERVER_LIB_DIR: path.join(root, "lib"),
                    GEOSERVER_EXTENSION_PINS: pins,
                },
                encoding: "utf8",
            });
            if (result.status !== 0) throw new Error(`install-extensions.sh failed: ${result.stderr}`);
            return Number(process.hrtime.bigint() - start) / 1e6;
        };
        const one = time(names.slice(0, 1));
        const four = time(names);
        console.log(`extension downloads, ${delayMs} ms each (stub curl), checked with the real sha256sum:`);
        console.log(`  1 extension: ${one.toFixed(0)} ms; 4 extensions: ${four.toFixed(0)} ms; ratio ${(four / one).toFixed(2)} (one after another: about 4)`);
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { project: { type: "string" }, "delay-ms": { type: "string", default: "1000" } } });
    const projectDir = path.resolve(values.project ?? findProjectDir());
    await graph(projectDir);
    if (fs.existsSync(path.join(projectDir, "images/geoserver/install-extensions.sh"))) downloads(projectDir, Number(values["delay-ms"]));
    else console.log("extension downloads: no install-extensions.sh in that checkout (its Dockerfile downloads in a for loop, one after another)");
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
