import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { GEOSTACK_SPEC } from "../../components/geostack";
import { type Arg, InvalidInputError } from "../../components/shared/args";
import { CONFIG_KEYS, type ConfigContext, configEntry, imageBuildHost, parseStackConfig, SWARM_ONLY_KEYS } from "../../config";
import { readYaml, ROOT, stackConfig } from "../support/harness";

const TOKEN = "ghp-not-a-real-token";
const PREBUILT = `ghcr.io/acme/geoserver@sha256:${"a".repeat(64)}`;

/** A stack's config as the engine hands it over (Pulumi.yaml defaults included), without the prefix; undefined removes a key. */
function raw(stack: string, changes: Record<string, string | undefined> = {}): Record<string, string> {
    const config: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(stackConfig(stack))) if (key.startsWith("geostack:")) config[key.slice("geostack:".length)] = value;
    Object.assign(config, changes);
    return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined)) as Record<string, string>;
}

function refusal(config: Record<string, string>, context?: ConfigContext): InvalidInputError {
    try {
        parseStackConfig(config, context);
    } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        return error as InvalidInputError;
    }
    throw new Error("the config was accepted");
}
const problemsOf = (config: Record<string, string>) => refusal(config).problems;

describe("a stack config GeoStack refuses", () => {
    const cases: [string, Record<string, string | undefined>, RegExp][] = [
        ["missing domain", { domain: undefined }, /^geostack:domain is required$/],
        ["domain with a scheme", { domain: "https://maps.example.org" }, /^geostack:domain = "https:\/\/maps\.example\.org": expected a lower-case DNS name/],
        ["domain that is an IP address", { domain: "192.168.1.10" }, /^geostack:domain = "192\.168\.1\.10": expected a lower-case DNS name/],
        ["single-label domain", { domain: "localhost" }, /^geostack:domain = "localhost": expected a lower-case DNS name/],
        ["port out of range", { publishDatabasePort: "70000" }, /^geostack:publishDatabasePort = 70000: expected an integer TCP port from 1 to 65535$/],
        ["port that is not a number", { publishDatabasePort: "5432/tcp" }, /^geostack:publishDatabasePort = "5432\/tcp": expected a whole number$/],
        [
            "database port that traefik publishes too",
            { publishDatabasePort: "8080", httpPort: "8080" },
            /^geostack:publishDatabasePort = 8080: expected a port traefik does not publish: geostack:httpPort is 8080 too$/,
        ],
        ["negative memory", { geoserverMemoryMb: "-512" }, /^geostack:geoserverMemoryMb = -512: expected a whole number of MiB, at least 1024$/],
        ["memory too small for GeoServer", { geoserverMemoryMb: "256" }, /^geostack:geoserverMemoryMb = 256: expected a whole number of MiB, at least 1024$/],
        ["fractional memory", { postgisMemoryMb: "1.5" }, /^geostack:postgisMemoryMb = "1\.5": expected a whole number$/],
        [
            "unparseable PostGIS tag",
            { postgisImage: "postgis/postgis:latest" },
            /^geostack:postgisImage = "postgis\/postgis:latest": expected a postgis\/postgis image whose tag starts with the PostgreSQL major/,
        ],
        ["invalid image reference", { postgisImage: "Postgis/PostGIS::17" }, /^geostack:postgisImage = "Postgis\/PostGIS::17": expected/],
        [
            "traefik too old for Docker 29",
            { traefikImage: "traefik:v3.5.4" },
            /^geostack:traefikImage = "traefik:v3\.5\.4": expected a traefik v3 image pinned to a patch release, v3\.6\.1 or later/,
        ],
        ["traefik not pinned", { traefikImage: "traefik:latest" }, /^geostack:traefikImage = "traefik:latest": expected/],
        ["boolean that is not one", { protectData: "yes" }, /^geostack:protectData = "yes": expected true or false$/],
        ["bad GeoServer version", { geoserverVersion: "latest" }, /^geostack:geoserverVersion = "latest": expected a GeoServer release/],
        ["admin user with a space", { geoserverAdminUser: "geo admin" }, /^geostack:geoserverAdminUser = "geo admin": expected a user name/],
        ["misspelt key", { protectdata: "true" }, /^geostack:protectdata is not a GeoStack key \(value not shown\); GeoStack reads domain, /],
    ];

    it.each(cases)("%s, naming the key, its value and what is expected", (_name, changes, message) => {
        const error = refusal(raw("dev", changes));
        expect(error.problems).toEqual([expect.stringMatching(message)]);
        expect(error.message).toMatch(/^Invalid GeoStack stack configuration \(nothing was created\):\n {2}- geostack:/);
    });

    it("never prints the value of a key it does not know (a misspelt secret key)", () => {
        const error = refusal(raw("dev", { registryPasword: "ghp_do-not-print" }));
        expect(error.problems).toEqual([expect.stringMatching(/^geostack:registryPasword is not a GeoStack key \(value not shown\); GeoStack reads /)]);
        expect(error.message).not.toContain("ghp_do-not-print");
    });

    it("lists every key it reads when it refuses an unknown one", () => {
        const [problem] = problemsOf(raw("dev", { protectdata: "true" }));
        expect(problem.slice(problem.indexOf("reads ") + "reads ".length).split(", ")).toEqual(CONFIG_KEYS);
    });

    it("reports every bad key at once", () => {
        expect(problemsOf(raw("dev", { domain: "bad_domain", publishDatabasePort: "0.5", traefikMemoryMb: "8", unknown: "x" }))).toEqual([
            `geostack:unknown is not a GeoStack key (value not shown); GeoStack reads ${CONFIG_KEYS.join(", ")}`,
            'geostack:publishDatabasePort = "0.5": expected a whole number',
            expect.stringMatching(/^geostack:domain = "bad_domain": expected a lower-case DNS name/),
            "geostack:traefikMemoryMb = 8: expected a whole number of MiB, at least 64",
        ]);
    });

    it("names every key in every problem, rules included, as the user wrote it: geostack:<key>", () => {
        // Between them, they break every rule GeoStack has (its own and its children's) and a check of each child.
        const problems = [
            ...problemsOf(
                raw("prod", {
                    domain: "geostack.localhost",
                    acmeEmail: "",
                    dashboard: "true",
                    adminAllowlist: "[]",
                    geoserverImage: PREBUILT,
                    geoserverExtensions: '["wps"]',
                    postgisMemoryMb: "8",
                    traefikMemoryMb: "8",
                }),
            ),
            ...problemsOf(
                raw("prod", {
                    registryUsername: "",
                    registryPassword: "",
                    imageRepository: "acme/geoserver",
                    geoserverExtensions: '["wsp"]',
                    geoserverMemoryMb: "8",
                }),
            ),
        ];
        expect(problems).toHaveLength(11);
        const keys = Object.keys(GEOSTACK_SPEC.args);
        // A key without its prefix: a camelCase one anywhere, or any one where a problem names a key (plain words such
        // as "the dashboard is only served" are English).
        const bare = new RegExp(
            `(?<!geostack:)\\b(${keys.filter((key) => /[A-Z]/.test(key)).join("|")})\\b|(?<!geostack:)\\b(${keys.join("|")}) (=|is true|is required|must|to false|to true)`,
        );
        for (const problem of problems) {
            expect(problem).toMatch(/^geostack:/);
            expect(problem).not.toMatch(bare);
        }
    });
});

