/**
 * `npm run pin-extensions`: writes the sha256 of GeoServer extension zips into the image's pin file, from a build that
 * was reviewed, so that every later build checks the zips against them.
 *
 *   npm run pin-extensions -- --stack prod                     # the stack's geoserverVersion and geoserverExtensions
 *   npm run pin-extensions -- --version 2.28.4 wps vectortiles
 *   npm run pin-extensions -- --from-log build.log             # the lines a build printed (`-`: standard input)
 *
 * Without --from-log the zips are downloaded by the Dockerfile's own install-extensions.sh (--print-checksums), so the
 * same URLs and TLS rules apply. A zip already pinned to another sha256 is refused: a published zip that changed
 * needs a person to look at it, not a tool that accepts it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { GEOSERVER_IMAGE_CONTEXT } from "../components/geoserver/image-build";
import { EXTENSION_PINS_FILE, type ExtensionPin, parsePins } from "../components/geoserver/extensions";
import { findProjectDir, isUsageError, stackConfig, UsageError } from "./render/stack-config";

/** The lines install-extensions.sh prints for each zip, wherever they stand in a log (BuildKit and Pulumi prefix them). */
const CHECKSUM_LINE = /extension sha256: ([0-9a-f]{64}) {2}(geoserver-[A-Za-z0-9._-]+-plugin\.zip)/g;

export function checksumsIn(text: string): ExtensionPin[] {
    return [...text.matchAll(CHECKSUM_LINE)].map(([, sha256, zip]) => ({ sha256, zip }));
}

export interface Merged {
    text: string;
    added: ExtensionPin[];
    /** Zips pinned to another sha256 than the one given: nothing is written then. */
    conflicts: string[];
}

/** The pin file with `pins` added: its comments first, then one line per zip, sorted by zip name. */
export function mergePins(fileText: string, pins: ExtensionPin[]): Merged {
    const comments = fileText.split("\n").filter((line) => line.startsWith("#"));
    const pinned = parsePins(fileText);
    const added: ExtensionPin[] = [];
    const conflicts: string[] = [];
    for (const pin of pins) {
        const known = pinned.get(pin.zip);
        if (known === undefined) {
            pinned.set(pin.zip, pin.sha256);
            added.push(pin);
        } else if (known !== pin.sha256) conflicts.push(`${pin.zip} is pinned to ${known}, the build gave ${pin.sha256}`);
    }
    const lines = [...pinned.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([zip, sha256]) => `${sha256}  ${zip}`);
    return { text: `${[...comments, ...lines].join("\n")}\n`, added, conflicts };
}

/** Downloads the zips through install-extensions.sh, which prints their sha256 lines without installing anything. */
export function downloadChecksums(context: string, geoserverVersion: string, extensions: string[], env: NodeJS.ProcessEnv = process.env): ExtensionPin[] {
    const result = spawnSync("bash", [path.join(context, "install-extensions.sh"), "--print-checksums"], {
        env: { ...env, GEOSERVER_VERSION: geoserverVersion, GEOSERVER_EXTENSIONS: extensions.join(",") },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    if (result.status !== 0) throw new Error(`install-extensions.sh --print-checksums failed (${result.status}):\n${result.stderr}`);
    return checksumsIn(result.stdout);
}

/** Pins what `pins` says in the pin file of `context`; throws on a conflict, leaving the file as it was. */
export function writePins(context: string, pins: ExtensionPin[]): ExtensionPin[] {
    const file = path.join(context, EXTENSION_PINS_FILE);
    const merged = mergePins(fs.readFileSync(file, "utf8"), pins);
    if (merged.conflicts.length > 0) throw new Error(`nothing written to ${file}:\n  ${merged.conflicts.join("\n  ")}`);
    fs.writeFileSync(file, merged.text);
    return merged.added;
}

function main(argv: string[]): void {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { stack: { type: "string" }, version: { type: "string" }, "from-log": { type: "string" } },
    });
    const projectDir = findProjectDir();
    const context = path.join(projectDir, GEOSERVER_IMAGE_CONTEXT);
    let pins: ExtensionPin[];
    if (values["from-log"] !== undefined) {
        if (values.stack || values.version || positionals.length) throw new UsageError("--from-log takes no stack, version or extension names");
        const log = values["from-log"] === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(values["from-log"], "utf8");
        pins = checksumsIn(log);
        if (pins.length === 0) throw new Error(`no "extension sha256:" lines in ${values["from-log"]}`);
    } else {
        let version = values.version;
        let extensions = positionals;
        if (values.stack !== undefined) {
            if (version || positionals.length) throw new UsageError("--stack takes no version or extension names: they come from the stack");
            const config = stackConfig(values.stack, projectDir);
            version = config["geostack:geoserverVersion"];
            extensions = JSON.parse(config["geostack:geoserverExtensions"] ?? "[]");
        }
        if (!version || extensions.length === 0) throw new UsageError("give --stack <name>, or --version <GeoServer version> and extension names");
        pins = downloadChecksums(context, version, extensions);
    }
    const added = writePins(context, pins);
    for (const pin of added) console.log(`pinned ${pin.sha256}  ${pin.zip}`);
    console.log(
        added.length === 0
            ? "nothing new to pin"
            : `review the zips above before committing ${path.relative(process.cwd(), path.join(context, EXTENSION_PINS_FILE))}`,
    );
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (err) {
        if (isUsageError(err)) {
            console.error(`${err.message}\nusage: npm run pin-extensions -- (--stack <name> | --version <version> <extension>... | --from-log <file|->)`);
            process.exit(2);
        }
        console.error((err as Error).message);
        process.exit(1);
    }
}
