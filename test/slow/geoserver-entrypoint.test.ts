// GeoStack's GeoServer entrypoint, run by a real bash on fake data directories, in front of stand-ins for the official
// image's update_credentials.sh and startup.sh that record what they are given. The JNDI password then goes through the
// real envsubst into a server.xml that the real xmllint reads back. `.ci/install-shell-tools.sh` installs both.
// As root (CI), it also runs as root for real, with the capabilities the GeoServer component gives an image that starts
// as root, in front of a stand-in taking the steps the official startup.sh takes as root; elsewhere that part is skipped
// with a warning, unless GEOSTACK_REQUIRE_ROOT=1.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD_FILE, DATABASE_PASSWORD_FILE, GEOSTACK_ENTRYPOINT } from "../../components/geoserver/env";
import { ROOT_IMAGE_CAPABILITIES } from "../../components/geoserver/geoserver";
import { parseDockerfile } from "../support/dockerfile";
import { ROOT } from "../support/harness";

const SCRIPT = fs.readFileSync(path.join(ROOT, "images/geoserver/geostack-entrypoint.sh"), "utf8");
const TEMPLATE_USERS = `<?xml version="1.0" encoding="UTF-8"?>
<userRegistry xmlns="http://www.geoserver.org/security/users" version="1.0">
<users>
<user enabled="true" name="admin" password="digest1:D9miJH/hVgfxZJscMafEtbtliG0ROxhLfsznyWfG38X2pda2JOSV4POi55PQI4tw"/>
</users>
<groups/>
</userRegistry>
`;
const TEMPLATE_ROLES = `<?xml version="1.0" encoding="UTF-8"?>
<roleRegistry xmlns="http://www.geoserver.org/security/roles" version="1.0">
<roleList>
<role id="ADMIN"/>
<role id="GROUP_ADMIN"/>
</roleList>
<userList>
<userRoles username="admin">
<roleRef roleID="ADMIN"/>
</userRoles>
</userList>
<groupList/>
</roleRegistry>
`;

let root: string;
const at = (...parts: string[]) => path.join(root, ...parts);
const dataDir = () => at("data");
const usersXml = () => at("data/security/usergroup/default/users.xml");
const rolesXml = () => at("data/security/role/default/roles.xml");
const log = (name: string): string[] =>
    fs.existsSync(at(`${name}.log`))
        ? fs
              .readFileSync(at(`${name}.log`), "utf8")
              .trim()
              .split("\n")
        : [];
/** The environment startup.sh was started with, one `NAME=value` per variable. */
const startupEnv = (file = at("startup.env")): Record<string, string> =>
    Object.fromEntries(
        fs
            .readFileSync(file, "utf8")
            .split("\0")
            .filter(Boolean)
            .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    );

