// The Docker Engine behaviour the Backup component is built on, checked against a real engine (Debian's docker.io,
// started here as a plain process on a scratch data root) with an image made by `docker import`:
// - the provider uploads files by extracting a tar at `/` (kreuzwerker/terraform-provider-docker), which the engine
//   refuses for a container with a read-only root: hence the files volume filled through a never-started loader;
// - an upload into such a loader lands in the volume mounted there, the loader never running;
// - a new volume mounted at a directory of the image takes that directory's owner and mode (postgres's data
//   directory), one mounted anywhere else is root's: hence the backups volume at the image's data path;
// - and the one restore that needs a one-off container, GeoServer's data directory, runs as docs/operations.md
//   writes it, with geostack-backup in an image made of this machine's bash and GNU tools.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptsDir } from "../../components/backup/scripts";
import { Dockerd, dockerAvailable, hostImage } from "../support/docker";
import { ROOT } from "../support/harness";
import { run, runOk } from "../support/pg-cluster";

const REQUIRE = process.env.GEOSTACK_REQUIRE_POSTGRES === "1";
if (!dockerAvailable) {
    console.warn(
        `[backup-docker.test] ${REQUIRE ? "FAILING" : "SKIPPING"}: needs root and Debian's docker.io (dockerd, docker): run .ci/install-backup-tools.sh as root`,
    );
}

let tmp = "";
let dockerd: Dockerd;
const IMAGE = "geostack-facts:postgres-like";
const TOOLS_IMAGE = "geostack-facts:bash-and-gnu-tools";
// What geostack-backup calls, from this machine (Debian, as the postgis/postgis images are).
const TOOLS =
    "env bash sh tar gzip cat cp mv rm mkdir rmdir ls date sha256sum stat sort cut tr du readlink dirname basename sleep touch chmod sync cmp find sed grep awk flock seq true";

const docker = (args: string[], input?: string | Buffer) => dockerd.cli(args, input);
const dockerOk = (args: string[], input?: string | Buffer) => dockerd.ok(args, input);
const mountpoint = (volume: string) => dockerd.mountpoint(volume);
const ownerAndMode = (dir: string) => {
    const stat = fs.statSync(dir);
    return `${stat.uid}:${stat.gid} ${(stat.mode & 0o7777).toString(8)}`;
};

