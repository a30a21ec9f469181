// examples/postgis-only-ts as its users run it, under mocks: the npm package's name resolves to this
// checkout's components (vitest.config.mts); test/npm-package.test.ts runs the same program against the packed tarball.
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, ProviderMocks, reveal, settle } from "../render/mocks";

let mocks: ProviderMocks;
let outputs: Record<string, { value: any; secret: boolean }>;

beforeAll(async () => {
    pulumi.runtime.setAllConfig({});
    mocks = installMocks("postgis-only", "dev");
    const program: Record<string, pulumi.Output<unknown>> = await import("../examples/postgis-only-ts/index");
    outputs = {};
    for (const [name, output] of Object.entries(program)) outputs[name] = await settle(output);
});

describe("example postgis-only-ts", () => {
    it("deploys an internal network and PostGIS, nothing else of GeoStack", () => {
        const registered = mocks.resources.map((r) => `${r.type} ${r.name}`).sort();
        expect(registered).toEqual([
            "docker:index/container:Container database",
            "docker:index/network:Network app",
            "docker:index/remoteImage:RemoteImage database-image",
            "docker:index/volume:Volume database-data-pg17",
            "geostack:index:Postgis database",
            "random:index/randomPassword:RandomPassword database-geoserver-password",
            "random:index/randomPassword:RandomPassword database-superuser-password",
        ]);
        expect(mocks.get("docker:index/network:Network", "app").inputs).toMatchObject({ name: "postgis-only-dev-app", internal: true });
    });

    it("puts PostGIS on the application's network as `postgis`, publishing no port", () => {
        const container = mocks.get("docker:index/container:Container", "database");
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
