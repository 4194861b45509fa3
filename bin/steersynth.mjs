#!/usr/bin/env node
// Entry point of `npx steersynth`. Runs the prebuilt bundle dist/cli/ when it was built from exactly the current
// lib/ sources (no TypeScript transpiling at start-up: `--help` in well under 0.3 s); otherwise says why and runs
// the sources through tsx, so a stale bundle never runs old code.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleState } from "../scripts/cli-bundle.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.env.STEERSYNTH_ROOT ??= root;
const state = bundleState(root);
let entry = state.main;
if (!state.fresh) {
  console.error(`steersynth: ${state.why}; running the TypeScript sources through tsx (slower start). \`npm run build\` rebuilds it.`);
  const { register } = await import("tsx/esm/api");
  register();
  entry = join(root, "lib/cli/main.ts");
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
