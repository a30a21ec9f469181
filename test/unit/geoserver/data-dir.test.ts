import { describe, expect, it } from "vitest";
import {
    ADMIN_ROLES,
    catalogFiles,
    diskQuotaXml,
    JNDI_REFERENCE,
    newDataDirFiles,
    PUBLIC_SERVICES,
    serviceRules,
    storeName,
    workspaceName,
} from "../../../components/geoserver/data-dir";
import { isPublicGeoserverPath } from "../../../components/geoserver/routes";

/**
 * Whether GeoServer lets a user with `roles` (none: anonymous) call `service.operation` under these rules: the most
 * specific matching rule wins (operation over `*`, service over `*`), `*` admits anyone, no matching rule admits
 * anyone. Restated from GeoServer's OperationSecurityCallback and ServiceAccessRule (rules sorted `*` first).
 */
function allowed(properties: string, service: string, operation: string, roles: string[]): boolean {
    const rules = properties
        .split("\n")
        .filter((line) => line.trim() !== "" && !line.startsWith("#"))
        .map((line) => {
            const [key, value] = line.split("=");
            const [ruleService, ruleOperation] = key.split(".");
            return { service: ruleService, operation: ruleOperation, roles: value.split(",") };
        });
    const matching = rules.filter(
        (r) =>
            (r.service === "*" || r.service.toLowerCase() === service.toLowerCase()) &&
            (r.operation === "*" || r.operation.toLowerCase() === operation.toLowerCase()),
    );
    const specificity = (r: { service: string; operation: string }) => (r.service === "*" ? 0 : 2) + (r.operation === "*" ? 0 : 1);
    const best = matching.sort((a, b) => specificity(b) - specificity(a))[0];
    return best === undefined || best.roles.includes("*") || best.roles.some((role) => roles.includes(role));
}

describe("the OGC service rules (security/services.properties)", () => {
    const rules = serviceRules();
    const anonymous: string[] = [];
    const admin = ["ADMIN", "ROLE_ADMINISTRATOR"];

    it.each([
        ["wms", "GetMap"],
        ["wms", "GetFeatureInfo"],
        ["WFS", "GetFeature"],
        ["wfs", "DescribeFeatureType"],
        ["wcs", "GetCoverage"],
        ["wmts", "GetTile"],
        ["gwc", "dispatch"],
        ["Features", "getFeatures"],
    ])("let anyone call %s %s", (service, operation) => {
        expect(allowed(rules, service, operation, anonymous)).toBe(true);
    });

    it.each([
        ["wps", "Execute"],
        ["csw", "GetRecords"],
        ["wfs", "Transaction"],
        ["wfs", "LockFeature"],
        ["wfs", "GetFeatureWithLock"],
        ["wfs", "CreateStoredQuery"],
        ["Processes", "execute"],
        ["an-extension's-service", "anything"],
    ])("let only an administrator call %s %s, whichever path it came by (/ows included)", (service, operation) => {
        expect(allowed(rules, service, operation, anonymous)).toBe(false);
        expect(allowed(rules, service, operation, ["SOME_ROLE"])).toBe(false);
        expect(allowed(rules, service, operation, admin)).toBe(true);
    });

    it("name only services the public router routes, by a path of each", () => {
        for (const { service, path } of PUBLIC_SERVICES) {
            expect(isPublicGeoserverPath(path), `${service}: ${path}`).toBe(true);
            expect(isPublicGeoserverPath(path.replace("/geoserver/", "/geoserver/gis/")), `${service} in a workspace`).toBe(true);
        }
    });

    it("leave the services that are not public off the public router", () => {
        for (const path of ["/geoserver/wps", "/geoserver/csw", "/geoserver/ogc/processes/v1", "/geoserver/ogc/styles/v1", "/geoserver/gis/wps"]) {
            expect(isPublicGeoserverPath(path), path).toBe(false);
        }
    });

    it("are a rule a line, as GeoServer's ServiceAccessRuleDAO reads them (service.operation=roles)", () => {
        const lines = rules.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
        for (const line of lines) expect(line).toMatch(/^[A-Za-z*]+\.[A-Za-z*]+=[A-Z_*]+(,[A-Z_]+)*$/);
        expect(lines).toContain(`*.*=${ADMIN_ROLES.join(",")}`);
    });
});