describe("parsing the engine's strings", () => {
    it("reads each key as its kind: strings as given, whole numbers, true/false, lists as JSON text", () => {
        expect(
            parseStackConfig({
                domain: "maps.example.org",
                geoserverMemoryMb: "4096",
                protectData: "true",
                tls: "false",
                adminAllowlist: '["203.0.113.0/24","2001:db8::/32"]',
                geoserverExtensions: '["wps","vectortiles"]',
                allowUnpinnedExtensions: "true",
            }),
        ).toEqual({
            domain: "maps.example.org",
            geoserverMemoryMb: 4096,
            protectData: true,
            tls: false,
            adminAllowlist: ["203.0.113.0/24", "2001:db8::/32"],
            geoserverExtensions: ["wps", "vectortiles"],
            allowUnpinnedExtensions: true,
        });
    });

    it.each([
        ["geoserverMemoryMb", "4k", "a whole number"],
        ["geoserverMemoryMb", "1e3", "a whole number"],
        ["protectData", "True", "true or false"],
        ["tls", "yes", "true or false"],
        ["adminAllowlist", "203.0.113.0/24", "a list of strings"],
        ["geoserverExtensions", "wps,vectortiles", "a list of strings"],
        ["geoserverExtensions", '["wps", 1]', "a list of strings"],
    ])("refuses %s = %j: expected %s", (key, value, expected) => {
        expect(problemsOf({ domain: "maps.example.org", [key]: value })).toEqual([`geostack:${key} = ${JSON.stringify(value)}: expected ${expected}`]);
    });

    it('takes an optional key\'s Pulumi.yaml default, "" or 0, as unset', () => {
        const config = parseStackConfig(raw("dev"));
        for (const key of ["acmeEmail", "registryUsername", "registryPassword", "geoserverImage", "imageSource"] as const)
            expect(config[key], key).toBeUndefined();
        expect(parseStackConfig({ domain: "maps.example.org", publishDatabasePort: "0" }).publishDatabasePort).toBeUndefined();
        expect(parseStackConfig({ domain: "maps.example.org", publishDatabasePort: "15432" }).publishDatabasePort).toBe(15432);
    });

    it('keeps "" and 0 as values of a key that has a default, where they are refused', () => {
        expect(problemsOf({ domain: "maps.example.org", rateLimitAverage: "0" })).toEqual([
            "geostack:rateLimitAverage = 0: expected a whole number of requests, at least 1",
        ]);
        expect(problemsOf({ domain: "maps.example.org", geoserverVersion: "" })).toEqual([
            expect.stringMatching(/^geostack:geoserverVersion = "": expected a GeoServer release/),
        ]);
        expect(problemsOf({ domain: "" })).toEqual([expect.stringMatching(/^geostack:domain = "": expected a lower-case DNS name/)]);
    });

    it("accepts PostgreSQL 18 images and every committed stack file", () => {
        expect(parseStackConfig({ domain: "maps.example.org", postgisImage: "postgis/postgis:18-3.6" }).postgisImage).toBe("postgis/postgis:18-3.6");
        for (const stack of ["dev", "prod"]) expect(() => parseStackConfig(raw(stack)), stack).not.toThrow();
    });
});

