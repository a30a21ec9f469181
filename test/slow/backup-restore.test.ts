// geostack-backup, the script the backup container runs (the same file the Backup component uploads), against real
// PostgreSQL + PostGIS from Debian: a database set up by GeoStack's real init script is backed up, drilled, and
// restored onto a new host, into the running server, table by table; broken dumps fail their drill; health follows.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptsDir } from "../../components/backup/scripts";
import { GEOSERVER_DB_ROLE, GIS_DATABASE } from "../../components/postgis/init-script";
import { type GeoStackCluster, geostackCluster, postgresForTests, sharedTempDir } from "../support/backups";
import { describeFailure, type RunResult, run, runOk } from "../support/pg-cluster";

const { pg, skip } = postgresForTests("backup-restore.test");
const SCRIPT = path.join(scriptsDir(), "geostack-backup");
const GEOSERVER_PASSWORD = "geoserver-pw-on-the-first-host";
const ANALYST_PASSWORD = "analyst-pw";

let tmp = "";
let source: GeoStackCluster;
let backupDir = "";
let first = "";

/** Where a backup run keeps its files: its backups volume, its memory (tmpfs), the password file as uploaded (root's, 0644). */
interface Volume {
    backups: string;
    run: string;
    passwordFile: string;
    geoserverData?: string;
}

function volume(name: string, cluster: GeoStackCluster, password = cluster.superuserPassword): Volume {
    const base = sharedTempDir(`${name}-`, pg);
    const v: Volume = { backups: path.join(base, "backups"), run: path.join(base, "run"), passwordFile: path.join(base, "db-password") };
    for (const dir of [v.backups, v.run]) {
        fs.mkdirSync(dir);
        if (pg.ok && pg.pgUser) fs.chownSync(dir, pg.pgUser.uid, pg.pgUser.gid);
    }
    fs.writeFileSync(v.passwordFile, password, { mode: 0o644 });
    return v;
}

function envFor(v: Volume, cluster: GeoStackCluster, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return cluster.env({
        PATH: `${pg.ok ? pg.bindir : ""}:${process.env.PATH}`,
        TZ: "UTC",
        BACKUP_DIR: v.backups,
        BACKUP_RUN_DIR: v.run,
        BACKUP_DB_HOST: "127.0.0.1",
        BACKUP_DB_PORT: String(cluster.port),
        BACKUP_DB_USER: "postgres",
        BACKUP_DB_NAME: GIS_DATABASE,
        BACKUP_DB_PASSWORD_FILE: v.passwordFile,
        BACKUP_GEOSERVER_DATA_DIR: v.geoserverData ?? "",
        BACKUP_GEOSERVER_RETRY_SECONDS: "0",
        ...extra,
    });
}

function backup(v: Volume, cluster: GeoStackCluster, args: string[], extra: Record<string, string> = {}): RunResult {
    return run(SCRIPT, args, { env: envFor(v, cluster, extra), asUser: pg.ok ? pg.pgUser : undefined, timeoutMs: 120_000 });
}

function backupOk(v: Volume, cluster: GeoStackCluster, args: string[], extra: Record<string, string> = {}): RunResult {
    const r = backup(v, cluster, args, extra);
    if (r.status !== 0) throw new Error(`geostack-backup ${args.join(" ")} failed: ${describeFailure(r)}`);
    return r;
}

const manifestOf = (v: Volume, name: string) => JSON.parse(fs.readFileSync(path.join(v.backups, name, "manifest.json"), "utf8"));
const backupsIn = (v: Volume) =>
    fs
        .readdirSync(v.backups)
        .filter((n) => /^\d{8}T\d{6}Z$/.test(n))
        .sort();

