// examples/postgis-only-ts as its users run it, under mocks: the npm package's name resolves to this checkout's
// components (vitest.config.mts); the slow tier runs the same program against the packed tarball.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, type ProviderMocks, reveal, settle } from "../../tools/render/mocks";
import { registrationsDone } from "../support/refusals";
import { CONTAINER, NETWORK } from "../support/resources";

let mocks: ProviderMocks;
let outputs: Record<string, { value: any; secret: boolean }>;

beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    mocks = installMocks("postgis-only", "dev");
    const program: Record<string, pulumi.Output<unknown>> = await import("../../examples/postgis-only-ts/index");
    outputs = {};
    for (const [name, output] of Object.entries(program)) outputs[name] = await settle(output);
    await registrationsDone();
});

describe("example postgis-only-ts", () => {
    it("deploys an internal network and PostGIS, nothing else of GeoStack", () => {
        expect(mocks.resources.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "docker:index/container:Container database",
            "docker:index/network:Network app",
            "docker:index/remoteImage:RemoteImage database-image",
            "docker:index/volume:Volume database-data-pg17",
            "geostack:index:Postgis database",
            "random:index/randomPassword:RandomPassword database-geoserver-password",
            "random:index/randomPassword:RandomPassword database-monitor-password",
            "random:index/randomPassword:RandomPassword database-superuser-password",
        ]);
        expect(mocks.get(NETWORK, "app").inputs).toMatchObject({ name: "postgis-only-dev-app", internal: true });
    });

    it("puts PostGIS on the application's network as `postgis`, publishing no port", () => {
        const container = mocks.get(CONTAINER, "database");
        expect(container.inputs.name).toBe("postgis-only-dev-postgis");
        expect(reveal(container.inputs.networksAdvanced)).toEqual([{ name: "postgis-only-dev-app", aliases: ["postgis"] }]);
        expect(container.inputs.ports).toEqual([]);
    });

    it("exports the connection for the application, the password as a secret", () => {
        expect(outputs.networkName.value).toBe("postgis-only-dev-app");
        expect(outputs.databaseContainer.value).toBe("postgis-only-dev-postgis");
        expect(outputs.databaseHost.value).toBe("postgis");
        expect(outputs.databasePort.value).toBe(5432);
        expect(outputs.databaseName.value).toBe("gis");
        expect(outputs.databaseUser.value).toBe("geoserver");
        expect(outputs.databasePassword.secret).toBe(true);
        expect(outputs.databasePassword.value).toHaveLength(32);
    });
});
