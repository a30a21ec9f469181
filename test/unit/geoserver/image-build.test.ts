import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
    EXTENSION_PINS_FILE,
    extensionList,
    extensionZip,
    GEOSERVER_EXTENSIONS,
    knownExtensions,
    parsePins,
    unknownExtensions,
    unpinnedZips,
} from "../../../components/geoserver/extensions";
import { GEOSERVER_IMAGE_SPEC } from "../../../components/geoserver/image";
import { defaultImageContext, extensionsBuildArg, GEOSERVER_IMAGE_CONTEXT, geoserverBuildArgs } from "../../../components/geoserver/image-build";
import { resolve } from "../../../components/shared/args";
import { ROOT } from "../../support/harness";

describe("build context", () => {
    it("is the Dockerfile folder with exactly what the build uses", () => {
        expect(fs.readdirSync(path.join(ROOT, GEOSERVER_IMAGE_CONTEXT)).sort()).toEqual([
            ".dockerignore",
            "Dockerfile",
            EXTENSION_PINS_FILE,
            "geostack-entrypoint.sh",
            "install-extensions.sh",
        ]);
    });

    it("is found from wherever the module runs, relative to the working directory", () => {
        // Source, compiled copies (bin/, dist/) and installed packages all sit at or below the folder holding images/.
        for (const from of [
            path.join(ROOT, "components", "geoserver"),
            path.join(ROOT, "dist", "geoserver"),
            path.join(ROOT, "bin", "components", "geoserver"),
        ]) {
            expect(defaultImageContext(from), from).toBe(path.relative(process.cwd(), path.join(ROOT, GEOSERVER_IMAGE_CONTEXT)));
        }
        // Compiled outside the project (the render's temporary build): the working directory is the project.
        const cwd = process.cwd();
        try {
            process.chdir(ROOT);
            expect(defaultImageContext(os.tmpdir())).toBe("images/geoserver");
            process.chdir(os.tmpdir());
            expect(() => defaultImageContext(os.tmpdir())).toThrow(/no images\/geoserver\/Dockerfile in/);
        } finally {
            process.chdir(cwd);
        }
    });
});

describe("build args", () => {
    it("pass the extensions sorted and once each, so reordering the config rebuilds nothing", () => {
        expect(extensionsBuildArg(["wps", "css", "wps"])).toBe("css,wps");
        expect(extensionsBuildArg([])).toBe("");
        expect(geoserverBuildArgs({ geoserverVersion: "2.28.2", extensions: ["wps", "css"], allowUnpinnedExtensions: false, source: "" })).toEqual({
            GEOSERVER_VERSION: "2.28.2",
            GEOSERVER_BASE_VARIANT: "",
            GEOSERVER_EXTENSIONS: "css,wps",
            GEOSERVER_EXTENSIONS_ALLOW_UNPINNED: "false",
            IMAGE_SOURCE: "",
        });
    });

    it("build on the release's GDAL variant when an extension needs GDAL, and only then", () => {
        const variant = (extensions: string[]) =>
            geoserverBuildArgs({ geoserverVersion: "2.28.4", extensions, allowUnpinnedExtensions: false, source: "" }).GEOSERVER_BASE_VARIANT;
        expect(variant(["gdal"])).toBe("-gdal");
        expect(variant(["wps", "ogr-wfs"])).toBe("-gdal");
        expect(variant(["ogr-wps"])).toBe("-gdal");
        expect(variant(["wps", "vectortiles", "netcdf"])).toBe("");
    });
});

