// The database GeoServer publishes from, as a GIS engineer fills it: a throwaway PostgreSQL set up by GeoStack's real
// first-init scripts (20-geostack.sh, then 30-extensions.sh with every optional extension), then Shapefile, GeoPackage
// and GeoJSON files made and loaded by Debian's real GDAL (ogr2ogr) and PostGIS (shp2pgsql), as the least-privileged
// role geoserver, exactly as docs/data.md tells, and read back. `.ci/install-postgres.sh` and `.ci/install-gis-tools.sh`
// install the programs; without them the suite is skipped with a warning, unless GEOSTACK_REQUIRE_POSTGRES=1 (CI).
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPTIONAL_EXTENSIONS, POSTGIS_EXTENSIONS_SCRIPT_PATH, postgisExtensionsScript } from "../../components/postgis/extensions-script";
import { GEOSERVER_DB_ROLE, GIS_DATABASE, POSTGIS_INIT_SCRIPT_PATH, postgisInitScript } from "../../components/postgis/init-script";
import { ROOT } from "../support/harness";
import { type Cluster, describeFailure, findPostgres, run, runOk, startCluster, writeScript } from "../support/pg-cluster";

const pg = findPostgres();
const tools = ["ogr2ogr", "shp2pgsql"].filter((tool) => run("sh", ["-c", `command -v ${tool}`]).status !== 0);
const pgrouting = pg.ok && fs.existsSync(path.join(pg.sharedir, "extension", "pgrouting.control"));
const missing = [...(pg.ok ? [] : [pg.missing]), ...tools, ...(pgrouting || !pg.ok ? [] : ["pgRouting"])];
const REQUIRED = process.env.GEOSTACK_REQUIRE_POSTGRES === "1";
if (missing.length > 0) {
    console.warn(
        REQUIRED
            ? `[gis-data.test] GEOSTACK_REQUIRE_POSTGRES=1 but missing ${missing.join(", ")}: the suite will FAIL.`
            : `[gis-data.test] SKIPPING: missing ${missing.join(", ")}. Run .ci/install-postgres.sh and .ci/install-gis-tools.sh as root.`,
    );
}

const DOC = fs.readFileSync(path.join(ROOT, "docs/data.md"), "utf8");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
/** The options docs/data.md gives ogr2ogr for every load: table name, geometry column, key, multi-part geometries, WGS 84. */
const LAYER_OPTIONS = ["-lco", "GEOMETRY_NAME=geom", "-lco", "FID=id", "-t_srs", "EPSG:4326"];

// Three roads around Berlin, one of two parts and one name beyond ASCII; GDAL writes the files from this.
const ROADS = {
    type: "FeatureCollection",
    features: [
        {
            name: "Ring road",
            lanes: 4,
            coordinates: [
                [
                    [13.375, 52.5],
                    [13.4, 52.52],
                    [13.425, 52.5],
                ],
            ],
        },
        {
            name: "Spree path",
            lanes: 1,
            coordinates: [
                [
                    [13.3, 52.51],
                    [13.35, 52.515],
                ],
                [
                    [13.36, 52.52],
                    [13.39, 52.525],
                ],
            ],
        },
        {
            name: "Müller Straße",
            lanes: 2,
            coordinates: [
                [
                    [13.35, 52.55],
                    [13.36, 52.56],
                ],
            ],
        },
    ].map(({ name, lanes, coordinates }) => ({
        type: "Feature",
        properties: { name, lanes },
        geometry: coordinates.length === 1 ? { type: "LineString", coordinates: coordinates[0] } : { type: "MultiLineString", coordinates },
    })),
};
const wkt = (coordinates: number[][][]) => `MULTILINESTRING(${coordinates.map((line) => `(${line.map((p) => p.join(" ")).join(",")})`).join(",")})`;
const EXPECTED_ROADS = ROADS.features
    .map(
        (f) =>
            `${f.properties.name}|${f.properties.lanes}|${wkt(f.geometry.type === "LineString" ? [f.geometry.coordinates as number[][]] : (f.geometry.coordinates as number[][][]))}`,
    )
    .sort();

