import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Each test file loads one stack into the Pulumi runtime; files must not share a module registry.
        isolate: true,
        testTimeout: 30_000,
    },
});