describe("extension pins", () => {
    it("are read as sha256sum writes them, comments and other lines skipped", () => {
        const a = "a".repeat(64);
        const b = "b".repeat(64);
        expect([...parsePins(`# header\n${a}  geoserver-2.28.4-wps-plugin.zip\n${b} *geoserver-2.28.4-css-plugin.zip\n\nnot a pin\n`)]).toEqual([
            ["geoserver-2.28.4-wps-plugin.zip", a],
            ["geoserver-2.28.4-css-plugin.zip", b],
        ]);
    });

    it("name the zip the build downloads, and a context without a pin file pins nothing", () => {
        expect(extensionZip("2.28.4", "wps")).toBe("geoserver-2.28.4-wps-plugin.zip");
        expect(unpinnedZips(os.tmpdir(), "2.28.4", ["wps", "wps"])).toEqual(["geoserver-2.28.4-wps-plugin.zip"]);
    });
});

describe("official extensions", () => {
    it("are listed per release line as the release publishes them", () => {
        expect(knownExtensions("2.28.2")).toContain("wps");
        expect(knownExtensions("2.28.2")).toContain("h2");
        expect(knownExtensions("2.28.2")).not.toContain("iau");
        expect(knownExtensions("3.0.1")).toContain("iau");
        expect(knownExtensions("3.0.1")).not.toContain("h2");
        for (const [line, names] of Object.entries(GEOSERVER_EXTENSIONS)) {
            expect(new Set(names).size, line).toBe(names.length);
            for (const name of names) expect(name, line).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
        }
    });

    it("for a release line not listed, are every listed line's names", () => {
        expect(knownExtensions("3.1.0")).toEqual(expect.arrayContaining(["h2", "iau", "wps"]));
    });

    it("reject a misspelt or community name, naming it and the known ones", () => {
        expect(unknownExtensions("2.28.2", ["wps", "wsp", "ogcapi-tiles"])).toEqual(["wsp", "ogcapi-tiles"]);
        expect(extensionList("2.28.2")(["wps", "vectortiles"])).toBeUndefined();
        expect(extensionList("2.28.2")(["wsp"])).toMatch(/^official GeoServer 2\.28 extension names; unknown: wsp; known: app-schema, .*wps/);
    });
});