describe("edge config", () => {
    /** A valid prod-like config, as the engine passes it. */
    const prod: Record<string, string> = {
        domain: "maps.example.org",
        tls: "true",
        acmeEmail: "ops@example.org",
        adminAllowlist: JSON.stringify(["203.0.113.0/24", "2001:db8::/32"]),
        rateLimitAverage: "30",
        rateLimitBurst: "90",
        dashboard: "true",
    };
    const change = (changes: Record<string, string | undefined>) =>
        Object.fromEntries(Object.entries({ ...prod, ...changes }).filter(([, v]) => v !== undefined)) as Record<string, string>;

    it("parses a prod config into typed values", () => {
        expect(parseStackConfig(prod)).toEqual({
            domain: "maps.example.org",
            tls: true,
            acmeEmail: "ops@example.org",
            adminAllowlist: ["203.0.113.0/24", "2001:db8::/32"],
            rateLimitAverage: 30,
            rateLimitBurst: 90,
            dashboard: true,
        });
    });

    it.each([
        ["tls without acmeEmail", { acmeEmail: undefined }, /^geostack:acmeEmail is required when geostack:tls is true: the Let's Encrypt account's e-mail$/],
        ["tls with acmeEmail at its unset default", { acmeEmail: "" }, /^geostack:acmeEmail is required when geostack:tls is true/],
        ["an invalid acmeEmail", { acmeEmail: "ops@" }, /^geostack:acmeEmail = "ops@": expected an e-mail address/],
        [
            "a *.localhost domain with tls",
            { domain: "geostack.localhost" },
            /^geostack:domain = "geostack.localhost": expected a public DNS name Let's Encrypt can certify .*since geostack:tls is true; set geostack:tls to false for a laptop$/,
        ],
        ["a .internal domain with tls", { domain: "gis.corp.internal" }, /^geostack:domain = "gis.corp.internal": expected a public DNS name Let's Encrypt/],
        ["an IP address as domain", { domain: "203.0.113.7" }, /^geostack:domain = "203.0.113.7": expected a lower-case DNS name/],
        ["a single-label domain", { domain: "maps" }, /^geostack:domain = "maps": expected a lower-case DNS name/],
        [
            "an invalid IPv4 CIDR",
            { adminAllowlist: JSON.stringify(["10.0.0.0/33"]) },
            /^geostack:adminAllowlist = \["10.0.0.0\/33"\]: expected IPv4 or IPv6 ranges in CIDR notation/,
        ],
        ["an invalid IPv6 CIDR", { adminAllowlist: JSON.stringify(["2001:db8::/200"]) }, /^geostack:adminAllowlist = .*not CIDRs: "2001:db8::\/200"/],
        ["an allowlist that is not a list", { adminAllowlist: "203.0.113.0/24" }, /^geostack:adminAllowlist = "203.0.113.0\/24": expected a list of strings$/],
        ["a zero rate", { rateLimitAverage: "0" }, /^geostack:rateLimitAverage = 0: expected a whole number of requests, at least 1$/],
        ["a negative burst", { rateLimitBurst: "-3" }, /^geostack:rateLimitBurst = -3: expected a whole number of requests, at least 1$/],
        [
            "a dashboard without allowlist",
            { adminAllowlist: "[]" },
            /^geostack:adminAllowlist = \[\]: expected at least one CIDR, since geostack:dashboard is true/,
        ],
        ["a tls value that is not a boolean", { tls: "yes" }, /^geostack:tls = "yes": expected true or false$/],
    ])("refuses %s, naming the key, once", (_, changes, message) => {
        expect(problemsOf(change(changes))).toEqual([expect.stringMatching(message)]);
    });

    it("accepts a .localhost domain and no e-mail without tls", () => {
        const config = parseStackConfig(change({ tls: "false", acmeEmail: "", domain: "geostack.localhost" }));
        expect(config.domain).toBe("geostack.localhost");
        expect(config).not.toHaveProperty("acmeEmail");
    });

    it("judges no rule by the default of a key whose value it could not read", () => {
        // The dashboard rule would otherwise report an empty allowlist the user never wrote.
        expect(problemsOf(change({ adminAllowlist: "203.0.113.0/24" }))).toEqual(['geostack:adminAllowlist = "203.0.113.0/24": expected a list of strings']);
        expect(problemsOf(change({ tls: "yes", acmeEmail: undefined }))).toEqual(['geostack:tls = "yes": expected true or false']);
    });

    it("reports every edge problem at once", () => {
        const problems = problemsOf(change({ acmeEmail: "", domain: "geostack.localhost", rateLimitBurst: "0", adminAllowlist: JSON.stringify(["nope"]) }));
        expect(problems.map((p) => p.split(/ = | is required/)[0]).sort()).toEqual([
            "geostack:acmeEmail",
            "geostack:adminAllowlist",
            "geostack:domain",
            "geostack:rateLimitBurst",
        ]);
    });
});

describe("image config", () => {
    it("builds locally by default: a local repository, no push, no credentials, nothing prebuilt", () => {
        const config = parseStackConfig(raw("dev"));
        expect(config).toMatchObject({ imageRepository: "geostack/geoserver", pushImage: false, geoserverExtensions: [], allowUnpinnedExtensions: false });
        // Pulumi.yaml's "" default: the image is built and pulled for the Docker host's own platform.
        expect(config.imagePlatform).toBeUndefined();
        expect(config.registryUsername).toBeUndefined();
        expect(config.registryPassword).toBeUndefined();
        expect(config.geoserverImage).toBeUndefined();
        expect(config.imageSource).toBeUndefined();
    });

    it("hands the registry login of a pushing stack on to GeoStack", () => {
        // The token becomes a secret in GeoServerImage, whatever form it arrives in.
        expect(parseStackConfig(raw("prod", { registryPassword: TOKEN }))).toMatchObject({
            pushImage: true,
            imageRepository: "ghcr.io/example-org/geoserver",
            registryUsername: "example-user",
            registryPassword: TOKEN,
        });
    });

    it("stops a push without a registry login, naming the keys, and never prints a token", () => {
        expect(problemsOf(raw("prod", { registryPassword: "" }))).toEqual([
            'geostack:registryPassword must be set when geostack:pushImage is true: the registry login (docs/geoserver-image.md, "Logging in to ghcr.io")',
        ]);
        expect(problemsOf(raw("prod", { registryUsername: "", registryPassword: "" }))).toEqual([
            expect.stringMatching(/^geostack:registryUsername and geostack:registryPassword must be set when geostack:pushImage is true/),
        ]);
        const error = refusal(raw("prod", { registryUsername: "", registryPassword: TOKEN }));
        expect(error.problems).toEqual([expect.stringMatching(/^geostack:registryUsername must be set/)]);
        expect(error.message).not.toContain(TOKEN);
        expect(refusal(raw("prod", { registryUsername: "two words", registryPassword: TOKEN })).message).not.toContain(TOKEN);
    });

    it("stops an invalid repository, and a push to one without a registry host", () => {
        expect(problemsOf(raw("dev", { imageRepository: "GHCR.io/Acme/GeoServer:latest" }))).toEqual([
            expect.stringMatching(/^geostack:imageRepository = "GHCR.io\/Acme\/GeoServer:latest": expected a lower-case image repository/),
        ]);
        expect(problemsOf(raw("prod", { registryPassword: TOKEN, imageRepository: "acme/geoserver" }))).toEqual([
            expect.stringMatching(/^geostack:imageRepository = "acme\/geoserver": expected a repository that starts with its registry host/),
        ]);
    });

    it("stops an unknown extension, and one the release line does not publish", () => {
        expect(problemsOf(raw("dev", { geoserverExtensions: '["wps","wsp"]' }))).toEqual([
            expect.stringMatching(/^geostack:geoserverExtensions = \["wps","wsp"\]: expected official GeoServer 2\.28 extension names; unknown: wsp;/),
        ]);
        expect(problemsOf(raw("dev", { geoserverVersion: "3.0.1", geoserverExtensions: '["h2"]' }))).toEqual([expect.stringContaining("unknown: h2;")]);
    });

    it("stops a platform the official image is not published for", () => {
        expect(problemsOf(raw("dev", { imagePlatform: "linux/arm/v7" }))).toEqual([
            'geostack:imagePlatform = "linux/arm/v7": expected one of linux/amd64, linux/arm64',
        ]);
    });

    it("takes a prebuilt image reference, and refuses to push or bake extensions into it", () => {
        expect(parseStackConfig(raw("dev", { geoserverImage: PREBUILT })).geoserverImage).toBe(PREBUILT);
        expect(problemsOf(raw("dev", { geoserverImage: "not a reference" }))).toEqual([
            expect.stringMatching(/^geostack:geoserverImage = "not a reference": expected a Docker image reference/),
        ]);
        expect(problemsOf(raw("prod", { registryPassword: TOKEN, geoserverImage: PREBUILT, geoserverExtensions: '["wps"]' }))).toEqual([
            "geostack:pushImage = true: expected false when geostack:geoserverImage is set: nothing is built",
            'geostack:geoserverExtensions = ["wps"]: expected [] when geostack:geoserverImage is set: extensions are baked in at build time',
        ]);
    });

    it("runs no rule of the image build when a prebuilt image is run: nothing is built", () => {
        // Without the prebuilt image, the same config lacks a registry login and a pushable repository.
        expect(problemsOf(raw("dev", { pushImage: "true" }))).toHaveLength(2);
        expect(parseStackConfig(raw("dev", { geoserverImage: PREBUILT, imageRepository: "local/geoserver" })).geoserverImage).toBe(PREBUILT);
        expect(problemsOf(raw("dev", { geoserverImage: PREBUILT, pushImage: "true" }))).toEqual([
            "geostack:pushImage = true: expected false when geostack:geoserverImage is set: nothing is built",
        ]);
    });

    it("takes an https source URL for the image label", () => {
        expect(parseStackConfig(raw("dev", { imageSource: "https://github.com/acme/geostack" })).imageSource).toBe("https://github.com/acme/geostack");
        expect(problemsOf(raw("dev", { imageSource: "github.com/acme/geostack" }))).toEqual([
            expect.stringMatching(/^geostack:imageSource = "github.com\/acme\/geostack": expected an https:\/\/ URL/),
        ]);
    });
});

describe("Pulumi.yaml", () => {
    const project = readYaml("Pulumi.yaml");
    const declared: Record<string, any> = project.config;
    const entries = CONFIG_KEYS.map((key) => [key, configEntry(key) as Arg<unknown>] as const);

    it("is valid against Pulumi's own project schema", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "support", "pulumi-project.schema.json"), "utf8"));
        const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
        expect(validate(project), JSON.stringify(validate.errors)).toBe(true);
    });

    it("declares exactly the keys the program reads, each described", () => {
        expect(Object.keys(declared).sort()).toEqual([...CONFIG_KEYS].sort());
        for (const key of CONFIG_KEYS) expect(declared[key].description, key).toBeTruthy();
    });

    it("declares each key with the kind GeoStack's spec gives it", () => {
        for (const [key, entry] of entries) {
            expect(declared[key].type, key).toBe(entry.kind);
            if (entry.kind === "array") expect(declared[key].items, key).toEqual({ type: "string" });
        }
    });

    it("gives a key with a default GeoStack's own default, an optional key the unset default, a required key none", () => {
        for (const [key, entry] of entries) {
            if (entry.presence === "default") expect(declared[key].default, key).toEqual(entry.default);
            // The CLI requires a default for a key a stack file may leave out; "" and 0 are what the program reads as unset.
            // A key only one platform requires (postgisNodeHost) is optional to the other's stacks: the unset default too.
            else if (entry.presence === "optional" || SWARM_ONLY_KEYS.includes(key))
                expect(declared[key].default, key).toBe({ string: "", integer: 0 }[entry.kind as string]);
            else expect(declared[key], key).not.toHaveProperty("default");
        }
    });

    it("declares no key secret: Pulumi rejects a secret key's plaintext default, and dev needs no registry token", () => {
        // (pulumi/pulumi mergeConfig applies defaults, then validateStackConfigValues rejects a non-secure value of a
        // key declared `secret: true`.) GeoStack handles registryPassword as a secret itself.
        for (const key of Object.keys(declared)) expect(declared[key].secret, key).toBeUndefined();
        expect(GEOSTACK_SPEC.args.registryPassword).toMatchObject({ presence: "optional", secret: true });
    });

    it("is never given a registry token in plain text by a stack file", () => {
        for (const stack of ["dev", "prod"]) {
            const value = readYaml(`Pulumi.${stack}.yaml`).config["geostack:registryPassword"];
            if (value !== undefined) expect(value, stack).toEqual({ secure: expect.any(String) });
        }
    });
});