describe.skipIf(missing.length > 0 && !REQUIRED)("gis, as GeoStack's init scripts make it and GDAL fills it", () => {
    const password = `${randomBytes(12).toString("hex")}-pw`;
    let cluster: Cluster;
    let files: string;

    const asGeoserver = (sql: string): string => {
        const r = cluster.tcpPsql(GEOSERVER_DB_ROLE, password, GIS_DATABASE, sql);
        if (r.status !== 0) throw new Error(`geoserver query failed: ${describeFailure(r)}`);
        return r.stdout.trim();
    };
    /** As a client on the Docker host's loopback port: the password in PGPASSWORD, as docs/data.md sets it. */
    const asClient = (cmd: string, args: string[], input?: string) =>
        runOk(cmd, args, { env: cluster.env({ PGPASSWORD: password }), cwd: files, input, timeoutMs: 60_000 });
    const pgConnection = () => `PG:host=127.0.0.1 port=${cluster.port} dbname=${GIS_DATABASE} user=${GEOSERVER_DB_ROLE}`;
    const psqlAsGeoserver = () =>
        [
            cluster.bin("psql"),
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(cluster.port), "-U", GEOSERVER_DB_ROLE, "-d", GIS_DATABASE],
        ] as const;

    /** What a table holds, as GeoServer reads it: its geometry column's type and SRID, its rows, its spatial index, its owner. */
    function published(table: string) {
        return {
            geometryColumn: asGeoserver(`SELECT f_geometry_column || ' ' || type || ' ' || srid FROM geometry_columns WHERE f_table_name = '${table}'`),
            rows: asGeoserver(`SELECT name || '|' || lanes || '|' || ST_AsText(geom, 9) FROM public.${table}`).split("\n").sort(),
            valid: asGeoserver(`SELECT bool_and(ST_IsValid(geom)) FROM public.${table}`),
            spatialIndex: asGeoserver(`SELECT count(*) FROM pg_indexes WHERE tablename = '${table}' AND indexdef LIKE '%USING gist (geom)%'`),
            owner: asGeoserver(`SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = '${table}'`),
        };
    }
    const LOADED = { geometryColumn: "geom MULTILINESTRING 4326", rows: EXPECTED_ROADS, valid: "t", spatialIndex: "1", owner: GEOSERVER_DB_ROLE };

    beforeAll(async () => {
        if (!pg.ok || missing.length > 0) throw new Error(`GEOSTACK_REQUIRE_POSTGRES=1 but missing ${missing.join(", ")}`);
        cluster = await startCluster(pg);
        // Both ways 20-geostack.sh has taken the geoserver password: the variable, and the file it names.
        const passwordFile = cluster.ownedFile("geoserver-db-password", password);
        const init = cluster.runInitScript(writeScript(cluster, path.basename(POSTGIS_INIT_SCRIPT_PATH), postgisInitScript()), {
            GEOSERVER_DB_PASSWORD: password,
            GEOSERVER_DB_PASSWORD_FILE: passwordFile,
        });
        if (init.status !== 0) throw new Error(`20-geostack.sh failed: ${describeFailure(init)}`);
        const extensions = cluster.runInitScript(
            writeScript(cluster, path.basename(POSTGIS_EXTENSIONS_SCRIPT_PATH), postgisExtensionsScript(Object.keys(OPTIONAL_EXTENSIONS))),
        );
        if (extensions.status !== 0) throw new Error(`30-extensions.sh failed: ${describeFailure(extensions)}`);

        files = path.join(cluster.dir, "files");
        fs.mkdirSync(files);
        fs.writeFileSync(path.join(files, "roads.geojson"), JSON.stringify(ROADS));
        // A GeoPackage in Web Mercator, declaring its geometry type, and a Shapefile in WGS 84, as other tools make them.
        runOk(
            "ogr2ogr",
            ["-f", "GPKG", "roads.gpkg", "roads.geojson", "-nln", "roads", "-nlt", "MULTILINESTRING", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:3857"],
            { cwd: files },
        );
        runOk("ogr2ogr", ["-f", "ESRI Shapefile", "roads.shp", "roads.geojson", "-nlt", "MULTILINESTRING", "-lco", "ENCODING=UTF-8"], { cwd: files });
    }, 120_000);

    afterAll(() => cluster?.stop(), 40_000);

    describe("the optional extensions (30-extensions.sh)", () => {
        const owner = () => cluster.superPsql(GIS_DATABASE, "SELECT pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'postgis'");

        it("creates each one in gis, owned by the role that owns PostGIS there, never by geoserver", () => {
            const rows = cluster.superPsql(GIS_DATABASE, "SELECT extname || ' ' || pg_get_userbyid(extowner) FROM pg_extension ORDER BY extname").split("\n");
            for (const name of Object.keys(OPTIONAL_EXTENSIONS)) expect(rows).toContain(`${name} ${owner()}`);
            expect(owner()).not.toBe(GEOSERVER_DB_ROLE);
        });

        it("leaves no role a superuser that was not one before", () => {
            expect(cluster.superPsql("postgres", "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolsuper")).toBe("postgres");
        });

        it("lets geoserver use every one: rasters, topologies, fuzzy matching, geocoder normalisation, routing", () => {
            expect(asGeoserver("SELECT ST_Value(ST_AsRaster(ST_MakeEnvelope(0, 0, 10, 10), 1.0, 1.0, '8BUI', 7), 1, 1)")).toBe("7");
            expect(asGeoserver("SELECT count(*) FROM topology.topology")).toBe("0");
            expect(asGeoserver("SELECT levenshtein('Strasse', 'Straße')")).toBe("2");
            expect(asGeoserver("SELECT (tiger.normalize_address('202 East Fremont Street, Las Vegas, Nevada 89101')).stateabbrev")).toBe("NV");
            expect(asGeoserver("SELECT agg_cost FROM pgr_dijkstra('SELECT 1 AS id, 1 AS source, 2 AS target, 2.5 AS cost', 1, 2) WHERE node = 2")).toBe("2.5");
        });

        it("gives geoserver no more than use: it can neither drop nor add an extension", () => {
            const drop = cluster.tcpPsql(GEOSERVER_DB_ROLE, password, GIS_DATABASE, "DROP EXTENSION pgrouting");
            expect(drop.stderr).toMatch(/must be owner of extension pgrouting/);
            const add = cluster.tcpPsql(GEOSERVER_DB_ROLE, password, GIS_DATABASE, "CREATE EXTENSION postgis_sfcgal");
            expect(add.stderr).toMatch(/permission denied|must be superuser|must be owner/);
        });

        it("refuses an image without a requested extension before creating any, naming it", () => {
            const script = postgisExtensionsScript(["postgis_sfcgal", "no_such_extension"]);
            const r = cluster.runInitScript(writeScript(cluster, "30-missing.sh", script));
            expect(r.status).not.toBe(0);
            expect(r.stderr).toContain("30-extensions.sh: this image has no no_such_extension extension; nothing was created");
            expect(cluster.superPsql(GIS_DATABASE, "SELECT count(*) FROM pg_extension WHERE extname = 'postgis_sfcgal'")).toBe("0");
        });

        it("can run again without an error or a change", () => {
            const before = cluster.superPsql(GIS_DATABASE, "SELECT string_agg(extname || extversion, ',' ORDER BY extname) FROM pg_extension");
            const again = cluster.runInitScript(writeScript(cluster, "30-again.sh", postgisExtensionsScript(Object.keys(OPTIONAL_EXTENSIONS))));
            expect(again.status, describeFailure(again)).toBe(0);
            expect(cluster.superPsql(GIS_DATABASE, "SELECT string_agg(extname || extversion, ',' ORDER BY extname) FROM pg_extension")).toBe(before);
        });
    });

    describe("loading files as geoserver, as docs/data.md shows", () => {
        it("loads a GeoPackage with ogr2ogr over the published port (dev), reprojected to WGS 84", () => {
            const args = [pgConnection(), "roads.gpkg", "-nln", "roads_gpkg", ...LAYER_OPTIONS, "-nlt", "PROMOTE_TO_MULTI"];
            expect(DOC).toContain(
                `ogr2ogr -f PostgreSQL PG:"host=127.0.0.1 port=15432 dbname=gis user=geoserver" roads.gpkg -nln roads ${LAYER_OPTIONS.join(" ")} -nlt PROMOTE_TO_MULTI`,
            );
            asClient("ogr2ogr", ["-f", "PostgreSQL", ...args]);
            expect(published("roads_gpkg")).toEqual(LOADED);
        });

        it("loads GeoJSON as SQL piped into psql (a server, where psql runs in the PostGIS container)", () => {
            expect(DOC).toContain(`ogr2ogr -f PGDump /vsistdout/ roads.geojson -nln roads ${LAYER_OPTIONS.join(" ")} -nlt MULTILINESTRING |`);
            const sql = asClient("ogr2ogr", [
                "-f",
                "PGDump",
                "/vsistdout/",
                "roads.geojson",
                "-nln",
                "roads_geojson",
                ...LAYER_OPTIONS,
                "-nlt",
                "MULTILINESTRING",
            ]);
            const [psql, args] = psqlAsGeoserver();
            asClient(psql, [...args], sql);
            expect(published("roads_geojson")).toEqual(LOADED);
        });

        it("loads a Shapefile with shp2pgsql piped into psql", () => {
            expect(DOC).toContain("shp2pgsql -s 4326 -g geom -I -D -W UTF-8 roads.shp public.roads |");
            const sql = asClient("shp2pgsql", ["-s", "4326", "-g", "geom", "-I", "-D", "-W", "UTF-8", "roads.shp", "public.roads_shp"]);
            const [psql, args] = psqlAsGeoserver();
            asClient(psql, [...args], sql);
            expect(published("roads_shp")).toEqual(LOADED);
        });

        it("is what the README's first steps run, whose extent query gives the GetMap's bbox", () => {
            const load = `ogr2ogr -f PostgreSQL PG:"host=127.0.0.1 port=15432 dbname=gis user=geoserver" roads.gpkg -nln roads ${LAYER_OPTIONS.join(" ")} -nlt PROMOTE_TO_MULTI`;
            expect(README).toContain(load);
            const bbox = README.match(/BBOX=\$\(psql -h 127\.0\.0\.1 -p 15432 -U geoserver -d gis -tAc "(.*)"\)\n/)?.[1];
            expect(bbox).toBeDefined();
            expect(asGeoserver((bbox as string).replace("FROM roads)", "FROM roads_geojson)"))).toBe("13.3,52.5,13.425,52.56");
            expect(README).toMatch(/wms\?service=WMS&version=1\.1\.1&request=GetMap&layers=gis:roads&styles=&srs=EPSG:4326&bbox=\$\{BBOX\}&/);
        });

        it("replaces a table when the file is loaded again with -overwrite", () => {
            asClient("ogr2ogr", [
                "-f",
                "PostgreSQL",
                pgConnection(),
                "roads.gpkg",
                "-nln",
                "roads_gpkg",
                ...LAYER_OPTIONS,
                "-nlt",
                "PROMOTE_TO_MULTI",
                "-overwrite",
            ]);
            expect(published("roads_gpkg")).toEqual(LOADED);
        });
    });
});
