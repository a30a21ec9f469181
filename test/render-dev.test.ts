import { beforeAll, describe, expect, it } from "vitest";
import { deployStack, Deployed, secretValues } from "./harness";
import { formatJson, formatText, render, Rendered, SECRET } from "../render/render";

let dev: Deployed;
let rendered: Rendered;
beforeAll(async () => {
    dev = await deployStack("dev");
    rendered = render("geostack", "dev", dev);
});

const resource = (type: string, name: string) => {
    const found = rendered.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} ${name} in the render`);
    return found;
};
const CONTAINER = "docker:index/container:Container";

describe("render of the dev stack", () => {
    it("lists every registered resource once, parents before their children", () => {
        expect(rendered.resources).toHaveLength(dev.mocks.resources.length);
        expect(new Set(rendered.resources.map((r) => r.key)).size).toBe(rendered.resources.length);
        const seen = new Set<string>();
        for (const r of rendered.resources) {
            if (r.parent) expect(seen, `${r.name} after its parent`).toContain(r.parent);
            seen.add(r.name);
        }
        expect(rendered.resources.map((r) => `${r.type} ${r.name}`)).toEqual(
            expect.arrayContaining([
                "geostack:index:GeoStack geostack",
                `${CONTAINER} geostack-postgis`,
                `${CONTAINER} geostack-geoserver`,
                `${CONTAINER} geostack-traefik`,
                "docker:index/volume:Volume geostack-postgis-data-pg17",
                "docker:index/network:Network geostack-postgis-publish",
            ]),
        );
    });

    it("shows what a reviewer needs of a container: image, networks, ports, volumes, env keys, labels, healthcheck, limits", () => {
        const postgis = resource(CONTAINER, "geostack-postgis");
        expect(postgis.parent).toBe("geostack-postgis");
        expect(postgis.properties).toMatchObject({
            name: "geostack-dev-postgis",
            image: "postgis/postgis:17-3.5 (by image ID)",
            networks: ["geostack-dev-backend (aliases: postgis)", "geostack-dev-postgis-publish"],
            ports: ["127.0.0.1:15432 -> 5432/tcp"],
            volumes: { "/var/lib/postgresql/data": "volume geostack-dev-postgis17-data" },
            env: ["GEOSERVER_DB_PASSWORD", "POSTGRES_PASSWORD", "POSTGRES_USER"],
            labels: { "geostack.instance": "geostack-dev", "geostack.role": "postgis" },
            healthcheck: { tests: "CMD pg_isready -U postgres -d gis -h 127.0.0.1", interval: "10s" },
            memory: 1024,
        });
        expect(resource(CONTAINER, "geostack-traefik").properties.command).toContain("--providers.docker.exposedbydefault=false");
    });

    it("prints env keys only, and keeps a digest of the values so a diff sees them change", () => {
        const text = formatText(rendered);
        expect(text).toContain("POSTGRES_USER");
        expect(text).not.toContain("POSTGRES_USER=");
        expect(resource(CONTAINER, "geostack-geoserver").hidden.env).toMatch(/^[0-9a-f]{12}$/);
    });

    it("masks secret outputs", () => {
        expect(rendered.outputs).toMatchObject({
            geoserverAdminPassword: SECRET,
            databasePassword: SECRET,
            databaseSuperuserPassword: SECRET,
            geoserverUrl: "http://geostack.localhost/geoserver/",
        });
    });

    it("prints no generated password, hash or secret output anywhere, as text or JSON", () => {
        const secrets = secretValues(dev);
        expect(secrets.length).toBeGreaterThanOrEqual(6);
        for (const output of [formatText(rendered), formatJson(rendered)]) {
            for (const secret of secrets) expect(output.includes(secret), `a secret value leaked`).toBe(false);
        }
    });

    it("does not mark dev data volumes as protected", () => {
        expect(resource("docker:index/volume:Volume", "geostack-postgis-data-pg17")).toMatchObject({ protect: false, retainOnDelete: false });
        expect(formatText(rendered)).not.toContain("protect: true");
    });

    it("prints as text every resource and property the JSON holds", () => {
        const text = formatText(rendered);
        expect(JSON.parse(formatJson(rendered))).toEqual(rendered);
        for (const r of rendered.resources) {
            expect(text).toContain(`${r.type}  ${r.name}\n`);
            for (const key of Object.keys(r.properties)) expect(text).toContain(`  ${key}:`);
        }
        for (const key of Object.keys(rendered.outputs)) expect(text).toContain(`  ${key}:`);
    });
});
