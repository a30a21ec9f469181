/**
 * The files GeoStack puts into GeoServer's data directory: what a new data directory starts with (a workspace, a
 * PostGIS store over the JNDI pool, logging to stdout), the OGC service rules, and GeoWebCache's disk quota. Pure
 * builders: the component uploads their output under GEOSTACK_SEED, and GeoStack's entrypoint
 * (images/geoserver/geostack-entrypoint.sh) copies it into the data directory, each file under its own rule.
 * The XML is GeoServer's own persisted form (XStreamPersister), as its release data directory holds it.
 */
import type { Check } from "../shared/args";

/** Where the uploads go in the container; the entrypoint reads GEOSTACK_SEED. */
export const GEOSTACK_SEED = "/opt/geostack/seed";
/** Copied into a new data directory only (one whose administrator GeoStack sets up), each file only where there is none. */
export const NEW_DATA_DIR_SEED = `${GEOSTACK_SEED}/new-data-dir`;
/** Installed as security/services.properties while the data directory has none, or still the image's (which has no rule). */
export const SERVICE_RULES_SEED = `${GEOSTACK_SEED}/services.properties`;
/** Installed as GeoWebCache's geowebcache-diskquota.xml at every start: the quota is the stack config's. */
export const DISK_QUOTA_SEED = `${GEOSTACK_SEED}/geowebcache-diskquota.xml`;

/** Tomcat's name of the pool the image's server.xml declares from the POSTGRES_* variables. */
export const JNDI_RESOURCE = "jdbc/postgres";
/** What a GeoServer store names that pool by. */
export const JNDI_REFERENCE = `java:comp/env/${JNDI_RESOURCE}`;
/** The schema GeoServer's store reads, where the geoserver role creates its tables. */
export const STORE_SCHEMA = "public";

export const DEFAULT_WORKSPACE = "gis";
export const DEFAULT_STORE = "postgis";

// GeoServer's own first path segments under /geoserver: a workspace of that name would have its services at a path
// GeoServer (and GeoStack's routes) give to something else. "default" is GeoServer's alias of the default workspace.
const RESERVED_WORKSPACES = [
    "default",
    "rest",
    "web",
    "gwc",
    "ogc",
    "ows",
    "wms",
    "wfs",
    "wcs",
    "wmts",
    "wps",
    "csw",
    "schemas",
    "styles",
    "www",
    "openlayers",
    "openlayers3",
];

/** A workspace name that is also an XML namespace prefix and a folder name. */
export const workspaceName: Check<string> = (value) =>
    /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(value) && !RESERVED_WORKSPACES.includes(value.toLowerCase())
        ? undefined
        : `a workspace name of letters, digits, '_' and '-', starting with a letter or '_' (an XML namespace prefix), none of ${RESERVED_WORKSPACES.join(", ")}`;

/** A store name GeoServer can also use as its folder's name. */
export const storeName: Check<string> = (value) =>
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(value) && !/\.\.|\.$/.test(value)
        ? undefined
        : "a store name of letters, digits, '_', '.' and '-', starting with a letter, digit or '_'";

function xml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

export interface CatalogArgs {
    workspace: string;
    store: string;
    /** The workspace's namespace URI, e.g. `https://maps.example.org/geoserver/gis`. */
    namespaceUri: string;
}

/** A file for the data directory: its path relative to the data directory, its content. */
export interface DataDirFile {
    path: string;
    content: string;
}

/**
 * A new data directory's workspace (the default one, so `gis:roads` and a bare `roads` name the same layer), its
 * namespace, and a PostGIS store in it over the JNDI pool, reading `public`. Ids are fixed strings: GeoServer only
 * needs them unique, and the store names its workspace by id.
 */
export function catalogFiles({ workspace, store, namespaceUri }: CatalogArgs): DataDirFile[] {
    const workspaceId = `WorkspaceInfoImpl-geostack-${workspace}`;
    const workspaceXml = `<workspace>
  <id>${xml(workspaceId)}</id>
  <name>${xml(workspace)}</name>
  <isolated>false</isolated>
</workspace>
`;
    return [
        { path: "workspaces/default.xml", content: workspaceXml },
        { path: `workspaces/${workspace}/workspace.xml`, content: workspaceXml },
        {
            path: `workspaces/${workspace}/namespace.xml`,
            content: `<namespace>
  <id>${xml(`NamespaceInfoImpl-geostack-${workspace}`)}</id>
  <prefix>${xml(workspace)}</prefix>
  <uri>${xml(namespaceUri)}</uri>
  <isolated>false</isolated>
</namespace>
`,
        },
        {
            path: `workspaces/${workspace}/${store}/datastore.xml`,
            content: `<dataStore>
  <id>${xml(`DataStoreInfoImpl-geostack-${workspace}-${store}`)}</id>
  <name>${xml(store)}</name>
  <description>The gis database, through the JNDI pool GeoStack configures (${xml(JNDI_REFERENCE)})</description>
  <type>PostGIS (JNDI)</type>
  <enabled>true</enabled>
  <workspace>
    <id>${xml(workspaceId)}</id>
  </workspace>
  <connectionParameters>
    <entry key="dbtype">postgis</entry>
    <entry key="jndiReferenceName">${xml(JNDI_REFERENCE)}</entry>
    <entry key="schema">${xml(STORE_SCHEMA)}</entry>
    <entry key="namespace">${xml(namespaceUri)}</entry>
  </connectionParameters>
</dataStore>
`,
        },
    ];
}