/** Everything a reviewer compares after a restore: each relation's owner and privileges, rows and their content. */
function catalog(cluster: GeoStackCluster): string {
    return cluster.superPsql(
        GIS_DATABASE,
        `SELECT string_agg(line, E'\\n' ORDER BY n, line) FROM (
             SELECT 1 AS n, format('%s.%s %s owner=%s acl=%s', ns.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner), c.relacl) AS line
             FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
             WHERE ns.nspname !~ '^pg_' AND ns.nspname <> 'information_schema' AND c.relkind IN ('r', 'v', 'S', 'i')
             UNION ALL SELECT 2, format('schema %s owner=%s acl=%s', nspname, pg_get_userbyid(nspowner), nspacl)
             FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
             UNION ALL SELECT 3, format('extension %s owner=%s', extname, pg_get_userbyid(extowner)) FROM pg_extension
             UNION ALL SELECT 4, format('database owner=%s acl=%s', pg_get_userbyid(datdba), datacl) FROM pg_database WHERE datname = current_database()
             UNION ALL SELECT 5, 'places ' || count(*) || ' ' || md5(string_agg(format('%s|%s|%s', id, name, ST_AsEWKT(geom)), ',' ORDER BY id)) FROM public.places
             UNION ALL SELECT 6, 'parcels ' || count(*) || ' ' || md5(string_agg(format('%s|%s|%s', id, place_id, ST_AsEWKT(geom)), ',' ORDER BY id)) FROM public.parcels
             UNION ALL SELECT 8, 'trails ' || count(*) || ' ' || md5(string_agg(format('%s|%s', id, ST_AsEWKT(geom)), ',' ORDER BY id)) FROM public.trails
             UNION ALL SELECT 7, 'roads ' || count(*) || ' ' || md5(string_agg(format('%s|%s', id, ST_AsEWKT(geom)), ',' ORDER BY id)) FROM public.roads
         ) catalog`,
    );
}

const ownerOfGis = (cluster: GeoStackCluster) =>
    cluster.superPsql("postgres", `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${GIS_DATABASE}'`);

beforeAll(async () => {
    if (!pg.ok) throw new Error(`GEOSTACK_REQUIRE_POSTGRES=1 but missing ${pg.missing}`);
    tmp = sharedTempDir("geostack-backup-", pg);
    source = await geostackCluster(pg, GEOSERVER_PASSWORD);
    // Data as a GIS team leaves it: tables owned by the role owning gis (whatever the init script made it), one of the
    // team's own login roles with privileges on them, an invalid polygon, a view and a foreign key.
    const owner = ownerOfGis(source);
    source.superPsql("postgres", `CREATE ROLE analyst LOGIN PASSWORD '${ANALYST_PASSWORD}'; GRANT CONNECT ON DATABASE ${GIS_DATABASE} TO analyst;`);
    source.superPsql(
        GIS_DATABASE,
        `CREATE TABLE public.places (id serial PRIMARY KEY, name text NOT NULL, geom geometry(Point, 4326));
         INSERT INTO public.places (name, geom) SELECT 'place ' || g, ST_SetSRID(ST_MakePoint(g / 10.0, 45 + g / 100.0), 4326) FROM generate_series(1, 200) g;
         CREATE INDEX places_geom ON public.places USING gist (geom);
         CREATE TABLE public.parcels (id integer PRIMARY KEY, place_id integer REFERENCES public.places (id), geom geometry(Polygon, 4326));
         INSERT INTO public.parcels SELECT g, g, ST_SetSRID(ST_MakeEnvelope(g, 45, g + 0.5, 45.5), 4326) FROM generate_series(1, 50) g;
         -- A bow-tie: invalid, and it stays so through a restore.
         INSERT INTO public.parcels VALUES (51, 51, ST_GeomFromText('POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))', 4326));
         CREATE TABLE public.roads (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, geom geometry(LineString, 4326));
         INSERT INTO public.roads (geom) SELECT ST_SetSRID(ST_MakeLine(ST_MakePoint(g, 45), ST_MakePoint(g + 1, 46)), 4326) FROM generate_series(1, 30) g;
         CREATE VIEW public.named_places AS SELECT id, name FROM public.places;
         ALTER TABLE public.places OWNER TO ${owner}; ALTER TABLE public.parcels OWNER TO ${owner};
         ALTER TABLE public.roads OWNER TO ${owner}; ALTER VIEW public.named_places OWNER TO ${owner};
         GRANT USAGE ON SCHEMA public TO analyst; GRANT SELECT ON public.places, public.roads TO analyst;`,
    );
    // And a table GeoServer's own role loaded (ogr2ogr, WFS-T), which it owns.
    const loaded = source.tcpPsql(
        GEOSERVER_DB_ROLE,
        GEOSERVER_PASSWORD,
        GIS_DATABASE,
        "CREATE TABLE public.trails AS SELECT g AS id, ST_SetSRID(ST_MakePoint(g, g), 4326)::geometry(Point, 4326) AS geom FROM generate_series(1, 12) g",
    );
    if (loaded.status !== 0) throw new Error(`geoserver could not load a table: ${describeFailure(loaded)}`);
    const v = volume("first", source);
    v.geoserverData = path.join(path.dirname(v.backups), "geoserver-data");
    geoserverDataDir(v.geoserverData);
    backupDir = v.backups;
    const r = backupOk(v, source, ["run"]);
    expect(r.stderr).toContain("passed");
    first = backupsIn(v)[0];
    firstVolume = v;
}, 180_000);