/** A tar of one file at an absolute path, as the provider builds an upload (the entry's name is the whole path). */
function uploadTar(file: string, content: string): Buffer {
    const dir = fs.mkdtempSync(path.join(tmp, "upload-"));
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
    const tar = path.join(dir, "upload.tar");
    runOk("tar", ["--create", "--file", tar, "--directory", dir, "--numeric-owner", file.replace(/^\//, "")]);
    return fs.readFileSync(tar);
}

beforeAll(async () => {
    if (!dockerAvailable) {
        if (REQUIRE) throw new Error("GEOSTACK_REQUIRE_POSTGRES=1 but dockerd or root is missing");
        return;
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-dockerd-"));
    dockerd = new Dockerd(tmp);
    await dockerd.start();

    // The directories of a postgres image that matter here: postgres's (999) data directory, declared a VOLUME.
    const rootfs = path.join(tmp, "rootfs");
    for (const dir of ["var/lib/postgresql/data", "opt", "tmp"]) fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
    for (const dir of ["var/lib/postgresql", "var/lib/postgresql/data"]) {
        fs.chownSync(path.join(rootfs, dir), 999, 999);
        fs.chmodSync(path.join(rootfs, dir), 0o1777);
    }
    const tar = path.join(tmp, "rootfs.tar");
    runOk("tar", ["--create", "--file", tar, "--directory", rootfs, "--numeric-owner", "."]);
    dockerOk(["import", "--change", "VOLUME /var/lib/postgresql/data", tar, IMAGE]);
}, 120_000);

afterAll(async () => {
    await dockerd?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

/** An image of this machine's binaries for TOOLS, with postgres's data directory as a VOLUME. */
function toolsImage(): void {
    hostImage(dockerd, TOOLS_IMAGE, {
        tools: TOOLS.split(" "),
        dirs: { "var/lib/postgresql": [999, 999, 0o1777], "var/lib/postgresql/data": [999, 999, 0o1777] },
        changes: ["VOLUME /var/lib/postgresql/data", "ENV PATH=/usr/bin"],
    });
}

/** Writes `files` into a volume as the backup's user, as a container of the stack would leave them. */
function fill(volume: string, files: Record<string, string | Buffer>): void {
    const dir = mountpoint(volume);
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), content);
    }
    runOk("chown", ["-R", "999:999", dir]);
}

describe.skipIf(!dockerAvailable && !REQUIRE)("the Docker Engine under the Backup component", () => {
    it("refuses an upload into a container whose root filesystem is read-only, even into a volume", () => {
        dockerOk(["volume", "create", "ro-files"]);
        const id = dockerOk(["create", "--read-only", "--volume", "ro-files:/opt/geostack", IMAGE, "true"]);
        const r = docker(["cp", "-", `${id}:/`], uploadTar("/opt/geostack/geostack-backup", "#!/bin/sh\n"));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("container rootfs is marked read-only");
    });

    it("puts an upload into the volume of a container that is created and never started", () => {
        dockerOk(["volume", "create", "loader-files"]);
        const id = dockerOk(["create", "--restart", "no", "--volume", "loader-files:/opt/geostack", IMAGE, "true"]);
        dockerOk(["cp", "-", `${id}:/`], uploadTar("/opt/geostack/db-password", "from-the-loader"));
        expect(fs.readFileSync(path.join(mountpoint("loader-files"), "db-password"), "utf8")).toBe("from-the-loader");
        expect(dockerOk(["inspect", "--format", "{{.State.Status}}", id])).toBe("created");
    });

    it("gives a new volume at the image's data directory postgres's ownership, and one elsewhere root's", () => {
        dockerOk(["volume", "create", "backups"]);
        dockerOk(["volume", "create", "elsewhere"]);
        dockerOk(["create", "--read-only", "--volume", "backups:/var/lib/postgresql/data", "--volume", "elsewhere:/var/lib/postgresql/backups", IMAGE, "true"]);
        expect(ownerAndMode(mountpoint("backups"))).toBe("999:999 1777");
        expect(ownerAndMode(mountpoint("elsewhere"))).toBe("0:0 755");
    });

    it("restores the GeoServer data directory with the command docs/operations.md gives, as written", () => {
        toolsImage();
        const S = "docs";
        // The stack as the components leave it: the volumes, a backup container (its settings and mounts are what the
        // command reads), GeoServer's container.
        for (const volume of ["backups", "backup-files", "geoserver-data"]) dockerOk(["volume", "create", `${S}-${volume}`]);
        const scripts = scriptsDir();
        fill(`${S}-backup-files`, {
            "geostack-backup": fs.readFileSync(path.join(scripts, "geostack-backup"), "utf8"),
            ...Object.fromEntries(fs.readdirSync(path.join(scripts, "sql")).map((f) => [`sql/${f}`, fs.readFileSync(path.join(scripts, "sql", f), "utf8")])),
        });
        fs.chmodSync(path.join(mountpoint(`${S}-backup-files`), "geostack-backup"), 0o755);
        fill(`${S}-geoserver-data`, { "styles/roads.sld": "<sld>edited since</sld>", "gwc/tile.png": "tile" });
        // A backup whose drill passed, holding an archive of the data directory as it was.
        const archived = path.join(tmp, "archived");
        fs.mkdirSync(path.join(archived, "styles"), { recursive: true });
        fs.writeFileSync(path.join(archived, "styles/roads.sld"), "<sld>as backed up</sld>");
        const name = "20260131T020000Z";
        const backup = path.join(tmp, name);
        fs.mkdirSync(backup);
        runOk("tar", ["--create", "--gzip", "--file", path.join(backup, "geoserver-data.tar.gz"), "--directory", archived, "."]);
        fs.writeFileSync(path.join(backup, "SHA256SUMS"), runOk("sha256sum", ["geoserver-data.tar.gz"], { cwd: backup }));
        fs.writeFileSync(path.join(backup, "manifest.json"), `{\n  "name": "${name}",\n  "drill": {"result": "passed"}\n}\n`);
        fill(`${S}-backups`, Object.fromEntries(fs.readdirSync(backup).map((f) => [`${name}/${f}`, fs.readFileSync(path.join(backup, f))])));
        dockerOk([
            "create",
            "--name",
            `${S}-backup`,
            "--user",
            "999:999",
            "--read-only",
            "--env",
            "BACKUP_DIR=/var/lib/postgresql/data",
            "--env",
            "BACKUP_GEOSERVER_DATA_DIR=/geoserver-data",
            "--env",
            "BACKUP_RUN_DIR=/tmp/geostack-backup",
            "--volume",
            `${S}-backups:/var/lib/postgresql/data`,
            "--volume",
            `${S}-backup-files:/opt/geostack:ro`,
            "--volume",
            `${S}-geoserver-data:/geoserver-data:ro`,
            "--entrypoint",
            "/opt/geostack/geostack-backup",
            TOOLS_IMAGE,
            "loop",
        ]);
        dockerOk(["create", "--name", `${S}-geoserver`, "--volume", `${S}-geoserver-data:/opt/geoserver_data`, TOOLS_IMAGE, "true"]);

        const doc = fs.readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
        const block = doc.match(/<!-- restore-geoserver-data:start -->\n```bash\n([\s\S]*?)```\n<!-- restore-geoserver-data:end -->/)?.[1];
        expect(block, "the command block between the restore-geoserver-data markers").toBeDefined();
        const r = run("bash", ["-euo", "pipefail", "-c", block as string], {
            env: { PATH: process.env.PATH, DOCKER_HOST: `unix://${dockerd.socket}`, S },
            timeoutMs: 120_000,
        });
        expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
        const data = mountpoint(`${S}-geoserver-data`);
        expect(fs.readFileSync(path.join(data, "styles/roads.sld"), "utf8")).toBe("<sld>as backed up</sld>");
        expect(fs.readFileSync(path.join(data, "gwc/tile.png"), "utf8")).toBe("tile");
        const previous = fs.readdirSync(data).find((f) => f.startsWith(".geostack-before-restore-")) as string;
        expect(fs.readFileSync(path.join(data, previous, "styles/roads.sld"), "utf8")).toBe("<sld>edited since</sld>");
        expect(fs.statSync(path.join(data, "styles/roads.sld")).uid).toBe(999);
    }, 120_000);
});
