import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { exposesDockerSocket, hasUrlCredentials, isLoopback, isPinnedImage, isSecretLikeKey, PACK_NAME, policies } from "../../../policy/rules";
import { readYaml, ROOT } from "../../support/harness";

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));

describe("what the rules count as", () => {
    it.each([
        ["127.0.0.1", true],
        ["127.10.0.3", true],
        ["::1", true],
        ["0:0:0:0:0:0:0:1", true],
        ["::ffff:127.0.0.1", true],
        ["0.0.0.0", false],
        ["::", false],
        ["", false],
        [undefined, false],
        ["192.168.1.10", false],
        ["10.0.0.1", false],
        ["128.0.0.1", false],
        ["127.0.0.256", false],
        ["fe80::1", false],
        ["localhost", false],
    ])("loopback: %s → %s", (address, loopback) => {
        expect(isLoopback(address)).toBe(loopback);
    });

    it.each([
        ["POSTGRES_PASSWORD", true],
        ["GEOSERVER_ADMIN_PASSWORD", true],
        ["PGPASSWORD", true],
        ["DATA_SOURCE_PASS", true],
        ["DB_PWD", true],
        ["AWS_SECRET_ACCESS_KEY", true],
        ["API_KEY", true],
        ["GITHUB_TOKEN", true],
        ["RESTIC_PASSWORD", true],
        ["MY_CREDENTIALS", true],
        ["POSTGRES_PASSWORD_FILE", false],
        ["GEOSERVER_ADMIN_PASSWORD_FILE", false],
        ["POSTGRES_USER", false],
        ["POSTGRES_HOST_AUTH_METHOD", false],
        ["KEYCLOAK_URL", false],
        ["RUN_UNPRIVILEGED", false],
        ["PASSTHROUGH", false],
        ["PWD", false],
        // tecnativa/docker-socket-proxy's switch for the API's secrets section, not a secret.
        ["SECRETS", false],
    ])("secret-like env key: %s → %s", (key, secret) => {
        expect(isSecretLikeKey(key)).toBe(secret);
    });

    it.each([
        ["postgresql://geoserver:pw@postgis:5432/gis", true],
        ["https://user:token@example.org/repo.git", true],
        ["s3://bucket/path", false],
        ["postgresql://geoserver@postgis/gis", false],
        ["http://postgis:5432/gis", false],
        ["-Xmx1g -Dhttp.proxy=http://proxy:3128", false],
    ])("credentials in a URL: %s → %s", (value, found) => {
        expect(hasUrlCredentials(value)).toBe(found);
    });

    it.each([
        ["/var/run/docker.sock", true],
        ["/run/docker.sock", true],
        ["/run/user/1000/docker.sock", true],
        ["/var/run", true],
        ["/var/run/", true],
        ["/run", true],
        ["/var", true],
        ["/", true],
        ["//var//run/./docker.sock", true],
        ["/var/lib/postgresql", false],
        ["/srv/run", false],
        ["/var/runner", false],
    ])("host path exposing the Docker socket: %s → %s", (hostPath, exposes) => {
        expect(exposesDockerSocket(hostPath)).toBe(exposes);
    });

    const digest = "0123456789abcdef".repeat(4);
    it.each([
        [`sha256:${digest}`, true],
        [`postgis/postgis@sha256:${digest}`, true],
        [`ghcr.io/example-org/geoserver:2.28.4@sha256:${digest}`, true],
        ["postgis/postgis:17-3.5", false],
        ["traefik:latest", false],
        [`sha256:${digest.slice(1)}`, false],
        [`postgis/postgis@sha256:${digest.toUpperCase()}`, false],
        ["", false],
    ])("pinned image: %s → %s", (image, pinned) => {
        expect(isPinnedImage(image)).toBe(pinned);
    });
});