/**
 * GeoServer's production logging profile (warnings and errors), to standard output as well as its log file: `docker
 * logs` shows it, and the container's log driver rotates it.
 */
export const LOGGING_FILE: DataDirFile = {
    path: "logging.xml",
    content: `<logging>
  <level>PRODUCTION_LOGGING</level>
  <location>logs/geoserver.log</location>
  <stdOutLogging>true</stdOutLogging>
</logging>
`,
};

/** Everything a new data directory starts with. */
export function newDataDirFiles(catalog: CatalogArgs): DataDirFile[] {
    return [...catalogFiles(catalog), LOGGING_FILE];
}

/** What the component uploads under GEOSTACK_SEED: absolute file paths in the container, and their contents. */
export function seedUploads(args: CatalogArgs & { tileCacheQuotaMb: number }): { file: string; content: string }[] {
    return [
        ...newDataDirFiles(args).map((f) => ({ file: `${NEW_DATA_DIR_SEED}/${f.path}`, content: f.content })),
        { file: SERVICE_RULES_SEED, content: serviceRules() },
        ...(args.tileCacheQuotaMb === 0 ? [] : [{ file: DISK_QUOTA_SEED, content: diskQuotaXml(args.tileCacheQuotaMb) }]),
    ];
}

/**
 * The services anyone may call, as services.properties names them (GeoServer compares the names case-insensitively),
 * each with a path of it that the public router takes: test/unit/geoserver/data-dir.test.ts holds the two together.
 * `gwc` is GeoWebCache's tile services under /gwc/service (TMS, WMTS, WMS-C: GwcServiceDispatcherCallback), `features`
 * OGC API Features (its APIService name). The read operations only: WFS's writes need an administrator.
 */
export const PUBLIC_SERVICES: readonly { service: string; path: string }[] = [
    { service: "wms", path: "/geoserver/wms" },
    { service: "wfs", path: "/geoserver/wfs" },
    { service: "wcs", path: "/geoserver/wcs" },
    { service: "wmts", path: "/geoserver/gwc/service/wmts" },
    { service: "gwc", path: "/geoserver/gwc/service/tms/1.0.0" },
    { service: "features", path: "/geoserver/ogc/features/v1" },
];
export const WFS_WRITES = ["Transaction", "LockFeature", "GetFeatureWithLock", "CreateStoredQuery", "DropStoredQuery"];
/** The roles of GeoServer's default role service that administer it. */
export const ADMIN_ROLES = ["ADMIN", "GROUP_ADMIN"];

/**
 * services.properties: every OGC service and operation needs an administrator (`*.*`), but for the public services'
 * (`<service>.*=*`, where `*` admits anyone, anonymous included). GeoServer applies the most specific rule that matches
 * (OperationSecurityCallback: `wfs.Transaction` over `wfs.*` over `*.*`), whichever path the request came by (`/ows`
 * dispatches on its `service` parameter), so WPS, CSW or any service an extension adds answer administrators only.
 */
export function serviceRules(): string {
    return [
        "# Written by GeoStack into a new data directory (or over the image's, which has no rule); GeoStack never writes",
        "# it again. GeoServer applies the most specific rule: service.operation, then service.*, then *.*; * is anyone.",
        `*.*=${ADMIN_ROLES.join(",")}`,
        ...PUBLIC_SERVICES.map(({ service }) => `${service}.*=*`),
        ...WFS_WRITES.map((operation) => `wfs.${operation}=${ADMIN_ROLES.join(",")}`),
        "",
    ].join("\n");
}

/**
 * GeoWebCache's disk quota (geowebcache-diskquota.xml, GeoWebCache's ConfigLoader and DiskQuotaConfig): one global
 * quota over every layer's tiles, the least frequently used tiles removed first when it is exceeded. The quota store is
 * left to the release's default.
 */
export function diskQuotaXml(quotaMb: number): string {
    return `<gwcQuotaConfiguration>
  <enabled>true</enabled>
  <cacheCleanUpFrequency>10</cacheCleanUpFrequency>
  <cacheCleanUpUnits>SECONDS</cacheCleanUpUnits>
  <maxConcurrentCleanUps>2</maxConcurrentCleanUps>
  <globalExpirationPolicyName>LFU</globalExpirationPolicyName>
  <globalQuota>
    <value>${quotaMb}</value>
    <units>MiB</units>
  </globalQuota>
</gwcQuotaConfiguration>
`;
}
