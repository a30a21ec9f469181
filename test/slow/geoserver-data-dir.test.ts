// What GeoStack's GeoServer entrypoint puts into the data directory, run by a real bash on fake data directories with
// the very files the GeoServer component uploads (components/geoserver/data-dir.ts), in front of stand-ins for the
// official image's update_credentials.sh and startup.sh. The real xmllint reads every XML file back, as GeoServer's
// XML parser would have to. `.ci/install-shell-tools.sh` installs it.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GEOSTACK_SEED, JNDI_REFERENCE, seedUploads } from "../../components/geoserver/data-dir";
import { GWC_CONFIG_DIR, GEOSERVER_DATA_DIR, TILE_CACHE_DIR } from "../../components/geoserver/env";
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
// The release data directory's security/services.properties, which the image's webapp carries: comments, no rule.
const TEMPLATE_SERVICES = `# The format here is service[.method]=ROLE1,...,ROLEN
# ([method] being optional if you want to apply the rule to all calls to a specific service
# A user can access a service only if he has one of the specified roles
# If not specified in this file, a service or method will be considered unsecured

# Uncomment the following config if you want to test securing WFS service
#wfs.GetFeature=ROLE_WFS_READ
#wfs.Transaction=ROLE_WFS_WRITE
`;
const CATALOG = { workspace: "gis", store: "postgis", namespaceUri: "https://maps.example.org/geoserver/gis", tileCacheQuotaMb: 2048 };
const isRoot = process.getuid?.() === 0;

let root: string;
const at = (...parts: string[]) => path.join(root, ...parts);
const data = (...parts: string[]) => at("data", ...parts);
const read = (file: string) => fs.readFileSync(file, "utf8");
const startups = () => (fs.existsSync(at("startup.log")) ? read(at("startup.log")).trim().split("\n") : []);

function write(file: string, content: string, mode = 0o644) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
}

/** The component's uploads, where the container would have them (GEOSTACK_SEED) but under this test's folder. */
function upload(catalog: typeof CATALOG) {
    fs.rmSync(at("seed"), { recursive: true, force: true });
    for (const { file, content } of seedUploads(catalog)) write(at("seed", path.relative(GEOSTACK_SEED, file)), content, 0o444);
}

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "geostack-data-dir-"));
    fs.chmodSync(root, 0o755);
    write(at("tomcat/webapps/geoserver/data/security/usergroup/default/users.xml"), TEMPLATE_USERS);
    write(at("tomcat/webapps/geoserver/data/security/role/default/roles.xml"), '<roleRegistry><userRoles username="admin"/></roleRegistry>\n');
    write(at("tomcat/webapps/geoserver/data/security/services.properties"), TEMPLATE_SERVICES);
    fs.mkdirSync(data());
    fs.mkdirSync(at("tiles"));
    write(at("secrets/admin-password"), "Gener4tedAdminPassw0rd24");
    upload(CATALOG);
    // The image's update_credentials.sh, as far as the data directory sees it: the webapp's security folder copied in
    // when there is none, then users.xml and roles.xml written for the administrator.
    write(
        at("stubs/update_credentials.sh"),
        `#!/bin/bash
[ -d "$GEOSERVER_DATA_DIR/security" ] || cp -r "$CATALINA_HOME/webapps/geoserver/data/security" "$GEOSERVER_DATA_DIR/"
printf '<user enabled="true" name="%s" password="digest1:x"/>\\n' "$GEOSERVER_ADMIN_USER" > "$GEOSERVER_DATA_DIR/security/usergroup/default/users.xml"
printf '<userRoles username="%s"/>\\n' "$GEOSERVER_ADMIN_USER" > "$GEOSERVER_DATA_DIR/security/role/default/roles.xml"
`,
        0o755,
    );
    write(at("stubs/startup.sh"), `#!/bin/bash\nprintf 'started\\n' >> "$STUB_DIR/startup.log"\n`, 0o755);
    write(at("stubs/bin/id"), `#!/bin/sh\n[ "$1" = -u ] && echo "\${STUB_UID:-999}"\n`, 0o755);
    let script = SCRIPT;
    for (const [from, to] of [
        ["/opt/update_credentials.sh", at("stubs/update_credentials.sh")],
        ["/opt/startup.sh", at("stubs/startup.sh")],
    ]) {
        script = script.split(from).join(to);
    }
    write(at("entrypoint.sh"), script);
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * Starts the entrypoint as the container would, with the component's environment for these paths: GEOSTACK_SEED,
 * GeoWebCache's two folders (the data directory's gwc/ for the configuration, as env.ts puts it), a data directory.
 */
