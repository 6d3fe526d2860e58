import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // End-to-end tests start the built CLI and real tools (actionlint, trivy, govulncheck) as processes.
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
