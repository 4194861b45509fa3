// The CLI's prebuilt bundle, dist/cli/: built by `npm run build` (and by `npm run setup`), used by bin/steersynth.mjs
// when it is fresh. "Fresh" is exact, not a guess from mtimes: the manifest records the SHA-256 of every source file
// esbuild read (its metafile inputs), and a start-up re-hashes those files (~200 small files, a few ms); any change
// to one of them, or a missing one, makes the bundle stale and bin/ falls back to running the sources through tsx.
// This file imports only node: built-ins (it runs on every start); esbuild is loaded by buildCli() alone.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const DIST = "dist/cli";
const MANIFEST = "manifest.json";
const ENTRY = "lib/cli/main.ts";

/** SHA-256 over (path, content) of each input, in the given (sorted) order; null when one is missing. */
export function hashInputs(root, inputs) {
  const h = createHash("sha256");
  for (const file of inputs) {
    let text;
    try { text = readFileSync(join(root, file)); } catch { return null; }
    h.update(file).update("\0").update(text).update("\0");
  }
  return h.digest("hex");
}

/**
 * { fresh: true, main } when dist/cli was built from exactly the current sources, else { fresh: false, why }.
 * `why` names the first changed file, so the note bin/ prints says what made the bundle stale.
 */
export function bundleState(root, dist = join(root, DIST)) {
  const manifestPath = join(dist, MANIFEST);
  if (!existsSync(manifestPath)) return { fresh: false, why: `${dist} is not built` };
  let m;
  try { m = JSON.parse(readFileSync(manifestPath, "utf8")); } catch { return { fresh: false, why: `${manifestPath} is unreadable` }; }
  if (!Array.isArray(m.inputs) || typeof m.hash !== "string") return { fresh: false, why: `${manifestPath} has no inputs/hash` };
  if (hashInputs(root, m.inputs) === m.hash) return { fresh: true, main: join(dist, "main.mjs") };
  const changed = m.inputs.find((f, i) => hashInputs(root, [f]) !== m.fileHashes?.[i]) ?? "a source file";
  return { fresh: false, why: `${changed} changed since ${dist} was built` };
}

/**
 * Bundle lib/cli with esbuild (it ships with tsx): one ESM chunk per command (main.ts imports them lazily), npm
 * packages left external (resolved from node_modules at run time, so onnxruntime/tfjs load only in the commands
 * that import them). Written to a temp folder and renamed into place: a reader never sees a half-built bundle.
 */
export async function buildCli(root, dist = join(root, DIST)) {
  const { build } = await import("esbuild");
  const tmp = `${dist}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: ENTRY },
    outdir: tmp,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const fileHashes = inputs.map((f) => hashInputs(root, [f]));
  writeFileSync(join(tmp, MANIFEST), JSON.stringify({ entry: ENTRY, hash: hashInputs(root, inputs), inputs, fileHashes }, null, 1) + "\n");
  const out = dist, old = `${out}.old-${process.pid}`;
  if (existsSync(out)) renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  return { dir: out, inputs: inputs.length, chunks: Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".mjs")).length };
}