describe("a new data directory's catalog", () => {
    const files = newDataDirFiles({ workspace: "gis", store: "postgis", namespaceUri: "https://maps.example.org/geoserver/gis" });
    const byPath = Object.fromEntries(files.map((f) => [f.path, f.content]));

    it("is a default workspace, its namespace and a PostGIS store over the JNDI pool, in GeoServer's data directory layout", () => {
        expect(Object.keys(byPath).sort()).toEqual([
            "logging.xml",
            "workspaces/default.xml",
            "workspaces/gis/namespace.xml",
            "workspaces/gis/postgis/datastore.xml",
            "workspaces/gis/workspace.xml",
        ]);
        expect(byPath["workspaces/default.xml"]).toBe(byPath["workspaces/gis/workspace.xml"]);
        expect(byPath["workspaces/gis/postgis/datastore.xml"]).toContain(`<entry key="jndiReferenceName">${JNDI_REFERENCE}</entry>`);
        expect(JNDI_REFERENCE).toBe("java:comp/env/jdbc/postgres");
        expect(byPath["workspaces/gis/postgis/datastore.xml"]).toContain('<entry key="dbtype">postgis</entry>');
        expect(byPath["workspaces/gis/postgis/datastore.xml"]).toContain('<entry key="schema">public</entry>');
    });

    it("ties the store to its workspace by the workspace's id, and the namespace to it by prefix", () => {
        const id = byPath["workspaces/gis/workspace.xml"].match(/<id>(.*)<\/id>/)?.[1];
        expect(byPath["workspaces/gis/postgis/datastore.xml"]).toContain(`<workspace>\n    <id>${id}</id>\n  </workspace>`);
        expect(byPath["workspaces/gis/namespace.xml"]).toContain("<prefix>gis</prefix>");
        expect(byPath["workspaces/gis/namespace.xml"]).toContain("<uri>https://maps.example.org/geoserver/gis</uri>");
    });

    it("logs GeoServer's production profile to standard output", () => {
        expect(byPath["logging.xml"]).toContain("<level>PRODUCTION_LOGGING</level>");
        expect(byPath["logging.xml"]).toContain("<stdOutLogging>true</stdOutLogging>");
    });

    it("escapes what XML would misread in a namespace URI", () => {
        const [, , namespace] = catalogFiles({ workspace: "gis", store: "postgis", namespaceUri: "https://example.org/a?b=1&c=<2>" });
        expect(namespace.content).toContain("<uri>https://example.org/a?b=1&amp;c=&lt;2&gt;</uri>");
    });

    it.each([
        ["gis", true],
        ["_private", true],
        ["city-maps", true],
        ["1st", false],
        ["gis.maps", false],
        ["with space", false],
        ["rest", false],
        ["WMS", false],
        ["default", false],
        ["a".repeat(65), false],
    ])("takes %s as a workspace name: %s", (name, ok) => expect(workspaceName(name) === undefined).toBe(ok));

    it.each([
        ["postgis", true],
        ["gis_db.v2", true],
        ["2024-roads", true],
        ["../escape", false],
        ["a/b", false],
        ["trailing.", false],
        ["", false],
    ])("takes %s as a store name: %s", (name, ok) => expect(storeName(name) === undefined).toBe(ok));
});

describe("GeoWebCache's disk quota", () => {
    it("is one global quota in MiB, enforced by removing the least frequently used tiles", () => {
        const quota = diskQuotaXml(2048);
        expect(quota).toMatch(/^<gwcQuotaConfiguration>\n {2}<enabled>true<\/enabled>/);
        expect(quota).toContain("<globalQuota>\n    <value>2048</value>\n    <units>MiB</units>\n  </globalQuota>");
        expect(quota).toContain("<globalExpirationPolicyName>LFU</globalExpirationPolicyName>");
    });
});
