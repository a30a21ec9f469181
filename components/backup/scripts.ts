/**
 * The scripts the backup containers run, read from components/backup/scripts: the tests run these same files against
 * real PostgreSQL, restic and busybox, and the components upload their bytes. Pure: no Pulumi imports.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The user the backup runs as: `postgres` of the Debian-based postgis/postgis images (docker-library/postgres pins it
 * to 999:999), which is also the user GeoStack's GeoServer image runs as (images/geoserver/Dockerfile,
 * GEOSERVER_UID/GID), so the backup reads the GeoServer data directory as its owner.
 */
export const BACKUP_USER = { uid: "999", gid: "999" };

/** Where the backup containers find the files below (a read-only volume; see files-volume.ts). */
export const BACKUP_TOOLS_DIR = "/opt/geostack";
export const BACKUP_COMMAND = `${BACKUP_TOOLS_DIR}/geostack-backup`;
export const OFFSITE_COMMAND = `${BACKUP_TOOLS_DIR}/geostack-offsite`;

const SCRIPTS = path.join("components", "backup", "scripts");

export interface ToolFile {
    /** Relative to BACKUP_TOOLS_DIR. */
    path: string;
    content: string;
    permissions: "0755" | "0644";
}

/**
 * Beside this module in the sources; from compiled code (the npm package's dist/backup/, the tools' bin/), the nearest
 * components/backup/scripts above it; else the working directory's (code compiled elsewhere, run in the project, which
 * `pulumi up` makes the working directory).
 */
export function scriptsDir(from: string = __dirname): string {
    const has = (dir: string) => fs.existsSync(path.join(dir, "geostack-backup"));
    if (has(path.join(from, "scripts"))) return path.join(from, "scripts");
    for (let dir = path.resolve(from); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
        if (has(path.join(dir, SCRIPTS))) return path.join(dir, SCRIPTS);
    }
    if (has(path.join(process.cwd(), SCRIPTS))) return path.join(process.cwd(), SCRIPTS);
    throw new Error(`the backup scripts are missing: no scripts/ beside ${from}, nor ${SCRIPTS} above it or in ${process.cwd()}`);
}

function read(relative: string, permissions: ToolFile["permissions"]): ToolFile {
    return { path: relative, content: fs.readFileSync(path.join(scriptsDir(), relative), "utf8"), permissions };
}

/** geostack-backup and the SQL it runs. */
export function backupTools(): ToolFile[] {
    const sql = fs
        .readdirSync(path.join(scriptsDir(), "sql"))
        .filter((file) => file.endsWith(".sql"))
        .sort();
    return [read("geostack-backup", "0755"), ...sql.map((file) => read(`sql/${file}`, "0644"))];
}

export function offsiteTools(): ToolFile[] {
    return [read("geostack-offsite", "0755")];
}

/** Changes with any tool's content: the container that runs them carries it, so new tools restart it. */
export function toolsDigest(tools: ToolFile[]): string {
    const hash = crypto.createHash("sha256");
    for (const tool of tools) hash.update(`${tool.path}\0${tool.permissions}\0${tool.content}\0`);
    return hash.digest("hex").slice(0, 16);
}

/** The shared credentials file restic reads S3 keys from ($AWS_SHARED_CREDENTIALS_FILE, profile default). */
export function awsCredentialsFile(accessKeyId: string, secretAccessKey: string): string {
    return `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`;
}
