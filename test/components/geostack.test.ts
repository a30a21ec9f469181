// GeoStack as a component, given only its args (the stack programs are in test/stacks). Its promise: an input any of
// its children would refuse is refused before anything is registered, not even the GeoStack itself.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { GEOSERVER_IMAGE_SPEC, GEOSERVER_SPEC, GEOSTACK_SPEC, GeoStack, POSTGIS_SPEC, TRAEFIK_SPEC } from "../../components";
import { installMocks, type ProviderMocks, reveal, settle } from "../../tools/render/mocks";
import { attempt, expectRefusal, type RefusalCase, registrationsDone, ruleName, titleOf, uncovered } from "../support/refusals";

let mocks: ProviderMocks;
let stack: GeoStack;

describe("GeoStack given only a domain", () => {
    beforeAll(async () => {
        pulumi.runtime.setAllConfig({});
        mocks = installMocks("some-other-project", "staging");
        stack = new GeoStack("gs", { domain: "gs.example.org" });
        new GeoStack("official", { domain: "gs.example.org", geoserverImage: "docker.osgeo.org/geoserver:2.28.4", geoserverImageStartsAsRoot: true });
        await registrationsDone();
    });

    it("runs the GeoServer image it builds (uid 999) with no capability; a prebuilt one that starts as root keeps what stepping down needs", () => {
        const capabilities = (name: string) =>
            mocks.resources.find((r) => r.type === "docker:index/container:Container" && r.name === name)?.inputs.capabilities;
        expect(capabilities("gs-geoserver")).toEqual({ drops: ["ALL"] });
        expect(capabilities("official-geoserver")).toEqual({
            drops: ["ALL"],
            adds: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"],
        });
    });

    it("prefixes every name with the component name", async () => {
        expect((await settle(stack.containerNames)).value).toEqual(["gs-postgis", "gs-geoserver", "gs-traefik", "gs-docker-socket-proxy"]);
        expect((await settle(stack.volumeNames)).value).toEqual(["gs-postgis17-data", "gs-geoserver-data"]);
        expect((await settle(stack.url)).value).toBe("http://gs.example.org/geoserver/");
    });

    it("names nothing after the project or stack it runs in", () => {
        for (const r of mocks.resources) expect(JSON.stringify(reveal(r.inputs))).not.toMatch(/some-other-project|staging/);
    });
});

const CHILDREN = { Postgis: POSTGIS_SPEC, GeoServer: GEOSERVER_SPEC, GeoServerImage: GEOSERVER_IMAGE_SPEC, TraefikProxy: TRAEFIK_SPEC };

describe("GeoStack's args", () => {
    // A check GeoStack does not run itself would only fail in the child, after GeoStack had registered its networks.
    it("are checked with the child's own check wherever the child checks them", () => {
        const notPassed = { "TraefikProxy.dockerSocketProxyImage": "GeoStack runs the pinned socket proxy" };
        const checks = new Set(Object.values(GEOSTACK_SPEC.args).map((entry) => entry.check));
        const unchecked = Object.entries(CHILDREN).flatMap(([child, childSpec]) =>
            Object.entries(childSpec.args)
                .filter(([key, entry]) => entry.check !== undefined && !checks.has(entry.check) && !(`${child}.${key}` in notPassed))
                .map(([key]) => `${child}.${key}`),
        );
        expect(unchecked).toEqual([]);
    });

    it("are held to every rule of every child", () => {
        const origins = new Set(GEOSTACK_SPEC.rules.map((rule) => rule.origin ?? rule));
        const unborrowed = Object.entries(CHILDREN).flatMap(([child, childSpec]) =>
            childSpec.rules.filter((rule) => !origins.has(rule.origin ?? rule)).map((rule) => `${child}: ${ruleName(rule)}`),
        );
        expect(unborrowed).toEqual([]);
    });
});

