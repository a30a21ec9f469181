// The Docker Engine behaviour the Backup component is built on, checked against a real engine (Debian's docker.io,
// started here as a plain process on a scratch data root) with an image made by `docker import`:
// - the provider uploads files by extracting a tar at `/` (kreuzwerker/terraform-provider-docker), which the engine
//   refuses for a container with a read-only root: hence the files volume filled through a never-started loader;
// - an upload into such a loader lands in the volume mounted there, the loader never running;
// - a new volume mounted at a directory of the image takes that directory's owner and mode (postgres's data
//   directory), one mounted anywhere else is root's: hence the backups volume at the image's data path;
// - and the one restore that needs a one-off container, GeoServer's data directory, runs as docs/operations.md
//   writes it, with geostack-backup in an image made of this machine's bash and GNU tools.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptsDir } from "../../components/backup/scripts";
import { ROOT } from "../support/harness";
import { type RunResult, run, runOk } from "../support/postgres";

const DOCKERD = run("sh", ["-c", "command -v dockerd"]).stdout.trim();
const DOCKER = run("sh", ["-c", "command -v docker"]).stdout.trim();
const REQUIRE = process.env.GEOSTACK_REQUIRE_POSTGRES === "1";
const root = process.getuid?.() === 0;
const available = Boolean(DOCKERD && DOCKER && root);
if (!available) {
    console.warn(
        `[backup-docker.test] ${REQUIRE ? "FAILING" : "SKIPPING"}: needs root and Debian's docker.io (dockerd, docker): run .ci/install-backup-tools.sh as root`,
    );
}

let tmp = "";
let daemon: ChildProcess | undefined;
let socket = "";
const IMAGE = "geostack-facts:postgres-like";
const TOOLS_IMAGE = "geostack-facts:bash-and-gnu-tools";
// What geostack-backup calls, from this machine (Debian, as the postgis/postgis images are).
const TOOLS =
    "env bash sh tar gzip cat cp mv rm mkdir rmdir ls date sha256sum stat sort cut tr du readlink dirname basename sleep touch chmod sync cmp find sed grep awk flock seq true";

function docker(args: string[], input?: string | Buffer): RunResult {
    return run(DOCKER, ["-H", `unix://${socket}`, ...args], { input: input as string, timeoutMs: 60_000 });
}
function dockerOk(args: string[], input?: string | Buffer): string {
    const r = docker(args, input);
    if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
    return r.stdout.trim();
}
const mountpoint = (volume: string) => dockerOk(["volume", "inspect", "--format", "{{.Mountpoint}}", volume]);
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
    if (!available) {
        if (REQUIRE) throw new Error("GEOSTACK_REQUIRE_POSTGRES=1 but dockerd or root is missing");
        return;
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-dockerd-"));
    socket = path.join(tmp, "docker.sock");
    daemon = spawn(
        DOCKERD,
        [
            `--host=unix://${socket}`,
            `--data-root=${path.join(tmp, "data")}`,
            `--exec-root=${path.join(tmp, "exec")}`,
            `--pidfile=${path.join(tmp, "docker.pid")}`,
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    daemon.stderr?.on("data", (chunk) => {
        log += chunk;
    });
    for (let i = 0; i < 300 && docker(["version", "--format", "{{.Server.Version}}"]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    if (docker(["version"]).status !== 0) throw new Error(`dockerd did not start:\n${log}`);

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
    if (daemon && daemon.exitCode === null) {
        const ended = new Promise((resolve) => daemon?.on("exit", resolve));
        daemon.kill("SIGTERM");
        await Promise.race([ended, new Promise((r) => setTimeout(r, 15_000))]);
        if (daemon.exitCode === null) daemon.kill("SIGKILL");
    }
    if (tmp) {
        // The engine leaves mounts under its data root.
        run("sh", ["-c", `grep -o '${tmp}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}, 60_000);

/** An image of this machine's binaries for TOOLS and their libraries, with postgres's data directory as a VOLUME. */
function toolsImage(): void {
    const rootfs = path.join(tmp, "tools-rootfs");
    for (const dir of ["usr/bin", "usr/lib", "usr/lib64", "tmp", "var/lib/postgresql/data"]) fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
    for (const [link, target] of [
        ["bin", "usr/bin"],
        ["lib", "usr/lib"],
        ["lib64", "usr/lib64"],
    ])
        fs.symlinkSync(target, path.join(rootfs, link));
    fs.chmodSync(path.join(rootfs, "tmp"), 0o1777);
    for (const dir of ["var/lib/postgresql", "var/lib/postgresql/data"]) fs.chownSync(path.join(rootfs, dir), 999, 999);
    const copy = (file: string, as = file) => {
        const target = path.join(rootfs, as);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (!fs.existsSync(target)) fs.copyFileSync(fs.realpathSync(file), target);
        fs.chmodSync(target, 0o755);
    };
    for (const tool of TOOLS.split(" ")) {
        const found = run("bash", ["-c", `type -P ${tool}`]).stdout.trim();
        copy(found, path.join("/usr/bin", path.basename(found)));
        for (const lib of run("ldd", [fs.realpathSync(found)]).stdout.matchAll(/(\/\S+\.so[.\d]*)/g)) copy(lib[1]);
    }
    const tar = path.join(tmp, "tools-rootfs.tar");
    runOk("tar", ["--create", "--file", tar, "--directory", rootfs, "--numeric-owner", "."]);
    dockerOk(["import", "--change", "VOLUME /var/lib/postgresql/data", "--change", "ENV PATH=/usr/bin", tar, TOOLS_IMAGE]);
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

describe.skipIf(!available && !REQUIRE)("the Docker Engine under the Backup component", () => {
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
            env: { PATH: `${path.dirname(DOCKER)}:/usr/bin:/bin`, DOCKER_HOST: `unix://${socket}`, S },
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
