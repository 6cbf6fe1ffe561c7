import { defineConfig } from "vitest/config";

// End to end: real processes on 127.0.0.1 (npm start's whole stack), driven from Node.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
