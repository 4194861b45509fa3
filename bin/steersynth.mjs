#!/usr/bin/env node
// Entry point of `npx steersynth`: registers tsx so the TypeScript sources run directly, then dispatches.
import { register } from "tsx/esm/api";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.env.STEERSYNTH_ROOT ??= root;
register();
const { main } = await import(pathToFileURL(join(root, "lib/cli/main.ts")).href);
process.exitCode = await main(process.argv.slice(2));
