// The npm package as a consumer gets it: `npm pack` (which builds dist/), installed into a fresh project, the
// examples/postgis-only-ts program compiled against it with that example's own tsconfig and run under mocks.
// Offline: the tarball has no dependencies of its own, and its peers come from this checkout's node_modules.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/harness";

const PEERS = ["@pulumi/pulumi", "@pulumi/docker", "@pulumi/docker-build", "@pulumi/random"];
const EXAMPLE = path.join(ROOT, "examples", "postgis-only-ts");

let tmp: string;
let consumer: string;
let packed: { filename: string; files: { path: string }[] };

function run(command: string, args: string[], cwd: string): string {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 120_000 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

// Runs the compiled program under minimal mocks in a separate node process, as `pulumi up` would load it.
const RUN_UNDER_MOCKS = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks({
    newResource: (r) => {
        registered.push(r.type + " " + r.name);
        const state = { ...r.inputs };
        if (r.type === "random:index/randomPassword:RandomPassword") state.result = "x".repeat(r.inputs.length);
        return { id: r.name + "-id", state };
    },
    call: (c) => c.inputs,
}, "postgis-only", "dev", false);
const program = require("./bin/index.js");
const fromPackage = require.resolve("@pulumi/pulumi", { paths: [require.resolve("@geostack/components")] });
pulumi.all(program).apply((outputs) => {
    console.log(JSON.stringify({
        outputs,
        registered: registered.sort(),
        oneSdk: require("fs").realpathSync(fromPackage) === require("fs").realpathSync(require.resolve("@pulumi/pulumi")),
    }));
});
`;

beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-npm-"));
    [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tmp], ROOT));

    consumer = path.join(tmp, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    for (const file of ["index.ts", "tsconfig.json"]) fs.copyFileSync(path.join(EXAMPLE, file), path.join(consumer, file));
    // --legacy-peer-deps: do not fetch the peers; they are linked from this checkout below, as one SDK instance.
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--legacy-peer-deps", path.join(tmp, packed.filename)], consumer);
    for (const name of [...PEERS, "@types/node"]) {
        fs.mkdirSync(path.dirname(path.join(consumer, "node_modules", name)), { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules", name), path.join(consumer, "node_modules", name), "dir");
    }
}, 180_000);

afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("npm package @geostack/components", () => {
    it("holds only the compiled code, its declarations, the README and the license", () => {
        const files = packed.files.map((f) => f.path);
        expect(files).toEqual(
            expect.arrayContaining(["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "dist/postgis/postgis.d.ts"]),
        );
        // The GeoServer image's build context ships too: GeoServerImage and GeoStack build from it; and the scripts the
        // backup containers run, which Backup and OffsiteCopy upload.
        expect(files.filter((f) => !/^dist\/([\w-]+\/)?[\w-]+\.(js|d\.ts)$/.test(f)).sort()).toEqual([
            "LICENSE",
            "README.md",
            "components/backup/scripts/geostack-backup",
            "components/backup/scripts/geostack-offsite",
            ...[
                "check-restore",
                "create-extensions",
                "create-staging",
                "geometry-columns",
                "invalid-geometries",
                "snapshot",
                "swap-database",
                "user-tables",
            ].map((sql) => `components/backup/scripts/sql/${sql}.sql`),
            // The Docker API proxy's rules, which dist/traefik/socket-proxy.js uploads into the proxy container.
            "components/traefik/docker-api-proxy.cfg",
            "images/geoserver/.dockerignore",
            "images/geoserver/Dockerfile",
            "images/geoserver/extension-checksums.sha256",
            "images/geoserver/geostack-entrypoint.sh",
            "images/geoserver/install-extensions.sh",
            "package.json",
        ]);
    });

    it("leaves the Pulumi SDK and providers to the consumer (peer dependencies)", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(consumer, "node_modules", "@geostack", "components", "package.json"), "utf8"));
        expect(manifest.private).toBeUndefined();
        expect(manifest.dependencies ?? {}).toEqual({});
        expect(Object.keys(manifest.peerDependencies).sort()).toEqual([...PEERS].sort());
    });

    it("compiles the postgis-only example against it with the example's own tsconfig", () => {
        run(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], consumer);
        expect(fs.existsSync(path.join(consumer, "bin", "index.js"))).toBe(true);
    }, 120_000);

    it("finds the Docker API proxy's rules from the compiled code", () => {
        const code = `console.log(require("@geostack/components/dist/traefik/socket-proxy").dockerApiProxyConfig())`;
        expect(run(process.execPath, ["-e", code], consumer)).toBe(`${fs.readFileSync(path.join(ROOT, "components/traefik/docker-api-proxy.cfg"), "utf8")}\n`);
    });

    it("runs it under mocks with one Pulumi SDK instance shared with the package", () => {
        fs.writeFileSync(path.join(consumer, "run.js"), RUN_UNDER_MOCKS);
        const result = JSON.parse(run(process.execPath, ["run.js"], consumer));
        expect(result.oneSdk).toBe(true);
        expect(result.registered).toEqual(expect.arrayContaining(["geostack:index:Postgis database", "docker:index/container:Container database"]));
        expect(result.outputs).toMatchObject({
            databaseHost: "postgis",
            databasePort: 5432,
            databaseName: "gis",
            databaseContainer: "postgis-only-dev-postgis",
        });
    }, 60_000);
});
