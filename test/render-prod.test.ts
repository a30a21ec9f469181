import { beforeAll, describe, expect, it } from "vitest";
import { deployStack, Deployed, secretValues } from "./harness";
import { formatJson, formatText, render, Rendered, SECRET } from "../render/render";

let prod: Deployed;
let rendered: Rendered;
beforeAll(async () => {
    prod = await deployStack("prod");
    rendered = render("geostack", "prod", prod);
});

const VOLUME = "docker:index/volume:Volume";

describe("render of the prod stack", () => {
    it("shows the data volumes protected and retained on delete", () => {
        const volumes = rendered.resources.filter((r) => r.type === VOLUME && /-(geoserver|postgis\d+)-data$/.test(String(r.properties.name)));
        expect(volumes.map((v) => v.properties.name).sort()).toEqual(["geostack-prod-geoserver-data", "geostack-prod-postgis17-data"]);
        for (const v of volumes) expect(v, v.name).toMatchObject({ protect: true, retainOnDelete: true });
        expect(formatText(rendered)).toMatch(/docker:index\/volume:Volume {2}geostack-postgis-data-pg17\n {2}parent: geostack-postgis\n {2}protect: true\n {2}retainOnDelete: true\n/);
    });

    it("publishes no database port and shows prod's memory limits", () => {
        const container = (name: string) => rendered.resources.find((r) => r.type === "docker:index/container:Container" && r.name === name)!;
        expect(container("geostack-postgis").properties.ports).toEqual([]);
        expect(container("geostack-postgis").properties.memory).toBe(2048);
        expect(container("geostack-geoserver").properties.memory).toBe(4096);
        expect(rendered.resources.some((r) => r.name === "geostack-postgis-publish")).toBe(false);
    });

    it("masks secrets and prints no generated password anywhere", () => {
        expect(rendered.outputs.databasePassword).toBe(SECRET);
        const secrets = secretValues(prod);
        expect(secrets.length).toBeGreaterThanOrEqual(6);
        for (const output of [formatText(rendered), formatJson(rendered)]) {
            for (const secret of secrets) expect(output.includes(secret), "a secret value leaked").toBe(false);
        }
    });
});