let firstVolume: Volume;

afterAll(() => {
    source?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

/** A GeoServer data directory as GeoServer leaves it, owned by the backup's user as GeoStack's GeoServer image runs as it. */
function geoserverDataDir(dir: string): void {
    const files: Record<string, string> = {
        "global.xml": "<global/>",
        "security/masterpw.digest": "digest",
        "security/geoserver.jceks": "keystore",
        "workspaces/gis/workspace.xml": "<workspace><name>gis</name></workspace>",
        "workspaces/gis/postgis/datastore.xml": "<dataStore/>",
        "styles/roads.sld": "<sld/>",
        "gwc-layers/gis_roads.xml": "<layer/>",
        "gwc/gis_roads/EPSG_4326_05/0000.png": "tile",
        "logs/geoserver.log": "log",
        "temp/upload.bin": "scratch",
        // GeoServer's half-written temporary file (FileSystemResourceStore.out writes <file>.<uuid>.tmp, then renames).
        "styles/point.sld.0b7e0c4e-62f5-4c2b-9a8e-1f2d3c4b5a69.tmp": "half",
    };
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), content);
    }
    if (pg.ok && pg.pgUser) runOk("chown", ["-R", `${pg.pgUser.uid}:${pg.pgUser.gid}`, dir]);
    // The keystore as GeoServer leaves it: only its owner reads it.
    fs.chmodSync(path.join(dir, "security/geoserver.jceks"), 0o600);
}