describe("the policy pack's files", () => {
    it("declare a Node.js pack with a version, its SDKs pinned to the program's own", () => {
        expect(parse(fs.readFileSync(path.join(ROOT, "policy/PulumiPolicy.yaml"), "utf8")).runtime).toBe("nodejs");
        const pack = readJson("policy/package.json");
        const root = readJson("package.json");
        // The pack reports this version to the CLI; it is released with the rest (docs/development.md, Releases).
        expect(pack.version).toBe(root.version);
        expect(pack.dependencies["@pulumi/policy"]).toBe("1.21.0");
        // One @pulumi/pulumi and @pulumi/docker behaviour for the program and the rules that judge it.
        for (const name of ["@pulumi/pulumi", "@pulumi/docker", "typescript"]) expect(pack.dependencies[name], name).toBe(root.devDependencies[name]);
        expect(readJson("policy/package-lock.json").packages[""].dependencies).toEqual(pack.dependencies);
    });

    it("name each policy once, with its own level and a description", () => {
        expect(PACK_NAME).toMatch(/^[a-zA-Z0-9-_.]{1,100}$/);
        const names = policies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        for (const p of policies) {
            expect(p.name).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
            expect(LEVELS, p.name).toContain(p.enforcementLevel);
            expect(p.description.length, p.name).toBeGreaterThan(20);
        }
        expect(policies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name)).toEqual(["log-rotation"]);
    });

    // The CLI checks a --policy-pack-config file against each policy's configSchema (pkg/resource/analyzer/config.go);
    // this also refuses what it would let through: unknown policy names and properties.
    const stacks = fs
        .readdirSync(ROOT)
        .flatMap((f) => f.match(/^Pulumi\.(.+)\.yaml$/)?.slice(1) ?? [])
        .sort();
    it.each(stacks)("give stack %s a config file the CLI accepts", (stack) => {
        const config = readJson(`policy/config.${stack}.json`);
        const ajv = new Ajv({ strict: false });
        for (const [name, entry] of Object.entries<any>(config)) {
            const policy = policies.find((p) => p.name === name);
            expect(policy !== undefined || name === "all", `${stack}: ${name}`).toBe(true);
            if (typeof entry === "string") {
                expect(LEVELS, `${stack}: ${name}`).toContain(entry);
                continue;
            }
            const { enforcementLevel, ...properties } = entry;
            if (enforcementLevel !== undefined) expect(LEVELS, `${stack}: ${name}`).toContain(enforcementLevel);
            const schema = { type: "object", properties: policy?.configSchema?.properties ?? {}, additionalProperties: false };
            expect(ajv.validate(schema, properties), `${stack}: ${name}: ${ajv.errorsText()}`).toBe(true);
        }
    });

    it("cannot check retainOnDelete: the analyzer protocol of the pack's @pulumi/pulumi does not carry it", async () => {
        const { AnalyzerResourceOptions } = await import("../../../policy/node_modules/@pulumi/pulumi/proto/analyzer_pb");
        const getters = Object.getOwnPropertyNames(AnalyzerResourceOptions.prototype).filter((name) => /^get[A-Z]/.test(name));
        expect(getters).toContain("getProtect");
        // Once it does, protected-data-volumes should require it too (and docs/policy.md say so).
        expect(getters.filter((name) => /retain|deletedwith|replaceonchanges/i.test(name))).toEqual([]);
    });

    it("are documented: docs/policy.md lists every policy with its level", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs/policy.md"), "utf8");
        const rows = [...doc.matchAll(/^\| `([a-z-]+)` +\| (\w+) +\|/gm)].map(([, name, level]) => `${name} ${level}`);
        expect(rows).toEqual(policies.map((p) => `${p.name} ${p.enforcementLevel}`));
    });
});

describe("where the pack runs", () => {
    const steps = (file: string, job: string): any[] => readYaml(`.github/workflows/${file}`).jobs[job].steps;
    const installsPack = (list: any[]) => list.findIndex((s) => s.run === "npm ci --prefix policy --no-audit --no-fund");

    it.each([
        ["preview.yml", "pulumi-preview", "preview", "policy/config.${{ matrix.stack }}.json"],
        ["deploy.yml", "up", "up", "policy/config.prod.json"],
    ])("%s runs pulumi %s with the pack and the stack's config, after installing the pack", (file, job, command, config) => {
        const list = steps(file, job);
        // The first pulumi/actions step with a command (deploy's first one only installs the CLI, for the data guard).
        const action = list.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);
        expect(list[action].with).toMatchObject({ command, policyPacks: "policy", policyPackConfigs: config });
        expect(installsPack(list)).toBeGreaterThan(-1);
        expect(installsPack(list)).toBeLessThan(action);
    });

    it("deploy installs it before the type check, which compiles the tests that import the rules", () => {
        const list = steps("deploy.yml", "up");
        expect(installsPack(list)).toBeLessThan(list.findIndex((s) => s.run === "npm run typecheck"));
    });

    it(".ci/run installs it before running the checks", () => {
        const lines = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8").split("\n");
        expect(lines.indexOf("npm ci --prefix policy --no-audit --no-fund")).toBeGreaterThan(-1);
        expect(lines.indexOf("npm ci --prefix policy --no-audit --no-fund")).toBeLessThan(lines.findIndex((l) => l.endsWith("npm run check")));
    });
});
