import { beforeAll, describe, expect, it } from "vitest";
import { CONFIG_KEYS, PLATFORM_KEY, SWARM_ONLY_KEYS } from "../../config";
import { isSecret, type RegisteredResource, reveal } from "../../tools/render/mocks";
import { type Deployed, runProgram, stackConfig } from "../support/harness";
import { CONTAINER, envOf, IMAGE, labelsOf, NETWORK, REGISTRY_IMAGE, REMOTE_IMAGE, VOLUME } from "../support/resources";

// Every key set away from its default, so a key the program ignored would show here. `geoserverImage` excludes a
// build and has its own stack tests (prebuilt-image, official-image), as `geoserverImageStartsAsRoot`, which needs it.
const CHANGED: Record<string, string> = {
    domain: "maps.example.net",
    geoserverVersion: "2.28.3",
    // Pinned to an exact image (a made-up digest): the tag still gives the major, the digest is what is pulled.
    postgisImage: `postgis/postgis:18-3.6@sha256:${"18".repeat(32)}`,
    traefikImage: "traefik:v3.6.20",
    geoserverAdminUser: "gisadmin",
    geoserverWorkspace: "city",
    geoserverStore: "roads-db",
    corsAllowedOrigins: JSON.stringify(["https://maps.example.net"]),
    tileCacheQuotaMb: "2048",
    publishDatabasePort: "25432",
    protectData: "true",
    postgisExtensions: JSON.stringify(["postgis_raster", "fuzzystrmatch"]),
    postgisMemoryMb: "1536",
    geoserverMemoryMb: "3072",
    traefikMemoryMb: "128",
    postgisCpus: "1.5",
    geoserverCpus: "3",
    traefikCpus: "0.25",
    dockerSocketGroupId: "998",
    tls: "true",
    acmeEmail: "ops@example.net",
    acmeStaging: "true",
    adminAllowlist: JSON.stringify(["198.51.100.0/24"]),
    rateLimitAverage: "7",
    rateLimitBurst: "9",
    dashboard: "true",
    httpPort: "8080",
    httpsPort: "8443",
    ipv6: "false",
    loopbackOnly: "true",
    imageRepository: "registry.example.net/geo/geoserver",
    pushImage: "true",
    registryUsername: "deploy-bot",
    registryPassword: "registry-token-for-this-test",
    geoserverExtensions: JSON.stringify(["wps"]),
    // Nothing is pinned yet: the extension above is only accepted on trust.
    allowUnpinnedExtensions: "true",
    imagePlatform: "linux/arm64",
    imageSource: "https://example.net/geostack",
    backups: "true",
    backupSchedule: JSON.stringify(["03:30", "15:30"]),
    backupKeepDaily: "5",
    backupKeepWeekly: "3",
    backupKeepMonthly: "12",
    backupMemoryMb: "768",
    backupCpus: "0.5",
    backupOffsiteRepository: "s3:s3.example.net/geo-backups/prod",
    backupOffsitePassword: "restic-password-for-this-test",
    backupOffsiteAccessKeyId: "AKIA-FOR-THIS-TEST",
    backupOffsiteSecretAccessKey: "s3-secret-for-this-test",
};
// The platform and the swarm's own keys: test/stacks/swarm.test.ts and test/unit/swarm/swarm.test.ts.
const COVERED_ELSEWHERE = ["geoserverImage", "geoserverImageStartsAsRoot", PLATFORM_KEY, ...SWARM_ONLY_KEYS];

let run: Deployed;
beforeAll(async () => {
    const config = { ...stackConfig("dev") };
    for (const [key, value] of Object.entries(CHANGED)) config[`geostack:${key}`] = value;
    run = await runProgram("dev", config, [
        "geostack:registryPassword",
        "geostack:backupOffsitePassword",
        "geostack:backupOffsiteAccessKeyId",
        "geostack:backupOffsiteSecretAccessKey",
    ]);
});

const container = (role: string): RegisteredResource => run.mocks.get(CONTAINER, `geostack-${role}`);
const pulled = (role: string): RegisteredResource => run.mocks.get(REMOTE_IMAGE, `geostack-${role}-image`);
const image = (): RegisteredResource => run.mocks.ofType(IMAGE)[0];
const uploads = (c: RegisteredResource): string[] => reveal<{ file: string }[]>(c.inputs.uploads).map((u) => u.file);
const traefikFlags = (): string[] => container("traefik").inputs.command;
/** What the loader of a files volume uploads, by path, secrets revealed and marked. */
const uploaded = (loader: string, file: string): { content: string; secret: boolean } => {
    const upload = reveal<{ file: string; content: string }[]>(run.mocks.get(CONTAINER, loader).inputs.uploads).find((u) => u.file === file);
    return { content: upload?.content ?? "", secret: isSecret(run.mocks.get(CONTAINER, loader).inputs.uploads) };
};
const geoserverLabel = (key: string): string => labelsOf(container("geoserver"))[`traefik.http.middlewares.geostack-dev-geoserver-${key}`];

