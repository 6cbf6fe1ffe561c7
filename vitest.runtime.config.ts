import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Runtime tests run inside workerd with real D1 and Durable Objects, configured from
// wrangler.toml; migrations/ is the same folder `wrangler d1 migrations apply` reads.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: "development",
            ADMIN_TOKEN: "test-admin-token",
            CONFIG_REFRESH_MS: "0",
            ORIGINS_URL: inject("originsUrl"),
            // The fake AWS's demo keys (test/support/fake-clouds): the scaling e2e signs with them.
            AWS_ACCESS_KEY_ID: "AKIAFAKEDEMO00000001",
            AWS_SECRET_ACCESS_KEY: "fakeDemoSecretKeyForLocalFakeAwsOnly0001",
          },
        },
      })),
    ],
    test: {
      // ml-regression's dependency tree is CommonJS; pre-bundle it as wrangler's esbuild
      // does for the deployed worker, instead of loading it module by module in workerd.
      deps: { optimizer: { ssr: { enabled: true, include: ["ml-regression"] } } },
      include: ["test/runtime/**/*.test.ts"],
      setupFiles: ["./test/runtime/apply-migrations.ts"],
      globalSetup: ["./test/runtime/global-setup.ts"],
      testTimeout: 30_000,
    },
  };
});