describe("secrets, other namespaces and the stack's name", () => {
    const prod = () => raw("prod", { registryPassword: TOKEN });

    it("refuses a registry token in plain text, telling to use --secret, without printing it", () => {
        const error = refusal(prod(), { secretKeys: [] });
        expect(error.problems).toEqual([
            "geostack:registryPassword is set in plain text (value not shown): a registry token must be a secret; remove it from the stack file and run pulumi config set --secret registryPassword <token>",
        ]);
        expect(error.message).not.toContain(TOKEN);
        expect(() => parseStackConfig(prod(), { secretKeys: ["registryPassword"] })).not.toThrow();
        // Pulumi.yaml's "" default is no token at all.
        expect(() => parseStackConfig(raw("dev"), { secretKeys: [] })).not.toThrow();
    });

    it("refuses the off-host copy's password and S3 keys in plain text too", () => {
        const offsite = {
            backups: "true",
            backupOffsiteRepository: "s3:s3.example.net/geo",
            backupOffsitePassword: "restic-password-in-the-clear",
            backupOffsiteAccessKeyId: "AKIA-IN-THE-CLEAR",
            backupOffsiteSecretAccessKey: "s3-secret-in-the-clear",
        };
        const error = refusal(raw("prod", offsite), { secretKeys: ["registryPassword", "backupOffsitePassword"] });
        expect(error.problems).toEqual(
            ["backupOffsiteAccessKeyId", "backupOffsiteSecretAccessKey"].map(
                (key) =>
                    `geostack:${key} is set in plain text (value not shown): a password or key must be a secret; remove it from the stack file and run pulumi config set --secret ${key} <value>`,
            ),
        );
        for (const value of Object.values(offsite).slice(2)) expect(error.message).not.toContain(value);
        const secretKeys = ["registryPassword", "backupOffsitePassword", "backupOffsiteAccessKeyId", "backupOffsiteSecretAccessKey"];
        expect(parseStackConfig(raw("prod", offsite), { secretKeys }).backupOffsiteRepository).toBe("s3:s3.example.net/geo");
    });

    it("never prints a --secret key's value, whatever the key and whichever rule quotes it", () => {
        const secretDomain = "geostack.localhost";
        // tls with a local name: the rule between tls and domain quotes the domain.
        const error = refusal(raw("dev", { tls: "true", acmeEmail: "ops@example.org", domain: secretDomain }), { secretKeys: ["domain"] });
        expect(error.problems).toEqual([expect.stringMatching(/^geostack:domain = \(secret, not shown\): expected a public DNS name/)]);
        expect(error.message).not.toContain(secretDomain);
        const list = refusal(raw("dev", { adminAllowlist: JSON.stringify(["0.0.0.0/0"]) }), { secretKeys: ["adminAllowlist"] });
        expect(list.message).not.toContain("0.0.0.0/0");
        const unreadable = refusal(raw("dev", { postgisMemoryMb: "lots-9f8e" }), { secretKeys: ["postgisMemoryMb"] });
        expect(unreadable.problems).toEqual(["geostack:postgisMemoryMb = (secret, not shown): expected a whole number"]);
    });

    it("refuses an admin allowlist open to everyone, naming the key, the value and what is expected", () => {
        expect(problemsOf(raw("dev", { adminAllowlist: JSON.stringify(["10.0.0.0/8", "0.0.0.0/0", "::/0"]) }))).toEqual([
            'geostack:adminAllowlist = ["10.0.0.0/8","0.0.0.0/0","::/0"]: expected the admins\' own address ranges, none wider than /8 (IPv4) or /7 (IPv6): "0.0.0.0/0", "::/0" would open the web UI and REST API to everyone',
        ]);
    });

    it("refuses credentials in imageSource without printing them", () => {
        const error = refusal(raw("dev", { imageSource: `https://x-access-token:${TOKEN}@github.com/acme/geostack` }));
        expect(error.problems).toEqual([
            'geostack:imageSource = "https://(credentials not shown)@github.com/acme/geostack": expected an https:// URL without a user name or password in it (the label is public)',
        ]);
        expect(error.message).not.toContain(TOKEN);
    });

    it("refuses keys of a misspelt namespace, or of another namespace with one of GeoStack's names, which would be ignored", () => {
        const otherKeys = ["geostak:protectData", "GeoStack:tls", "geostacks:domain", "docker:host", "aws:region", "pulumi:protectData"];
        const error = refusal(raw("prod", { registryPassword: TOKEN }), { secretKeys: ["registryPassword"], otherKeys });
        expect(error.problems).toEqual([
            'geostak:protectData is not read (value not shown): its namespace is "geostak", not "geostack"; set geostack:protectData instead',
            'GeoStack:tls is not read (value not shown): its namespace is "GeoStack", not "geostack"; set geostack:tls instead',
            'geostacks:domain is not read (value not shown): its namespace is "geostacks", not "geostack"; set geostack:domain instead',
            'pulumi:protectData is not read (value not shown): its namespace is "pulumi", not "geostack"; set geostack:protectData instead',
        ]);
    });

    it("refuses a stack name that makes names traefik cannot parse, or too long for a DNS label", () => {
        for (const stack of ["prod.eu", "Prod", "a-very-long-stack-name-for-the-eu-west-region"]) {
            const error = refusal(raw("dev"), { stack: { name: stack, namePrefix: `geostack-${stack}` } });
            expect(error.problems, stack).toEqual([
                expect.stringMatching(
                    new RegExp(
                        `^the stack name "${stack}" makes the name prefix "geostack-${stack}" \\(<project>-<stack>\\): expected a prefix of lower-case letters.*; use another stack name$`,
                    ),
                ),
            ]);
        }
        expect(() => parseStackConfig(raw("dev"), { stack: { name: "prod-eu", namePrefix: "geostack-prod-eu" } })).not.toThrow();
    });
});

describe("the Docker host the GeoServer image is built on", () => {
    it("is docker:host's, given to an explicit docker-build provider, which would otherwise read only DOCKER_HOST", () => {
        expect(imageBuildHost({ "docker:host": "ssh://deploy@maps.example.org" })).toBe("ssh://deploy@maps.example.org");
        // Both unset: both providers read DOCKER_HOST (or the local socket); both set alike: the default one suffices.
        expect(imageBuildHost({})).toBeUndefined();
        expect(imageBuildHost({ "docker:host": "ssh://a", "docker-build:host": "ssh://a" })).toBeUndefined();
    });

    it("refuses a docker-build:host that is not docker:host, which would build where the container cannot run it", () => {
        expect(() => imageBuildHost({ "docker:host": "ssh://a", "docker-build:host": "ssh://b" })).toThrow(
            /docker-build:host = "ssh:\/\/b": expected docker:host's "ssh:\/\/a": the GeoServer image must be built by the Docker engine that runs it/,
        );
        expect(() => imageBuildHost({ "docker-build:host": "ssh://b" })).toThrow(/docker-build:host = "ssh:\/\/b": expected unset, as docker:host is/);
    });
});
