#!/usr/bin/env node
// `npm run build`: bundle the CLI into dist/cli/ (see scripts/cli-bundle.mjs) so `steersynth` starts without tsx.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCli } from "./cli-bundle.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const t0 = Date.now();
const r = await buildCli(root);
console.log(`built ${r.dir}: ${r.inputs} sources → ${r.chunks} chunks (${Date.now() - t0} ms)`);
