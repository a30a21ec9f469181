import { describe, expect, it } from "vitest";
import { GEOSTACK_SWARM_SPEC } from "../../../components/swarm/geostack-swarm";
import { forSwarmProvider, nfsExport, nfsVolumeOptions } from "../../../components/swarm/swarm";
import { resolve } from "../../../components/shared/args";
import { parsePlatformConfig } from "../../../config";
import { InvalidInputError } from "../../../components/shared/args";

const REQUIRED = { domain: "maps.example.org", geoserverImage: "ghcr.io/acme/geoserver:2.28.4", postgisNodeHost: "ssh://deploy@db1" };
const problems = (args: Record<string, unknown>) => resolve(GEOSTACK_SWARM_SPEC, args).problems;

describe("GeoStackSwarm's args", () => {
    it("refuses what a swarm cannot do, naming the key", () => {
        expect(problems({ ...REQUIRED, postgisNodeHost: "db1" })[0]).toMatch(/^postgisNodeHost = "db1": expected a Docker host address/);
        expect(problems({ ...REQUIRED, tls: true, acmeEmail: "ops@acme.org" })).toEqual([
            "edgeNodeHost is required when tls is true: the certificates' volume must be created on the edge node, where traefik runs",
        ]);
        expect(problems({ ...REQUIRED, geoserverDataNfs: "nfs1:/srv/gs", geoserverNodeHost: "ssh://deploy@gs1" })[0]).toMatch(
            /^geoserverNodeHost = .*unset when geoserverDataNfs/,
        );
        expect(problems({ ...REQUIRED, registryUsername: "acme" })[0]).toMatch(/go together/);
        expect(problems({ domain: "maps.example.org" })).toEqual(["geoserverImage is required", "postgisNodeHost is required"]);
        // As on one host: pgRouting only on an image that may have it.
        expect(problems({ ...REQUIRED, postgisExtensions: ["pgrouting"] })[0]).toMatch(
            /^postgisImage = "postgis\/postgis:17-3\.5": expected an image with pgRouting/,
        );
        expect(problems({ ...REQUIRED, postgisExtensions: ["pgrouting"], postgisImage: "pgrouting/pgrouting:17-3.5-3.8" })).toEqual([]);
    });

    it("reads an NFS export into the local driver's options, mounted hard", () => {
        expect(nfsExport("nfs1:/srv/gs")).toBeUndefined();
        expect(nfsExport("nfs1:/srv/gs,soft")).toBeDefined();
        expect(nfsVolumeOptions("nfs1.internal:/srv/gs")).toEqual({
            driverName: "local",
            driverOptions: { type: "nfs", o: "addr=nfs1.internal,rw,hard,nfsvers=4", device: ":/srv/gs" },
        });
    });

    it("renames only traefik's docker-provider labels to the swarm provider's", () => {
        expect(forSwarmProvider({ "traefik.docker.network": "n", "traefik.enable": "true", "geostack.instance": "x" })).toEqual({
            "traefik.swarm.network": "n",
            "traefik.enable": "true",
            "geostack.instance": "x",
        });
    });
});

describe("geostack:platform", () => {
    const refusal = (raw: Record<string, string>) => {
        try {
            parsePlatformConfig(raw);
        } catch (error) {
            expect(error).toBeInstanceOf(InvalidInputError);
            return (error as InvalidInputError).problems;
        }
        throw new Error("accepted");
    };

    it("refuses a key the chosen platform does not read, unless left at its default", () => {
        const swarm = { platform: "swarm", ...REQUIRED };
        expect(parsePlatformConfig({ ...swarm, loopbackOnly: "false", publishDatabasePort: "0" }).platform).toBe("swarm");
        expect(refusal({ ...swarm, publishDatabasePort: "15432" })).toEqual([
            "geostack:publishDatabasePort = 15432: expected it unset, since geostack:platform is swarm, which does not read it",
        ]);
        expect(refusal({ domain: "maps.example.org", postgisNodeHost: "ssh://deploy@db1" })[0]).toMatch(/^geostack:postgisNodeHost = .*platform is docker/);
        expect(refusal({ platform: "k8s", domain: "maps.example.org" })[0]).toMatch(/^geostack:platform = "k8s": expected one of docker, swarm/);
    });
});
