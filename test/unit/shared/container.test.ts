import { describe, expect, it } from "vitest";
import { instanceLabels, toLabelList, withContainerDefaults } from "../../../components/shared/container";

describe("container defaults", () => {
    it("names, limits, hardens and labels every container the same way", () => {
        const args = withContainerDefaults({ namePrefix: "geostack-dev", role: "postgis", memoryMb: 512 }, { image: "postgis/postgis:17-3.5" });
        expect(args).toMatchObject({
            image: "postgis/postgis:17-3.5",
            name: "geostack-dev-postgis",
            restart: "unless-stopped",
            // Rotates without log_opts, which Docker would merge with daemon.json's.
            logDriver: "local",
            memory: 512,
            // What Docker stores on a host without swap accounting too.
            memorySwap: -1,
            securityOpts: ["no-new-privileges:true"],
        });
        expect(args.logOpts).toBeUndefined();
        expect(instanceLabels("geostack-dev", "postgis")).toEqual({ "geostack.instance": "geostack-dev", "geostack.role": "postgis" });
    });

    it("sorts labels so diffs only show real changes", () => {
        expect(toLabelList({ b: "2", a: "1" })).toEqual([
            { label: "a", value: "1" },
            { label: "b", value: "2" },
        ]);
    });
});