describe.skipIf(skip)("a backup of a database set up by GeoStack's init script", () => {
    it("holds the globals, a custom-format dump and the GeoServer data directory, each under its checksum", () => {
        const dir = path.join(backupDir, first);
        expect(fs.readdirSync(dir).sort()).toEqual(["SHA256SUMS", "geoserver-data.tar.gz", "gis.dump", "globals.sql", "manifest.json"]);
        runOk("sha256sum", ["--check", "--strict", "SHA256SUMS"], { cwd: dir });
        expect(fs.readFileSync(path.join(dir, "globals.sql"), "utf8")).toMatch(/^CREATE ROLE analyst;$/m);
        expect(runOk(path.join(pg.ok ? pg.bindir : "", "pg_restore"), ["--list", path.join(dir, "gis.dump")])).toMatch(/TABLE DATA public places/);
        const manifest = manifestOf(firstVolume, first);
        expect(manifest.files.map((f: any) => f.name).sort()).toEqual(["geoserver-data.tar.gz", "gis.dump", "globals.sql"]);
        for (const file of manifest.files) expect(fs.statSync(path.join(dir, file.name)).size).toBe(file.bytes);
        // Written whole, then moved into place: nothing half-written is left beside it.
        expect(fs.readdirSync(backupDir).filter((n) => n.startsWith(".incoming"))).toEqual([]);
    });

    it("describes the dump in its manifest: time, PostGIS, every table's rows, owner and privileges, invalid geometries", () => {
        const manifest = manifestOf(firstVolume, first);
        const owner = ownerOfGis(source);
        expect(manifest.name).toBe(first);
        expect(new Date(manifest.startedAt).getTime()).toBeLessThanOrEqual(new Date(manifest.finishedAt).getTime());
        expect(manifest.server.postgis).toBe(source.superPsql(GIS_DATABASE, "SELECT extversion FROM pg_extension WHERE extname = 'postgis'"));
        expect(manifest.server.postgisFull).toContain("POSTGIS=");
        expect(manifest.database).toMatchObject({ name: GIS_DATABASE, owner });
        const tables = Object.fromEntries(manifest.tables.map((t: any) => [`${t.schema}.${t.table}`, t]));
        expect(tables["public.places"]).toMatchObject({ owner, rows: 200 });
        expect(tables["public.places"].acl).toContain("analyst=r/");
        expect(tables["public.parcels"].rows).toBe(51);
        expect(tables["public.roads"].rows).toBe(30);
        const invalid = Object.fromEntries(manifest.geometryColumns.map((g: any) => [`${g.table}.${g.column}`, g.invalid]));
        expect(invalid).toEqual({ "parcels.geom": 1, "places.geom": 0, "roads.geom": 0, "trails.geom": 0 });
    });

    it("has passed its drill: restored into a scratch cluster, it matched the manifest", () => {
        const { drill } = manifestOf(firstVolume, first);
        expect(drill.result).toBe("passed");
        expect(drill.check).toMatchObject({ result: "passed", problems: [], geometryColumns: 4, invalidGeometries: 1 });
        expect(drill.check.rows).toBe(manifestOf(firstVolume, first).tables.reduce((sum: number, t: any) => sum + t.rows, 0));
        expect(fs.readlinkSync(path.join(backupDir, "latest"))).toBe(first);
        expect(fs.readFileSync(path.join(backupDir, ".status", "last-run"), "utf8")).toBe(`${first} ok backup and drill passed\n`);
        // The scratch cluster is gone, and the live server never saw it.
        expect(fs.existsSync(path.join(backupDir, ".scratch"))).toBe(false);
        expect(source.superPsql("postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database")).toBe(
            "gis,postgres,template0,template1,template_postgis",
        );
    });

    it("archives the GeoServer data directory but its tile cache, logs and half-written files", () => {
        const listing = runOk("tar", ["--list", "--gzip", "--file", path.join(backupDir, first, "geoserver-data.tar.gz")])
            .split("\n")
            .filter((f) => f && !f.endsWith("/"))
            .sort();
        expect(listing).toEqual([
            "./global.xml",
            "./gwc-layers/gis_roads.xml",
            "./security/geoserver.jceks",
            "./security/masterpw.digest",
            "./styles/roads.sld",
            "./workspaces/gis/postgis/datastore.xml",
            "./workspaces/gis/workspace.xml",
        ]);
        expect(manifestOf(firstVolume, first).geoserverData).toEqual({ file: "geoserver-data.tar.gz", attempts: 1, excluded: ["gwc/", "logs/", "temp/"] });
    });

    it("lists its backups with their drill results", () => {
        const r = backupOk(firstVolume, source, ["list"]);
        expect(r.stdout).toMatch(new RegExp(`^${first} +passed +\\S+ +geoserver-data.tar.gz gis.dump globals.sql`, "m"));
    });
});

