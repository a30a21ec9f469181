import * as fs from "node:fs";
import * as path from "node:path";
import { baseImageVariant } from "./extensions";

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

/** Extension names as the build arg takes them: sorted, without duplicates, comma-separated. */
export function extensionsBuildArg(extensions: readonly string[]): string {
    return [...new Set(extensions)].sort().join(",");
}

export interface GeoServerBuildArgs {
    geoserverVersion: string;
    extensions: readonly string[];
    /** Install extension zips that the pin file does not pin (trust on first use). */
    allowUnpinnedExtensions: boolean;
    /** Repository URL for the source label; "" when unknown. */
    source: string;
}

/** The Dockerfile's build args: everything the image is made from besides the build context's files. */
export function geoserverBuildArgs(args: GeoServerBuildArgs): Record<string, string> {
    return {
        GEOSERVER_VERSION: args.geoserverVersion,
        GEOSERVER_BASE_VARIANT: baseImageVariant(args.extensions),
        GEOSERVER_EXTENSIONS: extensionsBuildArg(args.extensions),
        GEOSERVER_EXTENSIONS_ALLOW_UNPINNED: String(args.allowUnpinnedExtensions),
        IMAGE_SOURCE: args.source,
    };
}