const REACHES: Record<string, () => void> = {
    domain: () => expect(envOf(container("geoserver")).PROXY_BASE_URL).toBe("https://maps.example.net:8443/geoserver"),
    geoserverVersion: () => {
        expect(image().inputs.tags).toEqual(["registry.example.net/geo/geoserver:2.28.3"]);
        expect(image().inputs.buildArgs.GEOSERVER_VERSION).toBe("2.28.3");
    },
    postgisImage: () => {
        expect(reveal(pulled("postgis").inputs.name)).toBe(`postgis/postgis:18-3.6@sha256:${"18".repeat(32)}`);
        // PostgreSQL 18's image keeps its data one level up, and the major in the volume name keeps 17's data apart.
        expect(container("postgis").inputs.volumes).toEqual([{ volumeName: "geostack-dev-postgis18-data", containerPath: "/var/lib/postgresql" }]);
    },
    traefikImage: () => expect(reveal(pulled("traefik").inputs.name)).toBe("traefik:v3.6.20"),
    geoserverAdminUser: () => {
        expect(envOf(container("geoserver")).GEOSERVER_ADMIN_USER).toBe("gisadmin");
        expect(run.outputs.geoserverAdminUser.value).toBe("gisadmin");
    },
    geoserverWorkspace: () => expect(uploads(container("geoserver"))).toContain("/opt/geostack/seed/new-data-dir/workspaces/city/workspace.xml"),
    geoserverStore: () => expect(uploads(container("geoserver"))).toContain("/opt/geostack/seed/new-data-dir/workspaces/city/roads-db/datastore.xml"),
    corsAllowedOrigins: () => expect(geoserverLabel("cors.headers.accesscontrolalloworiginlist")).toBe("https://maps.example.net"),
    tileCacheQuotaMb: () =>
        expect(
            reveal<{ file: string; content: string }[]>(container("geoserver").inputs.uploads).find((u) => u.file.endsWith("geowebcache-diskquota.xml"))
                ?.content,
        ).toContain("<value>2048</value>"),
    publishDatabasePort: () => expect(container("postgis").inputs.ports).toEqual([{ internal: 5432, external: 25432, ip: "127.0.0.1" }]),
    protectData: () => {
        // Not the tile cache, which is rebuilt; nor the backup tools' volumes, which hold what every `up` writes again.
        const data = run.mocks.ofType(VOLUME).filter((volume) => volume.inputs.name !== "geostack-dev-geoserver-tiles" && !volume.name.endsWith("-files"));
        expect(data.map((volume) => volume.name)).toContain("geostack-backup-backups");
        for (const volume of data) expect(volume.options.protect, volume.name).toBe(true);
    },
    postgisExtensions: () => {
        const script = reveal<{ file: string; content: string }[]>(container("postgis").inputs.uploads).find(
            (u) => u.file === "/docker-entrypoint-initdb.d/30-extensions.sh",
        );
        expect(script?.content.match(/CREATE EXTENSION IF NOT EXISTS \w+/g)).toEqual([
            "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch",
            "CREATE EXTENSION IF NOT EXISTS postgis_raster",
        ]);
    },
    postgisCpus: () => expect(container("postgis").inputs.cpus).toBe("1.5"),
    // As the provider reads it back: "3" would read as "3.0" and replace the container on every `up`.
    geoserverCpus: () => expect(container("geoserver").inputs.cpus).toBe("3.0"),
    traefikCpus: () => expect(container("traefik").inputs.cpus).toBe("0.25"),
    // The image's haproxy user, in the socket's group, instead of root.
    dockerSocketGroupId: () => expect(container("traefik-docker-socket-proxy").inputs).toMatchObject({ user: "99:99", groupAdds: ["998"] }),
    postgisMemoryMb: () => expect(container("postgis").inputs.memory).toBe(1536),
    geoserverMemoryMb: () => expect(container("geoserver").inputs.memory).toBe(3072),
    traefikMemoryMb: () => expect(container("traefik").inputs.memory).toBe(128),
    tls: () => expect(traefikFlags()).toContain("--entrypoints.websecure.address=:443"),
    acmeEmail: () => expect(traefikFlags()).toContain("--certificatesresolvers.letsencrypt.acme.email=ops@example.net"),
    acmeStaging: () =>
        expect(traefikFlags()).toContain("--certificatesresolvers.letsencrypt.acme.caserver=https://acme-staging-v02.api.letsencrypt.org/directory"),
    adminAllowlist: () => expect(geoserverLabel("admin-allowlist.ipallowlist.sourcerange")).toBe("198.51.100.0/24"),
    rateLimitAverage: () => expect(geoserverLabel("ratelimit.ratelimit.average")).toBe("7"),
    rateLimitBurst: () => expect(geoserverLabel("ratelimit.ratelimit.burst")).toBe("9"),
    dashboard: () => expect(traefikFlags()).toContain("--api.dashboard=true"),
    httpPort: () => expect(container("traefik").inputs.ports).toContainEqual({ internal: 80, external: 8080, ip: "127.0.0.1", protocol: "tcp" }),
    httpsPort: () => {
        expect(container("traefik").inputs.ports).toContainEqual({ internal: 443, external: 8443, ip: "127.0.0.1", protocol: "tcp" });
        expect(traefikFlags()).toContain("--entrypoints.web.http.redirections.entrypoint.to=:8443");
        expect(run.outputs.geoserverUrl.value).toBe("https://maps.example.net:8443/geoserver/");
    },
    ipv6: () => {
        expect(container("traefik").inputs.ports.map((p: { ip: string }) => p.ip)).toEqual(["127.0.0.1", "127.0.0.1"]);
        expect(run.mocks.ofType(NETWORK).find((n) => n.inputs.name === "geostack-dev-proxy")!.inputs.ipv6).toBeUndefined();
    },
    loopbackOnly: () => {
        const published = run.mocks.ofType(CONTAINER).flatMap((c) => (c.inputs.ports ?? []).map((p: { ip: string }) => p.ip));
        expect(new Set(published)).toEqual(new Set(["127.0.0.1"]));
    },
    imageRepository: () => expect(image().inputs.tags).toEqual([expect.stringMatching(/^registry\.example\.net\/geo\/geoserver:/)]),
    pushImage: () => {
        const push = run.mocks.get(REGISTRY_IMAGE, "geostack-geoserver-image-push");
        expect(push.inputs.name).toBe("registry.example.net/geo/geoserver:2.28.3");
        expect(run.outputs.geoserverImageDigest.value).toBe(`registry.example.net/geo/geoserver@${push.state.sha256Digest}`);
    },
    registryUsername: () =>
        expect(reveal(image().inputs.registries)).toEqual([expect.objectContaining({ address: "registry.example.net", username: "deploy-bot" })]),
    registryPassword: () => {
        expect(isSecret(image().inputs.registries) || isSecret(image().inputs.registries[0].password)).toBe(true);
        expect(reveal(image().inputs.registries)[0].password).toBe("registry-token-for-this-test");
    },
    geoserverExtensions: () => expect(image().inputs.buildArgs.GEOSERVER_EXTENSIONS).toBe("wps"),
    allowUnpinnedExtensions: () => expect(image().inputs.buildArgs.GEOSERVER_EXTENSIONS_ALLOW_UNPINNED).toBe("true"),
    imagePlatform: () => expect(image().inputs.platforms).toEqual(["linux/arm64"]),
    imageSource: () => expect(image().inputs.buildArgs.IMAGE_SOURCE).toBe("https://example.net/geostack"),
    backups: () => expect(container("backup").inputs.name).toBe("geostack-dev-backup"),
    backupSchedule: () => expect(envOf(container("backup")).BACKUP_SCHEDULE).toBe("03:30 15:30"),
    // The off-host copy keeps what the local retention keeps.
    backupKeepDaily: () => {
        expect(envOf(container("backup")).BACKUP_KEEP_DAILY).toBe("5");
        expect(envOf(container("backup-offsite")).BACKUP_KEEP_DAILY).toBe("5");
    },
    backupKeepWeekly: () => {
        expect(envOf(container("backup")).BACKUP_KEEP_WEEKLY).toBe("3");
        expect(envOf(container("backup-offsite")).BACKUP_KEEP_WEEKLY).toBe("3");
    },
    backupKeepMonthly: () => {
        expect(envOf(container("backup")).BACKUP_KEEP_MONTHLY).toBe("12");
        expect(envOf(container("backup-offsite")).BACKUP_KEEP_MONTHLY).toBe("12");
    },
    backupMemoryMb: () => expect(container("backup").inputs.memory).toBe(768),
    backupCpus: () => expect(container("backup").inputs.cpus).toBe("0.5"),
    backupOffsiteRepository: () => expect(envOf(container("backup-offsite")).RESTIC_REPOSITORY).toBe("s3:s3.example.net/geo-backups/prod"),
    backupOffsitePassword: () =>
        expect(uploaded("geostack-backup-offsite-files", "/opt/geostack/restic-password")).toEqual({ content: "restic-password-for-this-test", secret: true }),
    backupOffsiteAccessKeyId: () => {
        expect(uploaded("geostack-backup-offsite-files", "/opt/geostack/aws-credentials").content).toContain("aws_access_key_id = AKIA-FOR-THIS-TEST\n");
        expect(uploaded("geostack-backup-offsite-files", "/opt/geostack/aws-credentials").secret).toBe(true);
    },
    backupOffsiteSecretAccessKey: () =>
        expect(uploaded("geostack-backup-offsite-files", "/opt/geostack/aws-credentials").content).toContain(
            "aws_secret_access_key = s3-secret-for-this-test\n",
        ),
};

describe("every config key reaches the deployment", () => {
    it("has a check for every key the program reads", () => {
        expect([...Object.keys(REACHES), ...COVERED_ELSEWHERE].sort()).toEqual([...CONFIG_KEYS].sort());
        expect(Object.keys(CHANGED).sort()).toEqual(Object.keys(REACHES).sort());
    });

    it.each(Object.keys(REACHES))("%s", (key) => REACHES[key]());
});
