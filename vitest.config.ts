import { defineConfig } from "vitest/config";

// Tests share 2 cores with onnxruntime's own threads: run files in 2 forked workers, never more.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
