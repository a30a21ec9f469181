// The Docker Engine behaviour the Backup component is built on, checked against a real engine (Debian's docker.io,
// started here as a plain process on a scratch data root) with an image made by `docker import`:
// - the provider uploads files by extracting a tar at `/` (kreuzwerker/terraform-provider-docker), which the engine
//   refuses for a container with a read-only root: hence the files volume filled through a never-started loader;
// - an upload into such a loader lands in the volume mounted there, the loader never running;
// - a new volume mounted at a directory of the image takes that directory's owner and mode (postgres's data
//   directory), one mounted anywhere else is root's: hence the backups volume at the image's data path.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
