import { describe, expect, it } from "vitest";
import { instanceLabels, toLabelList, withContainerDefaults } from "../../../components/shared/container";

describe("container defaults", () => {
    it("names, limits, hardens and labels every container the same way", () => {
        const args = withContainerDefaults({ namePrefix: "geostack-dev", role: "postgis", memoryMb: 512 }, { image: "postgis/postgis:17-3.5" });
        expect(args).toMatchObject({
            image: "postgis/postgis:17-3.5",
            name: "geostack-dev-postgis",
            restart: "unless-stopped",
            logDriver: "json-file",
            logOpts: { "max-size": "10m", "max-file": "5" },
            memory: 512,
            // Equal to the memory limit: no swap.
            memorySwap: 512,
            securityOpts: ["no-new-privileges:true"],
        });
        expect(instanceLabels("geostack-dev", "postgis")).toEqual({ "geostack.instance": "geostack-dev", "geostack.role": "postgis" });
    });

    it("sorts labels so diffs only show real changes", () => {
        expect(toLabelList({ b: "2", a: "1" })).toEqual([
            { label: "a", value: "1" },
            { label: "b", value: "2" },
        ]);
    });
});
