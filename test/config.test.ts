import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { parseStackConfig } from "../config";
import { installMocks } from "../render/mocks";
import { readYaml, stackConfig } from "./harness";

/** Runs index.ts with dev's config changed as given; returns the error it stopped with and what it registered. */
async function runWith(changes: Record<string, string | undefined>) {
    vi.resetModules();
    const config = { ...stackConfig("dev") };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete config[`geostack:${key}`];
        else config[`geostack:${key}`] = value;
    }
    pulumi.runtime.setAllConfig(config);
    const mocks = installMocks("geostack", "dev");
    const error = await import("../index").then(
        () => undefined,
        (e: Error) => e,
    );
    return { error, registered: mocks.resources };
}

describe("invalid stack config stops the program before any resource", () => {
    const cases: [string, Record<string, string | undefined>, RegExp][] = [
        ["missing domain", { domain: undefined }, /geostack:domain is required/],
        ["domain with a scheme", { domain: "https://maps.example.org" }, /geostack:domain = "https:\/\/maps\.example\.org": expected a lower-case DNS name/],
        ["domain that is an IP address", { domain: "192.168.1.10" }, /geostack:domain = "192\.168\.1\.10": expected a lower-case DNS name/],
        ["single-label domain", { domain: "localhost" }, /geostack:domain = "localhost"/],
        ["port out of range", { publishDatabasePort: "70000" }, /geostack:publishDatabasePort = "?70000"?: expected 0 \(publish nothing\) or a TCP port/],
        ["port that is not a number", { publishDatabasePort: "5432/tcp" }, /geostack:publishDatabasePort = "5432\/tcp": expected a whole number/],
        ["negative memory", { geoserverMemoryMb: "-512" }, /geostack:geoserverMemoryMb = -512: expected a whole number of MiB, at least 768/],
        ["memory too small for GeoServer", { geoserverMemoryMb: "256" }, /geostack:geoserverMemoryMb = 256: expected a whole number of MiB, at least 768/],
        ["fractional memory", { postgisMemoryMb: "1.5" }, /geostack:postgisMemoryMb = "1\.5": expected a whole number/],
        ["unparseable PostGIS tag", { postgisImage: "postgis/postgis:latest" }, /geostack:postgisImage = "postgis\/postgis:latest": expected a postgis\/postgis image whose tag starts with the PostgreSQL major/],
        ["invalid image reference", { postgisImage: "Postgis/PostGIS::17" }, /geostack:postgisImage = "Postgis\/PostGIS::17"/],
        ["traefik too old for Docker 29", { traefikImage: "traefik:v3.5.4" }, /geostack:traefikImage = "traefik:v3\.5\.4": expected a traefik v3 image pinned to a patch release, v3\.6\.1 or later/],
        ["traefik not pinned", { traefikImage: "traefik:latest" }, /geostack:traefikImage = "traefik:latest"/],
        ["boolean that is not one", { protectData: "yes" }, /geostack:protectData = "yes": expected true or false/],
        ["bad GeoServer version", { geoserverVersion: "latest" }, /geostack:geoserverVersion = "latest": expected a GeoServer release/],
        ["admin user with a space", { geoserverAdminUser: "geo admin" }, /geostack:geoserverAdminUser = "geo admin"/],
        ["misspelt key", { protectdata: "true" }, /geostack:protectdata is not a GeoStack key \(value not shown\); GeoStack reads domain, /],
        ["misspelt secret key, its value never printed", { registryPasword: "ghp_do-not-print" }, /geostack:registryPasword is not a GeoStack key \(value not shown\)(?![\s\S]*ghp_do-not-print)/],
    ];

    it.each(cases)("%s", async (_name, changes, message) => {
        const { error, registered } = await runWith(changes);
        expect(error?.message).toMatch(message);
        expect(error?.message).toContain("nothing was created");
        expect(registered).toEqual([]);
    });

    it("reports every bad key at once", async () => {
        const { error, registered } = await runWith({ domain: "bad_domain", publishDatabasePort: "0.5", traefikMemoryMb: "8" });
        expect(error?.message).toMatch(/geostack:domain = "bad_domain"/);
        expect(error?.message).toMatch(/geostack:publishDatabasePort = "0\.5"/);
        expect(error?.message).toMatch(/geostack:traefikMemoryMb = 8: expected a whole number of MiB, at least 64/);
        expect(registered).toEqual([]);
    });
});

describe("config parsing", () => {
    it("turns the default publishDatabasePort of 0 into 'not published'", () => {
        expect(parseStackConfig({ domain: "maps.example.org" }).publishDatabasePort).toBeUndefined();
        expect(parseStackConfig({ domain: "maps.example.org", publishDatabasePort: "15432" }).publishDatabasePort).toBe(15432);
    });

    it("accepts PostgreSQL 18 images and every committed stack file", () => {
        expect(parseStackConfig({ domain: "maps.example.org", postgisImage: "postgis/postgis:18-3.6" }).postgisImage).toBe("postgis/postgis:18-3.6");
        for (const stack of ["dev", "prod"]) {
            const raw = Object.fromEntries(Object.entries(stackConfig(stack)).map(([k, v]) => [k.replace(/^geostack:/, ""), v]));
            expect(() => parseStackConfig(raw), stack).not.toThrow();
        }
    });
});

describe("Pulumi.yaml", () => {
    const project = readYaml("Pulumi.yaml");

    it("is valid against Pulumi's own project schema", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "pulumi-project.schema.json"), "utf8"));
        const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
        expect(validate(project), JSON.stringify(validate.errors)).toBe(true);
    });

    it("keeps state on a local backend, so a fresh clone needs no Pulumi Cloud account", () => {
        expect(project.backend.url).toMatch(/^file:\/\//);
        expect(project.main).toBe("index.ts");
    });
});
