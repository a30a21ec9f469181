import { describe, expect, it } from "vitest";
import { dataAtStake, judge } from "../../tools/data-guard";

// Sample plans as `pulumi preview --json` prints them (PreviewDigest: config, steps[{op, urn, oldState, newState,
// replaceReasons}], changeSummary), for the prod stack.
const urn = (chain: string, name: string) => `urn:pulumi:prod::geostack::geostack:index:GeoStack$${chain}::${name}`;
const POSTGIS17 = urn("geostack:index:Postgis$docker:index/volume:Volume", "geostack-postgis-data-pg17");
const POSTGIS18 = urn("geostack:index:Postgis$docker:index/volume:Volume", "geostack-postgis-data-pg18");
const GEOSERVER_DATA = urn("geostack:index:GeoServer$docker:index/volume:Volume", "geostack-geoserver-data");
const POSTGIS_CONTAINER = urn("geostack:index:Postgis$docker:index/container:Container", "geostack-postgis");
const volumeState = (name: string) => ({ type: "docker:index/volume:Volume", inputs: { name }, protect: true, retainOnDelete: true });

const plan = (steps: object[]) => JSON.stringify({ config: { "geostack:domain": "maps.example.org" }, steps, changeSummary: {} }, null, 4);

describe("the deploy's data guard", () => {
    it("lets a plan through that only updates or replaces containers and creates volumes", () => {
        const text = plan([
            { op: "same", urn: GEOSERVER_DATA, oldState: volumeState("geostack-prod-geoserver-data") },
            { op: "update", urn: POSTGIS_CONTAINER, diffReasons: ["memory"] },
            { op: "replace", urn: POSTGIS_CONTAINER, replaceReasons: ["image"] },
            { op: "create-replacement", urn: POSTGIS_CONTAINER },
            { op: "delete-replaced", urn: POSTGIS_CONTAINER },
            { op: "create", urn: POSTGIS18, newState: volumeState("geostack-prod-postgis18-data") },
        ]);
        expect(judge(text)).toEqual({ ok: true, report: "Data guard: the plan deletes and replaces no data volume." });
    });

    it("stops a PostgreSQL major bump: the old cluster's volume leaves the program", () => {
        const { ok, report } = judge(
            plan([
                { op: "create", urn: POSTGIS18, newState: volumeState("geostack-prod-postgis18-data") },
                { op: "delete", urn: POSTGIS17, oldState: volumeState("geostack-prod-postgis17-data") },
            ]),
        );
        expect(ok).toBe(false);
        expect(report).toBe(
            [
                "Data guard: the deploy stops, the plan would lose data:",
                "- geostack-postgis-data-pg17 (Docker volume geostack-prod-postgis17-data) would delete a data volume",
                "Back up, then make this change by hand (docs/operations.md, upgrades), or revert it.",
            ].join("\n"),
        );
    });

    it("stops a replacement of a volume once, whichever steps show it, with the properties that force it", () => {
        const state = volumeState("geostack-prod-geoserver-data");
        expect(
            dataAtStake({
                steps: [
                    { op: "replace", urn: GEOSERVER_DATA, replaceReasons: ["name"], oldState: state },
                    { op: "create-replacement", urn: GEOSERVER_DATA, replaceReasons: ["name"], oldState: state },
                    { op: "delete-replaced", urn: GEOSERVER_DATA, oldState: state },
                ],
            }),
        ).toEqual(["geostack-geoserver-data (Docker volume geostack-prod-geoserver-data) would replace a data volume, because name changed"]);
    });

    it("reads the JSON after whatever the CLI printed before it, and refuses output without any", () => {
        expect(judge(`warning: something\n${plan([{ op: "delete", urn: GEOSERVER_DATA }])}`).ok).toBe(false);
        expect(() => judge("error: no stack named prod")).toThrow("no JSON object");
    });

    it("takes a plan without steps (nothing to do) as safe", () => {
        expect(judge(JSON.stringify({ changeSummary: { same: 12 } })).ok).toBe(true);
    });
});
