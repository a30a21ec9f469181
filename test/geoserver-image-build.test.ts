import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { GEOSERVER_EXTENSIONS, knownExtensions, unknownExtensions } from "../components/helpers/geoserver-extensions";
import {
    BuildInputs,
    buildFingerprint,
    buildTag,
    defaultImageContext,
    extensionsBuildArg,
    GEOSERVER_IMAGE_CONTEXT,
    geoserverBuildArgs,
    readBuildContext,
} from "../components/helpers/geoserver-image-build";
import { registryHostOf } from "../components/helpers/images";
import { isExtensionList, isHttpsUrl, isImagePlatform, isImageRepository, isPushableRepository } from "../components/helpers/validation";
import { ROOT } from "./harness";

const file = (p: string, content: string) => ({ path: p, content: Buffer.from(content) });
const base: BuildInputs = {
    files: [file("Dockerfile", "FROM x"), file("extension-checksums.sha256", "")],
    buildArgs: { GEOSERVER_VERSION: "2.28.2", GEOSERVER_EXTENSIONS: "wps" },
    platform: "linux/amd64",
};

describe("build fingerprint", () => {
    it("is a sha256 that the same inputs always give, whatever the order of the build args", () => {
        const fingerprint = buildFingerprint(base);
        expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
        expect(buildFingerprint({ ...base, buildArgs: { GEOSERVER_EXTENSIONS: "wps", GEOSERVER_VERSION: "2.28.2" } })).toBe(fingerprint);
    });

    it("changes with any file content, file name, build arg or the platform", () => {
        const fingerprint = buildFingerprint(base);
        const variants: BuildInputs[] = [
            { ...base, files: [file("Dockerfile", "FROM y"), base.files[1]] },
            { ...base, files: [file("Dockerfile2", "FROM x"), base.files[1]] },
            { ...base, files: [...base.files, file("notes.txt", "")] },
            { ...base, buildArgs: { ...base.buildArgs, GEOSERVER_EXTENSIONS: "wps,css" } },
            { ...base, buildArgs: { ...base.buildArgs, IMAGE_SOURCE: "" } },
            { ...base, platform: "linux/arm64" },
        ];
        const fingerprints = variants.map(buildFingerprint);
        expect(new Set([fingerprint, ...fingerprints]).size).toBe(variants.length + 1);
    });

    it("cannot be fooled by moving bytes from one field to the next", () => {
        const a = buildFingerprint({ ...base, files: [file("ab", "c")] });
        const b = buildFingerprint({ ...base, files: [file("a", "bc")] });
        expect(a).not.toBe(b);
    });

    it("tags a build <version>-<12 hex digits>", () => {
        expect(buildTag("2.28.2", "0123456789abcdef".repeat(4))).toBe("2.28.2-0123456789ab");
    });
});

describe("build context", () => {
    it("reads every file below the folder, by sorted relative path", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "context-"));
        try {
            fs.mkdirSync(path.join(dir, "sub"));
            fs.writeFileSync(path.join(dir, "b"), "B");
            fs.writeFileSync(path.join(dir, "sub", "a"), "A");
            fs.writeFileSync(path.join(dir, ".dockerignore"), "*");
            expect(readBuildContext(dir).map((f) => [f.path, f.content.toString()])).toEqual([
                [".dockerignore", "*"],
                ["b", "B"],
                ["sub/a", "A"],
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is the Dockerfile folder with exactly what the build uses", () => {
        expect(readBuildContext(path.join(ROOT, GEOSERVER_IMAGE_CONTEXT)).map((f) => f.path)).toEqual([".dockerignore", "Dockerfile", "extension-checksums.sha256"]);
    });

    it("finds the build context from wherever the module runs, relative to the working directory", () => {
        // Source, compiled copies (bin/, dist/) and installed packages all sit at or below the folder holding images/.
        for (const from of [path.join(ROOT, "components", "helpers"), path.join(ROOT, "dist", "helpers"), path.join(ROOT, "bin", "components", "helpers")]) {
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
        expect(geoserverBuildArgs({ geoserverVersion: "2.28.2", extensions: ["wps", "css"], source: "" })).toEqual({
            GEOSERVER_VERSION: "2.28.2",
            GEOSERVER_EXTENSIONS: "css,wps",
            IMAGE_SOURCE: "",
            BUILDKIT_INLINE_CACHE: "1",
        });
    });
});

describe("image repositories", () => {
    it("know their registry host as Docker does", () => {
        expect(registryHostOf("ghcr.io/acme/geoserver")).toBe("ghcr.io");
        expect(registryHostOf("localhost:5000/geoserver")).toBe("localhost:5000");
        expect(registryHostOf("localhost/geoserver")).toBe("localhost");
        expect(registryHostOf("geostack/geoserver")).toBeUndefined();
        expect(registryHostOf("geoserver")).toBeUndefined();
    });

    it("accept a repository without tag or digest; pushing needs the registry host", () => {
        expect(isImageRepository("ghcr.io/acme/geoserver")).toBeUndefined();
        expect(isImageRepository("geostack/geoserver")).toBeUndefined();
        for (const bad of ["ghcr.io/acme/geoserver:2.28.2", "ghcr.io/Acme/geoserver", "ghcr.io/acme/geoserver@sha256:" + "a".repeat(64), "", "https://ghcr.io/acme/geoserver"]) {
            expect(isImageRepository(bad), bad).toBeDefined();
        }
        expect(isPushableRepository("ghcr.io/acme/geoserver")).toBeUndefined();
        expect(isPushableRepository("geostack/geoserver")).toMatch(/registry host/);
    });

    it("build for the platforms the official image is published for", () => {
        expect(isImagePlatform("linux/amd64")).toBeUndefined();
        expect(isImagePlatform("linux/arm64")).toBeUndefined();
        expect(isImagePlatform("linux/arm/v7")).toBe("one of linux/amd64, linux/arm64");
    });

    it("take an https source URL", () => {
        expect(isHttpsUrl("https://github.com/acme/geostack")).toBeUndefined();
        expect(isHttpsUrl("http://github.com/acme/geostack")).toBeDefined();
        expect(isHttpsUrl("github.com/acme/geostack")).toBeDefined();
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
        expect(isExtensionList("2.28.2")(["wps", "vectortiles"])).toBeUndefined();
        expect(isExtensionList("2.28.2")(["wsp"])).toMatch(/^official GeoServer 2\.28 extension names; unknown: wsp; known: app-schema, .*wps/);
    });
});
