// GeoStack's GeoServer entrypoint, run by a real bash on fake data directories, in front of stand-ins for the official
// image's update_credentials.sh and startup.sh that record what they are given. The JNDI password then goes through the
// real envsubst into a server.xml that the real xmllint reads back. `.ci/install-shell-tools.sh` installs both.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD_FILE, DATABASE_PASSWORD_FILE, GEOSTACK_ENTRYPOINT } from "../../components/geoserver/env";
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
const startupEnv = (): Record<string, string> =>
    Object.fromEntries(
        fs
            .readFileSync(at("startup.env"), "utf8")
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

    it("keeps startup.sh from switching users as the unprivileged user, and makes it drop root to 999", () => {
        expect(start({ RUN_UNPRIVILEGED: "true" }).status).toBe(0);
        expect(startupEnv()).toMatchObject({ RUN_UNPRIVILEGED: "false" });
        expect(start({ STUB_UID: "0" }).status).toBe(0);
        expect(startupEnv()).toMatchObject({ RUN_UNPRIVILEGED: "true", RUN_WITH_USER_UID: "999", RUN_WITH_USER_GID: "999" });
    });
});