describe.skipIf(skip)("restores", () => {
    it("onto a new host: GeoStack's init there, then the backup; the same rows, owners and grants, the team's roles with their passwords", async () => {
        const target = await geostackCluster(pg as Extract<typeof pg, { ok: true }>, "geoserver-pw-on-the-new-host");
        try {
            // The backups as copied to the new host's volume (or fetched from the off-host copy).
            const v = volume("new-host", target);
            runOk("cp", ["-a", path.join(backupDir, first), v.backups]);
            const r = backupOk(v, target, ["restore-database", first]);
            expect(r.stderr).toContain(`${GIS_DATABASE} is the backup's`);
            expect(catalog(target)).toBe(catalog(source));
            // The team's role came with the globals, password included; GeoStack's own role kept the new host's.
            expect(target.tcpPsql("analyst", ANALYST_PASSWORD, GIS_DATABASE, "SELECT count(*) FROM public.places").stdout.trim()).toBe("200");
            expect(target.tcpPsql(GEOSERVER_DB_ROLE, "geoserver-pw-on-the-new-host", GIS_DATABASE, "SELECT 1").status).toBe(0);
            expect(target.tcpPsql(GEOSERVER_DB_ROLE, GEOSERVER_PASSWORD, GIS_DATABASE, "SELECT 1").status).not.toBe(0);
            // What was there is kept under another name until someone drops it.
            expect(target.superPsql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'gis_before_restore_%'")).toBe("1");
        } finally {
            target.stop();
        }
    }, 120_000);

    it("the whole database into the running server: the sessions on the live one end, the live one is kept", async () => {
        const v = volume("running", source);
        runOk("cp", ["-a", path.join(backupDir, first), v.backups]);
        source.superPsql(GIS_DATABASE, "DELETE FROM public.parcels WHERE id > 10; DELETE FROM public.roads WHERE id > 5;");
        // GeoServer's connection pool, as a session held open on gis.
        const pool: ChildProcess = spawn(
            path.join(pg.ok ? pg.bindir : "", "psql"),
            ["-X", "-h", "127.0.0.1", "-p", String(source.port), "-U", GEOSERVER_DB_ROLE, "-d", GIS_DATABASE, "-c", "SELECT pg_sleep(60)"],
            { env: source.env({ PGPASSWORD: GEOSERVER_PASSWORD }), stdio: ["ignore", "pipe", "pipe"] },
        );
        let poolError = "";
        pool.stderr?.on("data", (chunk) => {
            poolError += chunk;
        });
        const poolEnded = new Promise<number | null>((resolve) => pool.on("exit", resolve));
        for (
            let i = 0;
            i < 50 && source.superPsql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = 'gis' AND usename = 'geoserver'") === "0";
            i++
        ) {
            await new Promise((r) => setTimeout(r, 100));
        }
        try {
            backupOk(v, source, ["restore-database", first]);
            expect(await poolEnded).not.toBe(0);
            expect(poolError).toContain("terminating connection due to administrator command");
            expect(source.superPsql(GIS_DATABASE, "SELECT count(*) FROM public.parcels")).toBe("51");
            expect(source.superPsql(GIS_DATABASE, "SELECT count(*) FROM public.roads")).toBe("30");
            const previous = source.superPsql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'gis_before_restore_%'");
            expect(source.superPsql(previous, "SELECT count(*) FROM public.parcels")).toBe("10");
            // GeoServer's next connection reaches the restored database.
            expect(source.tcpPsql(GEOSERVER_DB_ROLE, GEOSERVER_PASSWORD, GIS_DATABASE, "SELECT count(*) FROM public.trails").stdout.trim()).toBe("12");
            source.superPsql("postgres", `DROP DATABASE "${previous}"`);
        } finally {
            pool.kill();
        }
    }, 120_000);

    it("a table beside the live one, then in its place, with its rows, indexes, sequence, owner and privileges", () => {
        const v = volume("table", source);
        runOk("cp", ["-a", path.join(backupDir, first), v.backups]);
        const before = catalog(source);
        source.superPsql(GIS_DATABASE, "DELETE FROM public.roads WHERE id > 3;");
        backupOk(v, source, ["restore-table", "public.roads", first]);
        const beside = `restored_${first.toLowerCase()}`;
        expect(source.superPsql(GIS_DATABASE, `SELECT count(*) FROM ${beside}.roads`)).toBe("30");
        expect(source.superPsql(GIS_DATABASE, "SELECT count(*) FROM public.roads")).toBe("3");
        source.superPsql(GIS_DATABASE, `DROP SCHEMA ${beside} CASCADE`);

        backupOk(v, source, ["restore-table", "public.roads", first, "--replace"]);
        expect(catalog(source)).toBe(before);
        expect(source.superPsql(GIS_DATABASE, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'restored_%'")).toBe("0");
        // The identity goes on where the backup left it.
        expect(source.superPsql(GIS_DATABASE, "WITH added AS (INSERT INTO public.roads (geom) VALUES (NULL) RETURNING id) SELECT id FROM added")).toBe("31");
        source.superPsql(GIS_DATABASE, "DELETE FROM public.roads WHERE id = 31");
    }, 120_000);

    it("refuses to replace a table others depend on, and changes nothing", () => {
        const v = volume("dependents", source);
        runOk("cp", ["-a", path.join(backupDir, first), v.backups]);
        const before = catalog(source);
        const r = backup(v, source, ["restore-table", "public.places", first, "--replace"]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/nothing changed: .*cannot drop table public\.places because other objects depend on it/);
        expect(catalog(source)).toBe(before);
    }, 120_000);

    it("the GeoServer data directory, leaving the tile cache and logs in place and setting aside what was there", () => {
        const data = firstVolume.geoserverData as string;
        fs.writeFileSync(path.join(data, "styles/roads.sld"), "<sld>edited after the backup</sld>");
        fs.writeFileSync(path.join(data, "styles/new.sld"), "<sld/>");
        const r = backupOk(firstVolume, source, ["restore-geoserver-data", first]);
        expect(fs.readFileSync(path.join(data, "styles/roads.sld"), "utf8")).toBe("<sld/>");
        expect(fs.existsSync(path.join(data, "styles/new.sld"))).toBe(false);
        expect(fs.readFileSync(path.join(data, "gwc/gis_roads/EPSG_4326_05/0000.png"), "utf8")).toBe("tile");
        expect(fs.readFileSync(path.join(data, "logs/geoserver.log"), "utf8")).toBe("log");
        const previous = fs.readdirSync(data).find((f) => f.startsWith(".geostack-before-restore-")) as string;
        expect(r.stderr).toContain(previous);
        expect(fs.readFileSync(path.join(data, previous, "styles/new.sld"), "utf8")).toBe("<sld/>");
        expect(fs.statSync(path.join(data, "security/geoserver.jceks")).mode & 0o777).toBe(0o600);
    });
});

describe.skipIf(skip)("after a PostgreSQL major upgrade", () => {
    // Debian carries one major: the backup's manifest says it came from the one before, as after a `postgisImage` bump.
    const major = () => Number(source.superPsql("postgres", "SELECT current_setting('server_version_num')::int / 10000"));
    function fromOlderMajor(label: string, cluster: GeoStackCluster): Volume {
        const v = volume(label, cluster);
        runOk("cp", ["-a", path.join(backupDir, first), v.backups]);
        const manifest = path.join(v.backups, first, "manifest.json");
        fs.writeFileSync(manifest, fs.readFileSync(manifest, "utf8").replace(/^( {2}"server": \{"version" : ")\d+/m, `$1${major() - 1}`));
        return v;
    }

    it("fills the new, empty cluster from the latest backup, then backs it up", async () => {
        const upgraded = await geostackCluster(pg as Extract<typeof pg, { ok: true }>, "geoserver-pw-after-the-upgrade");
        try {
            const v = fromOlderMajor("upgrade", upgraded);
            const r = backupOk(v, upgraded, ["fill-new-cluster"]);
            expect(r.stderr).toMatch(/serves an empty gis and the newest backup, \d+T\d+Z, is from PostgreSQL \d+: restoring it/);
            expect(catalog(upgraded)).toBe(catalog(source));
            // Then a backup of the new major, drilled (today's, so retention let the older one of the same day go);
            // started again, the loop leaves the cluster alone.
            const newest = backupsIn(v).slice(-1)[0];
            expect(newest > first).toBe(true);
            expect(manifestOf(v, newest)).toMatchObject({
                server: { version: expect.stringMatching(new RegExp(`^${major()}\\.`)) },
                drill: { result: "passed" },
            });
            expect(backupOk(v, upgraded, ["fill-new-cluster"]).stderr).toBe("");
        } finally {
            upgraded.stop();
        }
    }, 180_000);

    it("never restores over a database that holds tables of its own", async () => {
        const v = fromOlderMajor("upgrade-not-empty", source);
        const before = catalog(source);
        const r = backupOk(v, source, ["fill-new-cluster"]);
        expect(r.stderr).toMatch(/serves a gis with 4 tables; the newest backup, \d+T\d+Z, is from \d+: nothing restored/);
        expect(catalog(source)).toBe(before);
        expect(backupsIn(v)).toHaveLength(1);
    });
});

describe.skipIf(skip)("the drill catches a broken backup", () => {
    /** A copy of the good backup, broken by `breakIt`, drilled. */
    function drillBroken(label: string, breakIt: (dir: string) => void): { r: RunResult; drill: any } {
        const v = volume(label, source);
        const name = "20260101T000000Z";
        runOk("cp", ["-a", path.join(backupDir, first), path.join(v.backups, name)]);
        breakIt(path.join(v.backups, name));
        const r = backup(v, source, ["drill", name]);
        return { r, drill: manifestOf(v, name).drill };
    }
    const resum = (dir: string) =>
        fs.writeFileSync(path.join(dir, "SHA256SUMS"), runOk("sha256sum", ["gis.dump", "globals.sql", "geoserver-data.tar.gz"], { cwd: dir }));

    it("a dump corrupted on disk: its checksum", () => {
        const { r, drill } = drillBroken("corrupted", (dir) => {
            const fd = fs.openSync(path.join(dir, "gis.dump"), "r+");
            fs.writeSync(fd, Buffer.from("garbage"), 0, 7, Math.floor(fs.statSync(path.join(dir, "gis.dump")).size / 2));
            fs.closeSync(fd);
        });
        expect(r.status).toBe(1);
        expect(drill).toMatchObject({ result: "failed", reason: expect.stringMatching(/its files do not match their checksums/) });
    });

    it("a truncated dump, even under a matching checksum: pg_restore", () => {
        const { r, drill } = drillBroken("truncated", (dir) => {
            fs.truncateSync(path.join(dir, "gis.dump"), Math.floor(fs.statSync(path.join(dir, "gis.dump")).size * 0.6));
            resum(dir);
        });
        expect(r.status).toBe(1);
        expect(drill).toMatchObject({ result: "failed", reason: expect.stringMatching(/pg_restore of 20260101T000000Z into gis failed/) });
    });

    it("a dump that lacks rows the manifest counted: the comparison", () => {
        const { r, drill } = drillBroken("rows", (dir) => {
            runOk(
                path.join(pg.ok ? pg.bindir : "", "pg_dump"),
                [
                    "-h",
                    source.dir,
                    "-p",
                    String(source.port),
                    "-U",
                    "postgres",
                    "-Fc",
                    "--exclude-table-data=public.roads",
                    "-f",
                    path.join(dir, "gis.dump"),
                    GIS_DATABASE,
                ],
                {
                    env: source.env(),
                },
            );
            resum(dir);
        });
        expect(r.status).toBe(1);
        expect(drill.result).toBe("failed");
        expect(drill.check.problems).toEqual(["public.roads: 0 rows restored, 30 backed up"]);
        expect(r.stderr).toContain("the restored copy differs from the manifest");
    });
});

describe.skipIf(skip)("health", () => {
    const nameAgo = (hours: number) =>
        new Date(Date.now() - hours * 3_600_000)
            .toISOString()
            .replace(/[-:]/g, "")
            .replace(/\.\d+Z$/, "Z");
    const started = (v: Volume) => fs.writeFileSync(path.join(v.run, "started"), `${Math.floor(Date.now() / 1000)}\n`);

    it("before the first backup: healthy while the database takes the backup's password, not with a wrong one", () => {
        const good = volume("health-new", source);
        started(good);
        expect(backup(good, source, ["health"])).toMatchObject({ status: 0, stdout: expect.stringContaining("no backup yet") });
        const wrong = volume("health-wrong", source, "not-the-password");
        started(wrong);
        expect(backup(wrong, source, ["health"])).toMatchObject({ status: 1, stdout: expect.stringContaining("refuses the backup's connection") });
    });

    it("unhealthy once a backup failed, and its status says why", () => {
        const v = volume("health-failed", source, "not-the-password");
        expect(backup(v, source, ["run"]).status).toBe(1);
        expect(backupsIn(v)).toEqual([]);
        const r = backup(v, source, ["health"]);
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/^unhealthy: backup \d{8}T\d{6}Z failed: pg_dumpall --globals-only failed/);
    });

    it("unhealthy when the newest verified backup is older than the schedule's longest gap and two hours", () => {
        const v = volume("health-age", source);
        runOk("cp", ["-a", path.join(backupDir, first), path.join(v.backups, nameAgo(25))]);
        expect(backup(v, source, ["health"], { BACKUP_SCHEDULE: "02:00" }).status).toBe(0);
        // Four backups a day allow eight hours.
        expect(backup(v, source, ["health"], { BACKUP_SCHEDULE: "00:00 06:00 12:00 18:00" })).toMatchObject({
            status: 1,
            stdout: expect.stringMatching(/^unhealthy: the newest verified backup, \d{8}T\d{6}Z, is 25 hours old; the schedule allows 8/),
        });
        runOk("cp", ["-a", path.join(backupDir, first), path.join(v.backups, nameAgo(27))]);
        fs.rmSync(path.join(v.backups, backupsIn(v)[1]), { recursive: true });
        expect(backup(v, source, ["health"], { BACKUP_SCHEDULE: "02:00" }).stdout).toMatch(/is 27 hours old; the schedule allows 26/);
    });
});

/** The processes of a process group still running (what they leave behind are zombies for PID 1, tini, to reap). */
function alive(group: number): string[] {
    return run("ps", ["-o", "stat=,args=", "-g", String(group)])
        .stdout.split("\n")
        .filter((line) => line.trim() && !line.trim().startsWith("Z"));
}

describe.skipIf(skip)("the loop", () => {
    it("takes a backup at once when none is recent, and ends with everything it started on the stop signal", async () => {
        const v = volume("loop", source);
        const loop = spawn(SCRIPT, ["loop"], {
            env: envFor(v, source, { BACKUP_SCHEDULE: "03:17" }),
            uid: pg.ok ? pg.pgUser?.uid : undefined,
            gid: pg.ok ? pg.pgUser?.gid : undefined,
            // Its own process group, as under tini.
            detached: true,
            stdio: ["ignore", "ignore", "pipe"],
        });
        let log = "";
        loop.stderr?.on("data", (chunk) => {
            log += chunk;
        });
        const ended = new Promise<number | null>((resolve) => loop.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
        try {
            for (let i = 0; i < 600 && !log.includes("next backup in"); i++) await new Promise((r) => setTimeout(r, 100));
            expect(log).toContain("taking one now");
            expect(log).toMatch(/next backup in \d+s \(schedule: 03:17 UTC\)/);
            expect(fs.readlinkSync(path.join(v.backups, "latest"))).toMatch(/^\d{8}T\d{6}Z$/);

            // A second loop, stopped in the middle of its first backup: it ends, and so does all it started.
            const second = volume("loop-stopped", source);
            const stopped = spawn(SCRIPT, ["loop"], {
                env: envFor(second, source),
                uid: pg.ok ? pg.pgUser?.uid : undefined,
                gid: pg.ok ? pg.pgUser?.gid : undefined,
                detached: true,
                stdio: "ignore",
            });
            for (let i = 0; i < 300 && !fs.existsSync(path.join(second.backups, ".incoming")); i++) await new Promise((r) => setTimeout(r, 20));
            const stoppedEnd = new Promise((resolve) => stopped.on("exit", resolve));
            // Docker signals PID 1, tini, which passes it to the loop alone.
            process.kill(stopped.pid as number, "SIGINT");
            await stoppedEnd;
            await new Promise((r) => setTimeout(r, 500));
            expect(alive(stopped.pid as number)).toEqual([]);
            expect(backupsIn(second)).toEqual([]);
        } finally {
            process.kill(loop.pid as number, "SIGINT");
        }
        expect(await ended).toBe(0);
        expect(alive(loop.pid as number)).toEqual([]);
    }, 120_000);
});
