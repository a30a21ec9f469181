import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
    resolve: {
        // The examples import the npm package by name; under test it is this checkout's components (tsconfig.json too).
        alias: { "@geostack/components": fileURLToPath(new URL("./components/index.ts", import.meta.url)) },
    },
    test: {
        include: ["test/**/*.test.ts"],
        // Each test file loads one stack into the Pulumi runtime; files must not share a module registry.
        isolate: true,
        testTimeout: 30_000,
    },
});
