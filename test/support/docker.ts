// A real Docker Engine for the tests (Debian's docker.io, .ci/install-backup-tools.sh), started as a plain process on a
// scratch data root, with no networking beyond its own bridges, and images made from this machine's files with
// `docker import`: no registry is reachable here. Needs root.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { type RunResult, run, runOk } from "./pg-cluster";

export const DOCKERD = run("sh", ["-c", "command -v dockerd"]).stdout.trim();
export const DOCKER = run("sh", ["-c", "command -v docker"]).stdout.trim();
export const dockerAvailable = Boolean(DOCKERD && DOCKER && process.getuid?.() === 0);

export class Dockerd {
    readonly socket: string;
    private daemon?: ChildProcess;
    private log = "";

    constructor(readonly dir: string) {
        this.socket = path.join(dir, "docker.sock");
    }

    async start(): Promise<void> {
        this.daemon = spawn(
            DOCKERD,
            [
                `--host=unix://${this.socket}`,
                `--data-root=${path.join(this.dir, "data")}`,
                `--exec-root=${path.join(this.dir, "exec")}`,
                `--pidfile=${path.join(this.dir, "docker.pid")}`,
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
            ],
            { stdio: ["ignore", "ignore", "pipe"] },
        );
        this.daemon.stderr?.on("data", (chunk) => {
            this.log += chunk;
        });
        for (let i = 0; i < 300 && this.cli(["version"]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
        if (this.cli(["version"]).status !== 0) throw new Error(`dockerd did not start:\n${this.log}`);
    }

    async stop(): Promise<void> {
        const daemon = this.daemon;
        if (daemon && daemon.exitCode === null) {
            const ended = new Promise((resolve) => daemon.on("exit", resolve));
            daemon.kill("SIGTERM");
            await Promise.race([ended, new Promise((r) => setTimeout(r, 15_000))]);
            if (daemon.exitCode === null) daemon.kill("SIGKILL");
        }
        // The engine leaves mounts under its data root.
        run("sh", ["-c", `grep -o '${this.dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
    }

    cli(args: string[], input?: string | Buffer): RunResult {
        return run(DOCKER, ["-H", `unix://${this.socket}`, ...args], { input: input as string, timeoutMs: 120_000 });
    }

    ok(args: string[], input?: string | Buffer): string {
        const r = this.cli(args, input);
        if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
        return r.stdout.trim();
    }

    /** The Engine API, as the provider calls it. */
    api(method: string, url: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: string }> {
        return new Promise((resolve, reject) => {
            const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
            const request = http.request(
                { socketPath: this.socket, method, path: url, headers: payload ? { "Content-Type": contentType, "Content-Length": payload.length } : {} },
                (response) => {
                    let text = "";
                    response.on("data", (chunk) => {
                        text += chunk;
                    });
                    response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
                },
            );
            request.on("error", reject);
            request.end(payload);
        });
    }

    mountpoint(volume: string): string {
        return this.ok(["volume", "inspect", "--format", "{{.Mountpoint}}", volume]);
    }
}

export interface HostImage {
    /** Programs found on PATH, copied to /usr/bin with their libraries. */
    tools?: string[];
    /** Directories of this machine copied whole to the same place, with the libraries their files need. */
    trees?: string[];
    /** File names left out of those trees (with what only they link). */
    leaveOut?: string[];
    /** Directories to create: path -> [uid, gid, mode]. */
    dirs?: Record<string, [number, number, number]>;
    /** Files to write. */
    files?: Record<string, string>;
    /** `docker import --change` instructions. */
    changes?: string[];
}

/** An image of this machine's own binaries (Debian, as the postgis/postgis images are), made with `docker import`. */
export function hostImage(dockerd: Dockerd, name: string, spec: HostImage): void {
    const rootfs = path.join(dockerd.dir, `rootfs-${name.replace(/\W/g, "-")}`);
    for (const dir of ["usr/bin", "usr/lib", "usr/lib64", "tmp"]) fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
    for (const [link, target] of [
        ["bin", "usr/bin"],
        ["lib", "usr/lib"],
        ["lib64", "usr/lib64"],
    ]) {
        fs.symlinkSync(target, path.join(rootfs, link));
    }
    fs.chmodSync(path.join(rootfs, "tmp"), 0o1777);
    const libraries = new Set<string>();
    // One ldd for many files: what they link, and for a file that is no ELF object, nothing.
    const needs = (...files: string[]) => {
        for (let i = 0; i < files.length; i += 200) {
            for (const lib of run("ldd", files.slice(i, i + 200)).stdout.matchAll(/=> (\/\S+\.so[.\d]*)|^\s+(\/\S+\.so[.\d]*)/gm)) {
                libraries.add(lib[1] ?? lib[2]);
            }
        }
    };
    const copy = (from: string, to: string) => {
        const target = path.join(rootfs, to);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (!fs.existsSync(target)) fs.copyFileSync(fs.realpathSync(from), target);
        fs.chmodSync(target, fs.statSync(fs.realpathSync(from)).mode & 0o777);
    };
    for (const tool of spec.tools ?? []) {
        const found = run("bash", ["-c", `type -P ${tool}`]).stdout.trim();
        if (!found) throw new Error(`no ${tool} on this machine`);
        copy(found, path.join("/usr/bin", tool));
        needs(fs.realpathSync(found));
    }
    for (const tree of spec.trees ?? []) {
        fs.mkdirSync(path.join(rootfs, path.dirname(tree)), { recursive: true });
        runOk("cp", ["-a", tree, `${path.join(rootfs, path.dirname(tree))}/`], { timeoutMs: 300_000 });
        // Debian points some files at /etc/alternatives, outside the tree: those links become copies.
        for (const link of runOk("find", [path.join(rootfs, tree), "-type", "l", "-lname", "/*"])
            .split("\n")
            .filter(Boolean)) {
            const target = fs.realpathSync(link.slice(rootfs.length));
            fs.rmSync(link);
            fs.copyFileSync(target, link);
        }
        for (const name of spec.leaveOut ?? []) runOk("find", [path.join(rootfs, tree), "-name", name, "-prune", "-exec", "rm", "-rf", "{}", "+"]);
        const files = runOk("find", [path.join(rootfs, tree), "-type", "f", "(", "-perm", "-u+x", "-o", "-name", "*.so*", ")"])
            .split("\n")
            .filter(Boolean);
        needs(...files.map((file: string) => file.slice(rootfs.length)));
    }
    for (const lib of libraries) copy(lib, lib.replace(/^\/lib/, "/usr/lib"));
    for (const [dir, [uid, gid, mode]] of Object.entries(spec.dirs ?? {})) {
        fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
        fs.chownSync(path.join(rootfs, dir), uid, gid);
        fs.chmodSync(path.join(rootfs, dir), mode);
    }
    for (const [file, content] of Object.entries(spec.files ?? {})) {
        fs.mkdirSync(path.dirname(path.join(rootfs, file)), { recursive: true });
        fs.writeFileSync(path.join(rootfs, file), content);
    }
    const tar = `${rootfs}.tar`;
    runOk("tar", ["--create", "--file", tar, "--directory", rootfs, "--numeric-owner", "."], { timeoutMs: 300_000 });
    dockerd.ok(["import", ...(spec.changes ?? []).flatMap((change) => ["--change", change]), tar, name]);
    fs.rmSync(rootfs, { recursive: true, force: true });
    fs.rmSync(tar, { force: true });
}