describe("GeoStack with any one invalid argument of any child registers no resource at all", () => {
    const context = 'Invalid arguments for GeoStack "x"';
    const base = { domain: "maps.example.net" };
    const prebuilt = `ghcr.io/acme/geoserver@sha256:${"a".repeat(64)}`;
    const login = { registryUsername: "acme", registryPassword: "secret-token" };
    // Each arg refused on its own is named as GeoStack names it; the expected problem comes from the spec.
    const badValues: RefusalCase[] = [
        { args: { namePrefix: "-x" } },
        { args: { domain: "https://maps.example.net" } },
        { args: { domain: undefined } },
        { args: { geoserverVersion: "latest" } },
        { args: { geoserverImage: "not a reference" } },
        { args: { imageRepository: "geostack/geoserver:latest" } },
        { args: { registryUsername: "a b" } },
        { args: { imagePlatform: "linux/s390x" } },
        { args: { imageSource: "http://github.com/acme/geostack" } },
        { args: { postgisImage: "postgres:17" } },
        { args: { traefikImage: "traefik:v2.10" } },
        { args: { geoserverAdminUser: "1admin" } },
        { args: { geoserverWorkspace: "gis maps" } },
        { args: { geoserverStore: "a/b" } },
        { args: { corsAllowedOrigins: ["*", "https://maps.example.net"] } },
        { args: { tileCacheQuotaMb: -1 } },
        { args: { publishDatabasePort: 99999 } },
        // The example: it used to register the GeoStack, an image build, a tag and two networks first.
        { args: { postgisMemoryMb: 10 } },
        { args: { postgisExtensions: ["postgis_topo"] } },
        { args: { geoserverMemoryMb: 512 } },
        { args: { traefikMemoryMb: 32 } },
        { args: { postgisCpus: "10" } },
        { args: { geoserverCpus: "1.255" } },
        { args: { traefikCpus: "-1" } },
        { args: { dockerSocketGroupId: 1.5 } },
        { args: { acmeEmail: "ops" } },
        { args: { adminAllowlist: ["10.0.0.0/33"] } },
        { args: { rateLimitAverage: 0 } },
        { args: { rateLimitBurst: 1.5 } },
        { args: { httpPort: 0 } },
        { args: { httpsPort: 100000 } },
        { args: { backupSchedule: ["2am"] } },
        { args: { backupKeepDaily: 0 } },
        { args: { backupKeepWeekly: -1 } },
        { args: { backupKeepMonthly: 1.5 } },
        { args: { backupMemoryMb: 128 } },
        { args: { backupCpus: "0" } },
        // Off the host, never in clear: restic's plain-http form is refused.
        { args: { backupOffsiteRepository: "s3:http://minio.example.net/geo" } },
    ];
    // The children's rules between args, and GeoStack's own, each broken alone.
    const brokenRules: RefusalCase[] = [
        { args: { tls: true }, message: /^acmeEmail is required when tls is true/ },
        {
            args: { tls: true, acmeEmail: "ops@example.net", domain: "maps.local" },
            message: /^domain = "maps\.local": expected a public DNS name .*, since tls is true; set tls to false/,
        },
        { args: { dashboard: true }, message: /^adminAllowlist = \[\]: expected at least one CIDR, since dashboard is true/ },
        {
            args: { tls: true, acmeEmail: "ops@example.net", httpPort: 443 },
            message: /^httpsPort = 443: expected another port than httpPort \(443\), since tls is true/,
        },
        // Docker would refuse the second binding of the port at `up`, after half the stack is created.
        {
            args: { postgisExtensions: ["pgrouting"] },
            message: /^postgisImage = "postgis\/postgis:17-3\.5": expected an image with pgRouting for pgrouting/,
        },
        { args: { publishDatabasePort: 80 }, message: /^publishDatabasePort = 80: expected a port traefik does not publish: httpPort is 80 too$/ },
        {
            args: { geoserverExtensions: ["wsp"] },
            message: /^geoserverExtensions = \["wsp"\]: expected official GeoServer 2\.28 extension names; unknown: wsp;/,
        },
        {
            args: { geoserverVersion: "3.0.1", geoserverExtensions: ["h2"] },
            message: /^geoserverExtensions = \["h2"\]: expected official GeoServer 3\.0 extension names; unknown: h2;/,
        },
        {
            args: { geoserverExtensions: ["wps"] },
            message:
                /^geoserverExtensions = \["wps"\]: expected extensions whose zips .* pins; not pinned: geoserver-2\.28\.4-wps-plugin\.zip\. .* set allowUnpinnedExtensions to true/,
        },
        {
            args: { pushImage: true, imageRepository: "acme/geoserver", ...login },
            message: /^imageRepository = "acme\/geoserver": expected a repository that starts with its registry host/,
        },
        {
            args: { pushImage: true, imageRepository: "ghcr.io/acme/geoserver" },
            message: /^registryUsername and registryPassword must be set when pushImage is true/,
        },
        {
            args: { pushImage: true, imageRepository: "ghcr.io/acme/geoserver", registryUsername: "acme" },
            message: /^registryPassword must be set when pushImage is true/,
        },
        {
            args: { backups: true, backupOffsiteRepository: "s3:s3.example.net/geo" },
            message: /^backupOffsitePassword, backupOffsiteAccessKeyId, backupOffsiteSecretAccessKey must be set with backupOffsiteRepository$/,
        },
        { args: { backupOffsiteRepository: "s3:s3.example.net/geo" }, message: /^backupOffsiteRepository set while backups is false/ },
        {
            args: { backups: true, postgisImage: "postgis/postgis:17-3.5-alpine" },
            message: /^postgisImage = "postgis\/postgis:17-3\.5-alpine": expected a Debian-based image when backups is true/,
        },
        { args: { geoserverImage: prebuilt, pushImage: true }, message: /^pushImage = true: expected false when geoserverImage is set: nothing is built$/ },
        {
            args: { geoserverImage: prebuilt, geoserverExtensions: ["wps"] },
            message: /^geoserverExtensions = \["wps"\]: expected \[\] when geoserverImage is set/,
        },
        {
            args: { geoserverImageStartsAsRoot: true },
            message: /^geoserverImageStartsAsRoot = true: expected false unless geoserverImage is set: the image GeoStack builds runs as uid 999$/,
        },
    ];
    const cases = [...badValues, ...brokenRules];

    it("has a case for every arg with a check and every rule, the children's included", () => {
        const unreachable = { "dashboard + domain": "GeoStack requires domain, and a missing domain is refused on its own" };
        expect(uncovered(GEOSTACK_SPEC, base, cases, unreachable)).toEqual({ args: [], rules: [] });
    });

    it.each(cases.map((c) => [titleOf(c), c] as const))("%s", (_, refusal) =>
        expectRefusal(GEOSTACK_SPEC, context, base, refusal, (args) => new GeoStack("x", args as any)),
    );

    it("names GeoStack's args, never the child's", async () => {
        const { error, registered } = await attempt(() => new GeoStack("x", { domain: "maps.example.net", postgisMemoryMb: 10 }));
        expect((error as Error).message).toBe(
            'Invalid arguments for GeoStack "x" (nothing was created):\n  - postgisMemoryMb = 10: expected a whole number of MiB, at least 256',
        );
        expect(registered).toEqual([]);
    });

    it("takes the component name as the name prefix only if Docker can use it", async () => {
        const { error, registered } = await attempt(() => new GeoStack("bad name", base));
        expect((error as Error).message).toMatch(/namePrefix = "bad name": expected a prefix of lower-case letters/);
        expect(registered).toEqual([]);
    });
});