function write(file: string, content: string, mode = 0o644) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
}

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-entrypoint-"));
    write(at("tomcat/webapps/geoserver/data/security/usergroup/default/users.xml"), TEMPLATE_USERS);
    write(at("tomcat/webapps/geoserver/data/security/role/default/roles.xml"), TEMPLATE_ROLES);
    fs.mkdirSync(dataDir());
    write(at("secrets/admin-password"), "Gener4tedAdminPassw0rd24");
    // What GeoStack generates is alphanumeric; the entrypoint must not depend on it.
    write(at("secrets/database-password"), `db&<pass>"w'rd`);
    // Stands in for the image's update_credentials.sh, with the same effect on the data directory: it copies the
    // webapp's security folder when there is none, then writes users.xml and roles.xml from the templates (the hash
    // here is a stand-in). STUB_FAIL makes it fail the way the real one does, printing a warning and exiting 0.
    write(
        at("stubs/update_credentials.sh"),
        `#!/bin/bash
printf 'args=%s user=%s password=%s\\n' "$*" "$GEOSERVER_ADMIN_USER" "$GEOSERVER_ADMIN_PASSWORD" >> "$STUB_DIR/update_credentials.log"
[ -d "$GEOSERVER_DATA_DIR/security" ] || cp -r "$CATALINA_HOME/webapps/geoserver/data/security" "$GEOSERVER_DATA_DIR/"
[ -z "\${STUB_FAIL:-}" ] || { echo "CAUTION: Abort update_credentials.sh"; exit 0; }
hash="digest1:$(printf '%s' "$GEOSERVER_ADMIN_PASSWORD" | sha256sum | cut -c1-32)"
sed -e "s/ name=\\".*\\" / name=\\"$GEOSERVER_ADMIN_USER\\" /" -e "s|password=\\".*\\"/|password=\\"$hash\\"/|" \\
  "$CATALINA_HOME/webapps/geoserver/data/security/usergroup/default/users.xml" > "$GEOSERVER_DATA_DIR/security/usergroup/default/users.xml"
sed -e "s/ username=\\".*\\"/ username=\\"$GEOSERVER_ADMIN_USER\\"/" \\
  "$CATALINA_HOME/webapps/geoserver/data/security/role/default/roles.xml" > "$GEOSERVER_DATA_DIR/security/role/default/roles.xml"
`,
        0o755,
    );
    // Stands in for startup.sh: records its arguments and environment, and renders the JNDI resource of the image's
    // server.xml template with the real envsubst, as startup.sh does.
    write(
        at("stubs/startup.sh"),
        `#!/bin/bash
printf '%s\\n' "$*" >> "$STUB_DIR/startup.log"
env -0 > "$STUB_DIR/startup.env"
printf '<Server><Resource name="jdbc/postgres" username="\${POSTGRES_USERNAME}" password="\${POSTGRES_PASSWORD}"/></Server>\\n' | envsubst > "$STUB_DIR/server.xml"
`,
        0o755,
    );
    write(at("stubs/bin/id"), `#!/bin/sh\n[ "$1" = -u ] && echo "\${STUB_UID:-999}"\n`, 0o755);
    let script = SCRIPT;
    for (const [from, to] of [
        ["/opt/update_credentials.sh", at("stubs/update_credentials.sh")],
        ["/opt/startup.sh", at("stubs/startup.sh")],
    ]) {
        expect(script, `the entrypoint runs ${from}`).toContain(from);
        script = script.split(from).join(to);
    }
    write(at("entrypoint.sh"), script);
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs the entrypoint as the container would, with GeoStack's environment (overridable) and a real bash. */
function start(env: Record<string, string | undefined> = {}) {
    const base: Record<string, string | undefined> = {
        PATH: `${at("stubs/bin")}:${process.env.PATH}`,
        STUB_DIR: root,
        GEOSERVER_DATA_DIR: `${dataDir()}/`,
        CATALINA_HOME: at("tomcat"),
        GEOSERVER_ADMIN_USER: "gsadmin",
        GEOSERVER_ADMIN_PASSWORD_FILE: at("secrets/admin-password"),
        POSTGRES_USERNAME: "geoserver",
        POSTGRES_PASSWORD_FILE: at("secrets/database-password"),
        ...env,
    };
    const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
    // stdin from /dev/null: bash sources bashrc when its stdin is a socket, which Node's pipes are.
    return spawnSync("bash", [at("entrypoint.sh"), "run", "-extra"], { env: clean, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const credentialVariables = (env: Record<string, string>) => Object.keys(env).filter((k) => k.startsWith("GEOSERVER_ADMIN_"));

describe("GeoStack's GeoServer entrypoint", () => {
    it("is what GeoStack's image runs and what the GeoServer component uploads, at the same path", () => {
        const dockerfile = parseDockerfile(fs.readFileSync(path.join(ROOT, "images/geoserver/Dockerfile"), "utf8"));
        expect(dockerfile.filter((i) => i.keyword === "COPY").map((i) => i.args)).toContain(`geostack-entrypoint.sh ${GEOSTACK_ENTRYPOINT}`);
        expect(JSON.parse(dockerfile.filter((i) => i.keyword === "ENTRYPOINT")[0].args)).toEqual(["bash", GEOSTACK_ENTRYPOINT]);
        expect([ADMIN_PASSWORD_FILE, DATABASE_PASSWORD_FILE].every((file) => file.startsWith("/opt/geostack/secrets/"))).toBe(true);
    });

    it("sets up a new data directory's administrator once, then starts GeoServer without any credential variable", () => {
        const result = start();
        expect(result.status, result.stderr).toBe(0);
        // Through the environment of that one script, not its arguments.
        expect(log("update_credentials")).toEqual(["args= user=gsadmin password=Gener4tedAdminPassw0rd24"]);
        expect(fs.readFileSync(usersXml(), "utf8")).toMatch(/<user enabled="true" name="gsadmin" password="digest1:[0-9a-f]{32}"\/>/);
        expect(fs.readFileSync(rolesXml(), "utf8")).toContain('<userRoles username="gsadmin">');
        // startup.sh gets the container's arguments, and nothing that would make it rewrite the users at a later start.
        expect(log("startup")).toEqual(["run -extra"]);
        expect(credentialVariables(startupEnv())).toEqual([]);
    });

    it("leaves an initialised data directory's users and roles alone, at every later start", () => {
        expect(start().status).toBe(0);
        // Made in the web UI since: another user, and the administrator's new password.
        const changed = fs.readFileSync(usersXml(), "utf8").replace("</users>", '<user enabled="true" name="editor" password="digest1:x"/>\n</users>');
        fs.writeFileSync(usersXml(), changed);
        const roles = fs.readFileSync(rolesXml(), "utf8");
        for (let restart = 0; restart < 2; restart++) {
            const result = start();
            expect(result.status, result.stderr).toBe(0);
            expect(result.stdout).toContain("has its users already");
        }
        expect(log("update_credentials")).toHaveLength(1);
        expect(fs.readFileSync(usersXml(), "utf8")).toBe(changed);
        expect(fs.readFileSync(rolesXml(), "utf8")).toBe(roles);
        expect(credentialVariables(startupEnv())).toEqual([]);
        expect(log("startup")).toHaveLength(3);
    });

    it("needs no password file once the data directory is set up", () => {
        expect(start().status).toBe(0);
        const result = start({ GEOSERVER_ADMIN_PASSWORD_FILE: undefined, GEOSERVER_ADMIN_USER: undefined });
        expect(result.status, result.stderr).toBe(0);
        expect(log("update_credentials")).toHaveLength(1);
    });

    it("sets the administrator up again on a half-initialised data directory, whose users.xml is still the image's (admin/geoserver)", () => {
        // A first start stopped after update_credentials.sh copied the template, before it wrote the password.
        fs.cpSync(at("tomcat/webapps/geoserver/data/security"), at("data/security"), { recursive: true });
        const result = start();
        expect(result.status, result.stderr).toBe(0);
        expect(log("update_credentials")).toHaveLength(1);
        expect(fs.readFileSync(usersXml(), "utf8")).not.toBe(TEMPLATE_USERS);
        expect(fs.readFileSync(usersXml(), "utf8")).toContain(' name="gsadmin" ');
    });

    it("refuses to start GeoServer on a new data directory without a readable, non-empty password file", () => {
        for (const env of [
            { GEOSERVER_ADMIN_PASSWORD_FILE: undefined },
            { GEOSERVER_ADMIN_PASSWORD_FILE: at("secrets/nothing-here") },
            { GEOSERVER_ADMIN_PASSWORD_FILE: at("secrets/empty") },
        ]) {
            write(at("secrets/empty"), "");
            const result = start(env);
            expect(result.status, JSON.stringify(env)).not.toBe(0);
            expect(result.stderr).toMatch(/^geostack-entrypoint: .*GEOSERVER_ADMIN_PASSWORD_FILE/m);
        }
        expect(log("startup")).toEqual([]);
        expect(fs.existsSync(usersXml())).toBe(false);
    });

    it("refuses to start GeoServer when the image's script did not write the credentials (it exits 0 when it fails)", () => {
        const result = start({ STUB_FAIL: "1" });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain("the administrator's credentials were not written");
        expect(log("startup")).toEqual([]);
        // The next start tries again rather than keep the image's default password.
        expect(start().status).toBe(0);
        expect(fs.readFileSync(usersXml(), "utf8")).toContain(' name="gsadmin" ');
    });

    it("hands startup.sh the JNDI password, which lands intact in Tomcat's server.xml, and no password file variable", () => {
        const result = start();
        expect(result.status, result.stderr).toBe(0);
        const env = startupEnv();
        expect(env.POSTGRES_PASSWORD_FILE).toBeUndefined();
        const read = spawnSync("xmllint", ["--xpath", "string(//Resource/@password)", at("server.xml")], { encoding: "utf8" });
        expect(read.status, read.stderr).toBe(0);
        // xmllint ends what it prints with a newline.
        expect(read.stdout).toBe(`db&<pass>"w'rd\n`);
    });

    it("refuses to start with a database password file it cannot read", () => {
        const result = start({ POSTGRES_PASSWORD_FILE: at("secrets/none") });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(`POSTGRES_PASSWORD_FILE=${at("secrets/none")} is not a readable file`);
        expect(log("startup")).toEqual([]);
    });

    it("keeps startup.sh from switching users as the unprivileged user (as root, see below)", () => {
        expect(start({ RUN_UNPRIVILEGED: "true" }).status).toBe(0);
        expect(startupEnv()).toMatchObject({ RUN_UNPRIVILEGED: "false" });
    });
});

const IS_ROOT = process.getuid?.() === 0;
const REQUIRE_ROOT = process.env.GEOSTACK_REQUIRE_ROOT === "1";
if (!IS_ROOT) console.warn(`[geoserver-entrypoint.test] ${REQUIRE_ROOT ? "FAILING" : "SKIPPING"} the part that runs as root: not root.`);

/** setpriv's spelling of a bounding set that holds exactly these capabilities (Docker's `CAP_CHOWN` is its `chown`). */
const boundingSet = (capabilities: string[]) => ["-all", ...capabilities.map((c) => `+${c.replace(/^CAP_/, "").toLowerCase()}`)].join(",");

describe.skipIf(!IS_ROOT && !REQUIRE_ROOT)("GeoStack's GeoServer entrypoint as root, with the capabilities the container keeps", () => {
    // A copy of /etc, mounted over /etc in a mount namespace of its own, for the users startup.sh creates.
    let etc = "";
    beforeAll(() => {
        if (!IS_ROOT) throw new Error("GEOSTACK_REQUIRE_ROOT=1 but the tests do not run as root");
        etc = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-etc-"));
        const copy = spawnSync("cp", ["-a", "/etc/.", etc], { encoding: "utf8" });
        expect(copy.status, copy.stderr).toBe(0);
    });
    afterAll(() => {
        if (etc) fs.rmSync(etc, { recursive: true, force: true });
    });

    beforeEach(() => {
        // Every path on the way must be open to uid 999, as in the image.
        fs.chmodSync(root, 0o755);
        fs.mkdirSync(at("log"), { mode: 0o777 });
        fs.chmodSync(at("log"), 0o777);
        fs.mkdirSync(at("tomcat/conf"));
        write(at("config/server.xml"), '<Server port="8005" shutdown="SHUTDOWN"><Resource name="jdbc/postgres" password="${POSTGRES_PASSWORD}"/></Server>\n');
        // As the GeoServer component uploads them (root's, 0444).
        for (const secret of ["admin-password", "database-password"]) fs.chmodSync(at("secrets", secret), 0o444);
        // Stands in for the official image's startup.sh (geoserver/docker), the steps it takes before Tomcat starts, in
        // its order: the healthcheck URL and server.xml (rendered with envsubst, then its SHUTDOWN command replaced with
        // `sed -i`) into Tomcat's conf; with RUN_UNPRIVILEGED, the group and user of RUN_WITH_USER_GID/UID (addgroup,
        // adduser --system, or usermod for an existing user), `chown -R` of CHANGE_OWNERSHIP_ON_FOLDERS, and Tomcat
        // through `setpriv --reuid --regid --init-groups`. Like the original it goes on after a failed step; each
        // step's failure or complaint goes to log/failed.txt.
        write(
            at("stubs/startup.sh"),
            `#!/bin/bash
env -0 > "$STUB_DIR/log/startup.env"
step() { local err; err="$("$@" 2>&1 > /dev/null)" && [ -z "$err" ] || printf '%s: %s\n' "$*" "$err" >> "$STUB_DIR/log/failed.txt"; }
conf="$CATALINA_HOME/conf"
step sh -c 'echo "$1" > "$2"' - "http://localhost:8080/geoserver/web/" "$conf/healthcheck_url.txt"
[ -e "$GEOSERVER_DATA_DIR" ] || step mkdir -p "$GEOSERVER_DATA_DIR"
step sh -c 'envsubst < "$1" > "$2"' - "$CONFIG_DIR/server.xml" "$conf/server.xml"
step sed -i "s/SHUTDOWN/$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' ')/g" "$conf/server.xml"
if [ "$RUN_UNPRIVILEGED" = true ]; then
    getent group "$RUN_WITH_USER_GID" > /dev/null || step addgroup --quiet --gid "$RUN_WITH_USER_GID" tomcat
    if getent passwd "$RUN_WITH_USER_UID" > /dev/null; then
        step usermod -g "$RUN_WITH_USER_GID" "$(getent passwd "$RUN_WITH_USER_UID" | cut -d: -f1)"
    else
        step adduser --quiet --system -u "$RUN_WITH_USER_UID" --gid "$RUN_WITH_USER_GID" --no-create-home tomcat
    fi
    # Unquoted, as the original: a list of folders.
    step chown -R "$RUN_WITH_USER_UID:$RUN_WITH_USER_GID" $CHANGE_OWNERSHIP_ON_FOLDERS
    step setpriv --reuid "$RUN_WITH_USER_UID" --regid "$RUN_WITH_USER_GID" --init-groups bash "$STUB_DIR/stubs/catalina.sh"
else
    step bash "$STUB_DIR/stubs/catalina.sh"
fi
`,
            0o755,
        );
        // Stands in for Tomcat and GeoServer: who it runs as, with which capabilities, and what they need of the folders.
        write(
            at("stubs/catalina.sh"),
            `#!/bin/bash
while read -r key value; do [ "$key" = CapEff: ] && effective=$value; done < /proc/self/status
echo "uid=$(id -u) gid=$(id -g) capabilities=$effective" > "$STUB_DIR/log/tomcat.txt"
fail() { echo "tomcat: $*" >> "$STUB_DIR/log/failed.txt"; }
grep -q 'password="' "$CATALINA_HOME/conf/server.xml" || fail "cannot read conf/server.xml"
mkdir -p "$CATALINA_HOME/conf/Catalina/localhost" || fail "cannot write into conf"
# GeoServer keeps part of its data directory private (its keystore): a directory only its user may enter.
private="$GEOSERVER_DATA_DIR/security/private"
{ mkdir -p -m 0700 "$private" && echo key > "$private/keystore" && chmod 0600 "$private/keystore"; } || fail "cannot write the data directory"
`,
            0o755,
        );
    });

    const env = () => ({
        PATH: process.env.PATH!,
        STUB_DIR: root,
        GEOSERVER_DATA_DIR: `${dataDir()}/`,
        CATALINA_HOME: at("tomcat"),
        CONFIG_DIR: at("config"),
        // The image's default, "/opt $GEOSERVER_DATA_DIR $CATALINA_HOME/conf", with the uploads' folder for /opt.
        CHANGE_OWNERSHIP_ON_FOLDERS: `${at("secrets")} ${dataDir()}/ ${at("tomcat/conf")}`,
        GEOSERVER_ADMIN_USER: "gsadmin",
        GEOSERVER_ADMIN_PASSWORD_FILE: at("secrets/admin-password"),
        POSTGRES_USERNAME: "geoserver",
        POSTGRES_PASSWORD_FILE: at("secrets/database-password"),
    });
    /** `script` as root, with exactly `capabilities` (Docker's drop ALL and add), no-new-privileges, and the /etc copy. */
    const asRoot = (capabilities: string[], script: string, extraEnv: Record<string, string> = {}) =>
        spawnSync(
            "unshare",
            [
                "--mount",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                'mount --bind "$0" /etc && exec "$@"',
                etc,
                "setpriv",
                "--no-new-privs",
                "--inh-caps=-all",
                `--bounding-set=${boundingSet(capabilities)}`,
                "--",
                "bash",
                script,
                "run",
            ],
            { env: { ...env(), ...extraEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
    const failures = (): string[] => (fs.existsSync(at("log/failed.txt")) ? fs.readFileSync(at("log/failed.txt"), "utf8").trim().split("\n") : []);
    const tomcat = () => fs.readFileSync(at("log/tomcat.txt"), "utf8").trim();
    const ownerOf = (file: string) => `${fs.statSync(file).uid}:${fs.statSync(file).gid}`;

    it("starts the official image's way, every step succeeding, at the first start and at every restart; Tomcat holds no capability", () => {
        for (let start = 0; start < 3; start++) {
            const result = asRoot(ROOT_IMAGE_CAPABILITIES, at("entrypoint.sh"));
            expect(result.status, result.stderr).toBe(0);
            expect(failures(), `start ${start}`).toEqual([]);
            expect(tomcat()).toBe("uid=999 gid=999 capabilities=0000000000000000");
        }
        expect(startupEnv(at("log/startup.env"))).toMatchObject({ RUN_UNPRIVILEGED: "true", RUN_WITH_USER_UID: "999", RUN_WITH_USER_GID: "999" });
        expect(log("update_credentials")).toHaveLength(1);
        for (const file of [usersXml(), at("tomcat/conf/server.xml"), at("secrets/database-password"), at("data/security/private/keystore")]) {
            expect(ownerOf(file), file).toBe("999:999");
        }
        // sed -i kept server.xml's mode although 999 owns it (FOWNER).
        expect(fs.statSync(at("tomcat/conf/server.xml")).mode & 0o777).toBe(0o644);
    });

    // The step each one is for, at a restart: then 999 owns Tomcat's conf and the data directory, part of it private.
    const NEEDED_BY: Record<string, RegExp> = {
        CAP_CHOWN: /^chown -R .*Operation not permitted/,
        CAP_DAC_OVERRIDE: /healthcheck_url\.txt: Permission denied/,
        CAP_FOWNER: /^sed -i .*preserving permissions/,
        CAP_SETGID: /^setpriv .*setresgid failed/,
        CAP_SETUID: /^setpriv .*setresuid failed/,
    };

    it("is tested for each capability it keeps", () => {
        expect(Object.keys(NEEDED_BY).sort()).toEqual([...ROOT_IMAGE_CAPABILITIES].sort());
    });

    it.each(ROOT_IMAGE_CAPABILITIES)("needs %s: without it, a step of the official image's start fails", (capability) => {
        // A first start, then a restart whose Tomcat conf and data directory 999 owns, some of it private.
        expect(asRoot(ROOT_IMAGE_CAPABILITIES, at("entrypoint.sh")).status).toBe(0);
        expect(failures()).toEqual([]);
        // startup.sh itself, with what the entrypoint gives it, as the entrypoint refuses to run without every one.
        const result = asRoot(
            ROOT_IMAGE_CAPABILITIES.filter((c) => c !== capability),
            at("stubs/startup.sh"),
            { RUN_UNPRIVILEGED: "true", RUN_WITH_USER_UID: "999", RUN_WITH_USER_GID: "999" },
        );
        expect(result.status, result.stderr).toBe(0);
        expect(failures()[0], `without ${capability}`).toMatch(NEEDED_BY[capability]);
    });

    it("refuses to start as root without them, naming the setting, before startup.sh", () => {
        for (const capabilities of [[], ROOT_IMAGE_CAPABILITIES.filter((c) => c !== "CAP_FOWNER")]) {
            const result = asRoot(capabilities, at("entrypoint.sh"));
            expect(result.status, capabilities.join(",")).not.toBe(0);
            expect(result.stderr).toMatch(/^geostack-entrypoint: started as root without CHOWN, DAC_OVERRIDE, FOWNER, SETUID and SETGID.*imageStartsAsRoot/m);
        }
        expect(fs.existsSync(at("log/startup.env"))).toBe(false);
    });

    it("needs no capability at all where the image runs as 999 from the start, as GeoStack's does", () => {
        // GeoStack's Dockerfile gives 999 the data directory and Tomcat's conf; the uploads stay root's, 0444.
        for (const folder of [dataDir(), at("tomcat/conf")]) spawnSync("chown", ["-R", "999:999", folder]);
        const result = spawnSync(
            "setpriv",
            [
                "--reuid",
                "999",
                "--regid",
                "999",
                "--clear-groups",
                "--no-new-privs",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--",
                "bash",
                at("entrypoint.sh"),
                "run",
            ],
            { env: env(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
        expect(result.status, result.stderr).toBe(0);
        expect(failures()).toEqual([]);
        expect(startupEnv(at("log/startup.env"))).toMatchObject({ RUN_UNPRIVILEGED: "false" });
        expect(tomcat()).toBe("uid=999 gid=999 capabilities=0000000000000000");
        expect(ownerOf(at("secrets/database-password"))).toBe("0:0");
    });
});
