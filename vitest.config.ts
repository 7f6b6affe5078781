import { configDefaults, defineConfig } from "vitest/config";

// PostgreSQL-only files (`*.postgres.test.ts`) are left out when a developer without a server
// opts out with VERITY_TEST_POSTGRES=off; under CI=true they always run. Suites covering both
// stores drop their PostgreSQL half the same way (storeKinds() in test/support/postgres.ts).
const postgresOptOut = process.env.VERITY_TEST_POSTGRES === "off" && process.env.CI !== "true";

export default defineConfig({
  test: {
    pool: "forks",
    // vitest's default is one worker fewer than there are cores: one worker on a 2-core machine,
    // which ran every file one after another. Most files wait on processes and databases too.
    maxWorkers: "100%",
    // Some files load the sentence encoder, and the CLI tests start processes that do.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
          exclude: [
            ...configDefaults.exclude,
            ...(postgresOptOut ? ["**/*.postgres.test.ts"] : []),
          ],
          // Files run one after another in each worker process, sharing its imports and PGlite's
          // compiled WebAssembly; each file closes every store, encoder and process it opens.
          isolate: false,
          // Builds the stores tests start from (the sample corpus ingested once, with the real
          // encoder); vitest runs it only when a file of this project is selected.
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
    ],
  },
});
