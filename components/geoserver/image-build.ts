import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The Dockerfile's folder, in this repository and in both packages of the components. */
export const GEOSERVER_IMAGE_CONTEXT = "images/geoserver";

/**
 * GEOSERVER_IMAGE_CONTEXT found upwards from this module (this checkout, the npm package, the component package), else
 * in the working directory (code compiled elsewhere, run in the project), relative to the working directory, which
 * `pulumi up` sets to the project directory: the state then holds the same path on every machine.
 */
export function defaultImageContext(from: string = __dirname): string {
    const hasDockerfile = (dir: string) => fs.existsSync(path.join(dir, GEOSERVER_IMAGE_CONTEXT, "Dockerfile"));
    let dir = path.resolve(from);
    while (!hasDockerfile(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    if (!hasDockerfile(dir)) dir = process.cwd();
    if (!hasDockerfile(dir)) throw new Error(`no ${GEOSERVER_IMAGE_CONTEXT}/Dockerfile in ${from}, any folder above it, or ${process.cwd()}`);
    return path.relative(process.cwd(), path.join(dir, GEOSERVER_IMAGE_CONTEXT)).split(path.sep).join("/");
}

/** A file of the build context: its path relative to the context folder (with `/`) and its content. */
export interface BuildFile {
    path: string;
    content: Buffer;
}

/** Every file under the context folder, sorted by path, so that the fingerprint does not depend on the file system. */
export function readBuildContext(dir: string): BuildFile[] {
    const files: BuildFile[] = [];
    const walk = (relative: string) => {
        for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
            const child = relative ? `${relative}/${entry.name}` : entry.name;
            if (entry.isDirectory()) walk(child);
            else if (entry.isFile()) files.push({ path: child, content: fs.readFileSync(path.join(dir, child)) });
        }
    };
    walk("");
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface BuildInputs {
    files: BuildFile[];
    buildArgs: Record<string, string>;
    platform: string;
}

/**
 * sha256 (hex) of everything that makes the image: the context files (paths and contents), the build args and the
 * platform. The same inputs always give the same fingerprint; any change to them gives another.
 */
export function buildFingerprint(inputs: BuildInputs): string {
    const hash = crypto.createHash("sha256");
    const field = (text: string | Buffer) => {
        const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
        // Length-prefixed, so that no two different inputs can concatenate to the same bytes.
        hash.update(`${bytes.length}:`);
        hash.update(bytes);
    };
    for (const file of inputs.files) {
        field(file.path);
        field(file.content);
    }
    for (const name of Object.keys(inputs.buildArgs).sort()) {
        field(name);
        field(inputs.buildArgs[name]);
    }
    field(inputs.platform);
    return hash.digest("hex");
}

/** The second tag of a build: `<geoserverVersion>-<first 12 hex digits of the fingerprint>`. */
export function buildTag(geoserverVersion: string, fingerprint: string): string {
    return `${geoserverVersion}-${fingerprint.slice(0, 12)}`;
}

/** Extension names as the build arg takes them: sorted, without duplicates, comma-separated. */
export function extensionsBuildArg(extensions: readonly string[]): string {
    return [...new Set(extensions)].sort().join(",");
}

export interface GeoServerBuildArgs {
    geoserverVersion: string;
    extensions: readonly string[];
    /** Repository URL for the source label; "" when unknown. */
    source: string;
}

/**
 * The Dockerfile's build args that make the image (the fingerprint covers them). IMAGE_REVISION, the fingerprint
 * itself, is added on top.
 */
export function geoserverBuildArgs(args: GeoServerBuildArgs): Record<string, string> {
    return {
        GEOSERVER_VERSION: args.geoserverVersion,
        GEOSERVER_EXTENSIONS: extensionsBuildArg(args.extensions),
        IMAGE_SOURCE: args.source,
        // BuildKit's own: records cache metadata in the pushed image, so that the next build can take layers from it.
        BUILDKIT_INLINE_CACHE: "1",
    };
}

/** The build arg carrying the fingerprint into the `org.opencontainers.image.revision` label. */
export const REVISION_BUILD_ARG = "IMAGE_REVISION";
