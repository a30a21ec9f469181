import { describe, expect, it } from "vitest";
import { cpuLimit } from "../../../components/shared/checks";
import { instanceLabels, providerCpus, toLabelList, withContainerDefaults } from "../../../components/shared/container";

describe("container defaults", () => {
    it("names, limits, hardens and labels every container the same way", () => {
        const args = withContainerDefaults({ namePrefix: "geostack-dev", role: "postgis", memoryMb: 512, cpus: "2" }, { image: "postgis/postgis:17-3.5" });
        expect(args).toMatchObject({
            image: "postgis/postgis:17-3.5",
            name: "geostack-dev-postgis",
            restart: "unless-stopped",
            // Rotates without log_opts, which Docker would merge with daemon.json's.
            logDriver: "local",
            memory: 512,
            // What Docker stores on a host without swap accounting too.
            memorySwap: -1,
            cpus: "2.0",
            securityOpts: ["no-new-privileges:true"],
        });
        expect(args.logOpts).toBeUndefined();
        expect(instanceLabels("geostack-dev", "postgis")).toEqual({ "geostack.instance": "geostack-dev", "geostack.role": "postgis" });
    });

    it("spells the CPU limit as the provider reads it back, so a refresh never replaces the container", () => {
        // kreuzwerker's nanoInt64ToDecimalString: nine decimals; nine zeros among them give one decimal, else trailing
        // zeros trimmed.
        for (const [given, readBack] of [
            ["2", "2.0"],
            ["2.00", "2.0"],
            ["1.5", "1.5"],
            ["1.50", "1.5"],
            ["0.5", "0.5"],
            ["0.25", "0.25"],
            ["0.1", "0.1"],
            ["0.15", "0.15"],
            ["1.05", "1.05"],
            ["9.99", "9.99"],
            // The quirks cpuLimit keeps out: these would never read back as sent.
            ["0.01", "0.0"],
            ["0.05", "0.1"],
            ["10", "10."],
        ]) {
            expect(providerCpus(given), given).toBe(readBack);
        }
        for (const bad of ["0", "0.05", "0.09", "10", "12.5", "1.255", "-1", "two", ""]) expect(cpuLimit(bad), bad).toBeDefined();
        // Every limit it admits reads back as the same number.
        for (let hundredths = 10; hundredths < 1000; hundredths++) {
            const value = (hundredths / 100).toFixed(2);
            expect(cpuLimit(value), value).toBeUndefined();
            expect(Number(providerCpus(value)), value).toBe(Number(value));
        }
    });

    it("sorts labels so diffs only show real changes", () => {
        expect(toLabelList({ b: "2", a: "1" })).toEqual([
            { label: "a", value: "1" },
            { label: "b", value: "2" },
        ]);
    });
});