describe("GeoServerImage's args", () => {
    const problemsOf = (given: Record<string, unknown>) => resolve(GEOSERVER_IMAGE_SPEC, { repository: "geostack/geoserver", ...given }).problems;
    const TOKEN = "ghp-not-a-real-token";

    it("build locally by default: pinned release, no extensions, the Docker host's platform, no push", () => {
        expect(resolve(GEOSERVER_IMAGE_SPEC, { repository: "geostack/geoserver" })).toMatchObject({
            settings: {
                geoserverVersion: "2.28.4",
                extensions: [],
                allowUnpinnedExtensions: false,
                platform: undefined,
                push: false,
                registryUsername: undefined,
                registryPassword: undefined,
            },
            problems: [],
        });
    });

    it("need a repository without tag or digest", () => {
        expect(resolve(GEOSERVER_IMAGE_SPEC, {}).problems).toEqual(["repository is required"]);
        expect(problemsOf({ repository: "GHCR.io/Acme/GeoServer:latest" })).toEqual([
            expect.stringMatching(/^repository = "GHCR.io\/Acme\/GeoServer:latest": expected a lower-case image repository without tag or digest/),
        ]);
    });

    it("build for the platforms the official image is published for", () => {
        expect(problemsOf({ platform: "linux/arm64" })).toEqual([]);
        expect(problemsOf({ platform: "linux/arm/v7" })).toEqual(['platform = "linux/arm/v7": expected one of linux/amd64, linux/arm64']);
    });

    it("take a GeoServer release and an https source URL", () => {
        expect(problemsOf({ geoserverVersion: "3.0.1", source: "https://github.com/acme/geostack" })).toEqual([]);
        expect(problemsOf({ geoserverVersion: "latest" })).toEqual(['geoserverVersion = "latest": expected a GeoServer release such as 2.28.4 or 3.0.1']);
        expect(problemsOf({ source: "github.com/acme/geostack" })).toEqual([
            expect.stringMatching(/^source = "github.com\/acme\/geostack": expected an https:\/\/ URL/),
        ]);
    });

    it("check the extensions against the release they are built for", () => {
        expect(problemsOf({ extensions: ["wps", "wsp"] })).toEqual([
            expect.stringMatching(/^extensions = \["wps","wsp"\]: expected official GeoServer 2\.28 extension names; unknown: wsp;/),
        ]);
        expect(problemsOf({ geoserverVersion: "3.0.1", extensions: ["h2"] })).toEqual([expect.stringContaining("unknown: h2")]);
        // Not an extension that would load and silently do without its native library.
        expect(problemsOf({ extensions: ["libjpeg-turbo"], allowUnpinnedExtensions: true })).toEqual([
            expect.stringMatching(
                /^extensions = \["libjpeg-turbo"\]: expected extensions whose native libraries the image has; libjpeg-turbo needs the native libjpeg-turbo \(TurboJPEG\) library/,
            ),
        ]);
        // GDAL's extensions from the first release with a GDAL variant of the official image.
        expect(problemsOf({ geoserverVersion: "2.27.3", extensions: ["gdal"], allowUnpinnedExtensions: true })).toEqual([
            expect.stringMatching(
                /^extensions = \["gdal"\]: expected GeoServer 2\.28\.0 or later for gdal: they need GDAL, which only the official image's -gdal variant has/,
            ),
        ]);
        expect(problemsOf({ geoserverVersion: "3.0.1", extensions: ["gdal", "ogr-wfs"], allowUnpinnedExtensions: true })).toEqual([]);
        // A bad release is reported alone, not also as a bad extension list, nor as unpinned zips.
        expect(problemsOf({ geoserverVersion: "latest", extensions: ["wps"] })).toHaveLength(1);
    });

    it("refuse extensions whose zips the pin file does not pin, unless trusted on first use", () => {
        expect(problemsOf({ extensions: ["wps", "css"] })).toEqual([
            expect.stringContaining("not pinned: geoserver-2.28.4-wps-plugin.zip, geoserver-2.28.4-css-plugin.zip."),
        ]);
        expect(problemsOf({ extensions: ["wps"], allowUnpinnedExtensions: true })).toEqual([]);
        const context = fs.mkdtempSync(path.join(os.tmpdir(), "pins-"));
        try {
            fs.writeFileSync(path.join(context, EXTENSION_PINS_FILE), `# comment\n${"0".repeat(64)}  geoserver-2.28.4-wps-plugin.zip\n`);
            expect(problemsOf({ extensions: ["wps"], context })).toEqual([]);
            // A pin names the version: another release's zip is not pinned by it.
            expect(problemsOf({ extensions: ["wps"], geoserverVersion: "2.28.3", context })).toEqual([
                expect.stringContaining("geoserver-2.28.3-wps-plugin.zip"),
            ]);
        } finally {
            fs.rmSync(context, { recursive: true, force: true });
        }
    });

    it("push only to a repository naming its registry host, and only with a login", () => {
        const login = { registryUsername: "example-user", registryPassword: TOKEN };
        expect(problemsOf({ push: true, repository: "ghcr.io/acme/geoserver", ...login })).toEqual([]);
        expect(problemsOf({ push: true, ...login })).toEqual([
            expect.stringMatching(/^repository = "geostack\/geoserver": expected a repository that starts with its registry host/),
        ]);
        expect(problemsOf({ push: true, repository: "ghcr.io/acme/geoserver", registryUsername: "example-user" })).toEqual([
            'registryPassword must be set when push is true: the registry login (docs/geoserver-image.md, "Logging in to ghcr.io")',
        ]);
        expect(problemsOf({ push: true, repository: "ghcr.io/acme/geoserver" })).toEqual([
            expect.stringMatching(/^registryUsername and registryPassword must be set when push is true/),
        ]);
        // Without push the login is not needed.
        expect(problemsOf({})).toEqual([]);
    });

    it("mark the registry token secret, so that no problem prints it", () => {
        expect(GEOSERVER_IMAGE_SPEC.args.registryPassword.secret).toBe(true);
    });
});
