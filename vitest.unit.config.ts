import { defineConfig } from "vitest/config";

// Pure modules: plain vitest in Node, no Workers runtime needed.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
  },
});
