import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Three tiers. `unit`: pure builders, checks and parsers, one module registry for all. `mocks`: each component alone
// and each stack program once, under the provider mocks (the Pulumi runtime is global, so one file per registry).
// `slow`: whatever starts processes or servers (npm pack, the plugin host, the ts-node loader, the render CLI, real
// PostgreSQL, the Dockerfile's scripts). `npm run test:fast` runs the first two; `npm test` runs all three.
export default defineConfig({
    resolve: {
        // The examples import the npm package by name; under test it is this checkout's components (tsconfig.json too).
        alias: { "@geostack/components": fileURLToPath(new URL("./components/index.ts", import.meta.url)) },
    },
    test: {
        testTimeout: 30_000,
        projects: [
            { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"], isolate: false } },
            { extends: true, test: { name: "mocks", include: ["test/components/**/*.test.ts", "test/stacks/**/*.test.ts"], isolate: true } },
            { extends: true, test: { name: "slow", include: ["test/slow/**/*.test.ts"], isolate: true, testTimeout: 120_000 } },
        ],
    },
});