function start(env: Record<string, string | undefined> = {}, asUser?: { uid: number; gid: number }) {
    const base: Record<string, string | undefined> = {
        PATH: `${at("stubs/bin")}:${process.env.PATH}`,
        STUB_DIR: root,
        GEOSERVER_DATA_DIR: `${data()}/`,
        CATALINA_HOME: at("tomcat"),
        GEOSERVER_ADMIN_USER: "admin",
        GEOSERVER_ADMIN_PASSWORD_FILE: at("secrets/admin-password"),
        GEOSTACK_SEED: at("seed"),
        GEOWEBCACHE_CONFIG_DIR: GWC_CONFIG_DIR.replace(GEOSERVER_DATA_DIR, data()),
        GEOWEBCACHE_CACHE_DIR: at("tiles"),
        ...env,
    };
    const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
    return spawnSync("bash", [at("entrypoint.sh")], { env: clean, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], uid: asUser?.uid, gid: asUser?.gid });
}

function startOk(env: Record<string, string | undefined> = {}) {
    const result = start(env);
    expect(result.status, result.stderr).toBe(0);
    return result;
}

function xpath(file: string, expression: string): string {
    const r = spawnSync("xmllint", ["--xpath", expression, file], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
}

/** Every file of the data directory, as `path` relative to it. */
function tree(): string[] {
    return (fs.readdirSync(data(), { recursive: true }) as string[]).filter((f) => fs.statSync(data(f)).isFile()).sort();
}

describe("a new data directory", () => {
    it("starts with a default workspace and a PostGIS store over the JNDI pool, then GeoServer starts", () => {
        startOk();
        expect(tree()).toEqual([
            "gwc/geowebcache-diskquota.xml",
            "logging.xml",
            "security/role/default/roles.xml",
            "security/services.properties",
            "security/usergroup/default/users.xml",
            "workspaces/default.xml",
            "workspaces/gis/namespace.xml",
            "workspaces/gis/postgis/datastore.xml",
            "workspaces/gis/workspace.xml",
        ]);
        expect(startups()).toEqual(["started"]);
    });

    it("gets XML that a real parser reads as GeoServer's persisted catalog, tied together by ids", () => {
        startOk();
        for (const file of tree().filter((f) => f.endsWith(".xml"))) {
            const lint = spawnSync("xmllint", ["--noout", data(file)], { encoding: "utf8" });
            expect(lint.status, `${file}: ${lint.stderr}`).toBe(0);
        }
        const store = data("workspaces/gis/postgis/datastore.xml");
        expect(xpath(store, 'string(/dataStore/connectionParameters/entry[@key="jndiReferenceName"])')).toBe(JNDI_REFERENCE);
        expect(xpath(store, 'string(/dataStore/connectionParameters/entry[@key="dbtype"])')).toBe("postgis");
        expect(xpath(store, "string(/dataStore/type)")).toBe("PostGIS (JNDI)");
        expect(xpath(store, "string(/dataStore/workspace/id)")).toBe(xpath(data("workspaces/gis/workspace.xml"), "string(/workspace/id)"));
        expect(xpath(data("workspaces/default.xml"), "string(/workspace/name)")).toBe("gis");
        expect(xpath(data("workspaces/gis/namespace.xml"), "string(/namespace/prefix)")).toBe("gis");
        expect(xpath(data("logging.xml"), "string(/logging/stdOutLogging)")).toBe("true");
        expect(xpath(data("gwc/geowebcache-diskquota.xml"), "string(/gwcQuotaConfiguration/globalQuota/value)")).toBe("2048");
    });

    it("gets the configured names", () => {
        upload({ ...CATALOG, workspace: "city", store: "roads-db" });
        startOk();
        expect(tree()).toEqual(expect.arrayContaining(["workspaces/city/workspace.xml", "workspaces/city/roads-db/datastore.xml"]));
        expect(tree().some((f) => f.startsWith("workspaces/gis/"))).toBe(false);
    });

    it("only lets anonymous users call the public services", () => {
        startOk();
        expect(read(data("security/services.properties"))).toContain("*.*=ADMIN,GROUP_ADMIN\n");
        expect(read(data("security/services.properties"))).toContain("wms.*=*\n");
    });
});

describe("a data directory GeoServer and its users have changed since", () => {
    it("keeps every change to the catalog, the logging and the service rules through later starts, and recreates nothing deleted", () => {
        startOk();
        // In the web UI since: the store's schema changed, the workspace renamed (its folder gone), logging to a file only,
        // a service rule of the administrator's own.
        const store = read(data("workspaces/gis/postgis/datastore.xml")).replace('"schema">public', '"schema">roads');
        fs.renameSync(data("workspaces/gis"), data("workspaces/city"));
        write(data("workspaces/city/postgis/datastore.xml"), store);
        write(data("logging.xml"), read(data("logging.xml")).replace("<stdOutLogging>true", "<stdOutLogging>false"));
        write(data("security/services.properties"), `${read(data("security/services.properties"))}wps.*=ROLE_ANALYST\n`);
        write(data("security/usergroup/default/users.xml"), '<user enabled="true" name="admin" password="digest1:changed"/>\n');
        const before = Object.fromEntries(tree().map((f) => [f, read(data(f))]));
        for (let restart = 0; restart < 2; restart++) {
            const result = startOk();
            expect(result.stdout).toContain("security/services.properties has rules of its own; left as it is");
        }
        const after = Object.fromEntries(tree().map((f) => [f, read(data(f))]));
        expect(after).toEqual(before);
        expect(startups()).toHaveLength(3);
    });

    it("gets its disk quota from the stack config at every start, and none when the config sets none", () => {
        startOk();
        write(data("gwc/geowebcache-diskquota.xml"), "<gwcQuotaConfiguration><enabled>false</enabled></gwcQuotaConfiguration>\n");
        upload({ ...CATALOG, tileCacheQuotaMb: 4096 });
        startOk();
        expect(xpath(data("gwc/geowebcache-diskquota.xml"), "string(/gwcQuotaConfiguration/globalQuota/value)")).toBe("4096");
        upload({ ...CATALOG, tileCacheQuotaMb: 0 });
        write(data("gwc/geowebcache-diskquota.xml"), "<gwcQuotaConfiguration><enabled>false</enabled></gwcQuotaConfiguration>\n");
        startOk();
        expect(read(data("gwc/geowebcache-diskquota.xml"))).toBe("<gwcQuotaConfiguration><enabled>false</enabled></gwcQuotaConfiguration>\n");
    });

    it("made before GeoStack wrote service rules, with the image's template: gets them, but no workspace", () => {
        // Users of their own, the image's services.properties (no rule), no catalog from GeoStack.
        write(data("security/usergroup/default/users.xml"), '<user enabled="true" name="admin" password="digest1:old"/>\n');
        write(data("security/services.properties"), TEMPLATE_SERVICES);
        const result = startOk();
        expect(result.stdout).toContain("wrote security/services.properties");
        expect(read(data("security/services.properties"))).toContain("*.*=ADMIN,GROUP_ADMIN\n");
        expect(fs.existsSync(data("workspaces"))).toBe(false);
    });

    it("half-initialised (the administrator not yet set up): gets the missing files, keeps the ones there", () => {
        fs.cpSync(at("tomcat/webapps/geoserver/data/security"), data("security"), { recursive: true });
        write(data("workspaces/gis/workspace.xml"), "<workspace><id>kept</id><name>gis</name></workspace>\n");
        startOk();
        expect(read(data("workspaces/gis/workspace.xml"))).toBe("<workspace><id>kept</id><name>gis</name></workspace>\n");
        expect(tree()).toEqual(expect.arrayContaining(["workspaces/gis/namespace.xml", "workspaces/gis/postgis/datastore.xml", "workspaces/default.xml"]));
    });
});

describe("the tile cache volume", () => {
    it.skipIf(!isRoot)("is handed to uid 999 when the container starts as root (its top folder only)", () => {
        fs.mkdirSync(at("tiles/EPSG_4326_05"), { recursive: true });
        startOk({ STUB_UID: "0" });
        expect(fs.statSync(at("tiles")).uid).toBe(999);
        expect(fs.statSync(at("tiles")).gid).toBe(999);
        expect(fs.statSync(at("tiles/EPSG_4326_05")).uid).toBe(0);
    });

    it.skipIf(!isRoot)("stops GeoServer from starting when the unprivileged server could not write it", () => {
        // A real unprivileged user: its folders are its own, the tile cache is root's.
        const nobody = { uid: 65534, gid: 65534 };
        for (const dir of ["data", "seed", "secrets"]) fs.chownSync(at(dir), nobody.uid, nobody.gid);
        fs.chownSync(at("secrets/admin-password"), nobody.uid, nobody.gid);
        const result = start({ STUB_UID: "65534" }, nobody);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(`geostack-entrypoint: the tile cache ${at("tiles")} is not a folder uid 65534 can write`);
        expect(startups()).toEqual([]);
        fs.chownSync(at("tiles"), nobody.uid, nobody.gid);
        write(at("startup.log"), "");
        fs.chownSync(at("startup.log"), nobody.uid, nobody.gid);
        const again = start({ STUB_UID: "65534" }, nobody);
        expect(again.status, again.stderr).toBe(0);
    });

    it("is GeoWebCache's cache folder and a volume of its own, outside the data directory", () => {
        expect(TILE_CACHE_DIR.startsWith(`${GEOSERVER_DATA_DIR}/`)).toBe(false);
        expect(GWC_CONFIG_DIR.startsWith(`${GEOSERVER_DATA_DIR}/`)).toBe(true);
    });
});
