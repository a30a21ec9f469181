import * as fs from "node:fs";
import * as path from "node:path";
import type { Check } from "../shared/args";

/**
 * The official GeoServer extensions, by release line: the `<name>` in `geoserver-<version>-<name>-plugin.zip` as
 * published with each release (geoserver.org download pages). The image build downloads exactly those zips, so a name
 * that is not here would only fail later, in the middle of `pulumi up`.
 */
const COMMON = [
    "app-schema",
    "authkey",
    "cas",
    "charts",
    "control-flow",
    "css",
    "csw",
    "csw-iso",
    "db2",
    "dxf",
    "excel",
    "feature-pregeneralized",
    "gdal",
    "geofence",
    "geofence-server-postgres",
    "geopkg-output",
    "grib",
    "gwc-s3",
    "imagemap",
    "importer",
    "importer-bdb",
    "inspire",
    "jp2k",
    "libjpeg-turbo",
    "mapml",
    "mbstyle",
    "metadata",
    "mongodb",
    "monitor",
    "mysql",
    "netcdf",
    "netcdf-out",
    "ogcapi-features",
    "ogr-wfs",
    "ogr-wps",
    "oracle",
    "params-extractor",
    "printing",
    "pyramid",
    "querylayer",
    "rat",
    "sldservice",
    "sqlserver",
    "vectortiles",
    "wcs2_0-eo",
    "web-resource",
    "wmts-multi-dimensional",
    "wps",
    "wps-cluster-hazelcast",
    "wps-download",
    "wps-jdbc",
    "xslt",
    "ysld",
] as const;

export const GEOSERVER_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
    "2.28": [...COMMON, "geofence-server-h2", "h2"].sort(),
    // 3.0 drops the H2 modules and splits some formerly built-in formats and services out as extensions.
    "3.0": [...COMMON, "arcgrid", "iau", "image", "wcs1_0", "wcs1_1"].sort(),
};

/** `2.28` for `2.28.2`, `3.0` for `3.0.1-M1`. */
export function releaseLineOf(version: string): string {
    return version.split(".").slice(0, 2).join(".");
}

/**
 * The extension names of the version's release line; for a line not listed above, every name of any listed line
 * (the build then fails on a name that line no longer publishes).
 */
export function knownExtensions(version: string): readonly string[] {
    return GEOSERVER_EXTENSIONS[releaseLineOf(version)] ?? [...new Set(Object.values(GEOSERVER_EXTENSIONS).flat())].sort();
}

/** The names that are not official extensions of that version. */
export function unknownExtensions(version: string, names: readonly string[]): string[] {
    const known = knownExtensions(version);
    return names.filter((name) => !known.includes(name));
}

/**
 * Extensions that run GDAL's native code: the GDAL raster formats through its Java bindings, and the OGR output
 * formats through its ogr2ogr. The official image has neither, but its `-gdal` variant of each release, published from
 * 2.28.0 on (geoserver/docker README, RELEASE.md; built with BUILD_GDAL=true), has both: GeoStack's image is then built
 * on that variant.
 */
export const GDAL_EXTENSIONS = ["gdal", "ogr-wfs", "ogr-wps"];
const GDAL_VARIANT_SINCE = [2, 28];

/** Extensions that would load without the native library they need, and silently do without it: refused. */
export const NATIVE_LIBRARY_MISSING: Readonly<Record<string, string>> = {
    "libjpeg-turbo": "the native libjpeg-turbo (TurboJPEG) library, which no official GeoServer image has: GeoServer would fall back to its own JPEG encoder",
};

/** The tag suffix of the official image GeoStack's image is built on: `-gdal` when an extension needs GDAL. */
export function baseImageVariant(extensions: readonly string[]): "" | "-gdal" {
    return extensions.some((name) => GDAL_EXTENSIONS.includes(name)) ? "-gdal" : "";
}

/** The check of an extension list against the version it is built for: official names, whose native needs are met. */
export function extensionList(geoserverVersion: string): Check<string[]> {
    return (names) => {
        const unknown = unknownExtensions(geoserverVersion, names);
        if (unknown.length > 0) {
            return `official GeoServer ${releaseLineOf(geoserverVersion)} extension names; unknown: ${unknown.join(", ")}; known: ${knownExtensions(geoserverVersion).join(", ")}`;
        }
        const unmet = names.filter((name) => name in NATIVE_LIBRARY_MISSING);
        if (unmet.length > 0)
            return `extensions whose native libraries the image has; ${unmet.map((name) => `${name} needs ${NATIVE_LIBRARY_MISSING[name]}`).join("; ")}`;
        const [major, minor] = geoserverVersion.split(".").map(Number);
        const gdal = names.filter((name) => GDAL_EXTENSIONS.includes(name));
        const variantPublished = major > GDAL_VARIANT_SINCE[0] || (major === GDAL_VARIANT_SINCE[0] && minor >= GDAL_VARIANT_SINCE[1]);
        return gdal.length === 0 || variantPublished
            ? undefined
            : `GeoServer ${GDAL_VARIANT_SINCE.join(".")}.0 or later for ${gdal.join(", ")}: they need GDAL, which only the official image's -gdal variant has, published from ${GDAL_VARIANT_SINCE.join(".")}.0`;
    };
}

/** The file of the image's build context that pins each extension zip's sha256 (sha256sum's format). */
export const EXTENSION_PINS_FILE = "extension-checksums.sha256";

export interface ExtensionPin {
    sha256: string;
    zip: string;
}

/** The zip the image build downloads for an extension: `geoserver-<version>-<name>-plugin.zip`. */
export function extensionZip(geoserverVersion: string, name: string): string {
    return `geoserver-${geoserverVersion}-${name}-plugin.zip`;
}

/** The pins of a pin file's text, by zip name (comments and blank lines skipped, as `sha256sum --check` reads it). */
export function parsePins(text: string): Map<string, string> {
    const pins = new Map<string, string>();
    for (const line of text.split("\n")) {
        const match = line.match(/^([0-9a-f]{64}) [ *](\S+)$/);
        if (match) pins.set(match[2], match[1]);
    }
    return pins;
}

/** The zips of `extensions` that the pin file in `context` does not pin (a missing file pins nothing). */
export function unpinnedZips(context: string, geoserverVersion: string, extensions: readonly string[]): string[] {
    const file = path.join(context, EXTENSION_PINS_FILE);
    const pins = fs.existsSync(file) ? parsePins(fs.readFileSync(file, "utf8")) : new Map<string, string>();
    return [...new Set(extensions)].map((name) => extensionZip(geoserverVersion, name)).filter((zip) => !pins.has(zip));
}
