import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { repoRoot } from "../util/index";

/**
 * Which TensorFlow.js backend trains the models: the fastest one present, in this order:
 *   tensorflow-gpu  @tensorflow/tfjs-node-gpu (CUDA libtensorflow)
 *   tensorflow      @tensorflow/tfjs-node, from node_modules or from .tfjs-native/ (scripts/setup-native-tfjs.sh
 *                   builds it offline against the tensorflow-cpu wheel; ~20× wasm on a transformer step)
 *   wasm            @tensorflow/tfjs-backend-wasm (always installed; SIMD, single-threaded under Node)
 *   cpu             pure-JS tfjs (slowest; last resort)
 * STEERSYNTH_TF_BACKEND=<name> forces one (an error when it cannot load).
 */
export type TfBackend = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
export type Tf = typeof import("@tensorflow/tfjs");

export const TF_BACKENDS: readonly TfBackend[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

/** Where a native tfjs-node build may live: the project's node_modules, then the git-ignored .tfjs-native/ prefix. */
function nativeRequires(root: string): NodeRequire[] {
  const out = [createRequire(join(root, "package.json"))];
  const prefix = join(root, ".tfjs-native", "package.json");
  if (existsSync(prefix)) out.push(createRequire(prefix));
  return out;
}

/** Load a native package; TensorFlow's own C++ log lines are silenced unless the user asked for them. */
function loadNative(root: string, pkg: string): Tf {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "2";
  const reasons: string[] = [];
  for (const req of nativeRequires(root)) {
    let path: string;
    try {
      path = req.resolve(pkg);
    } catch {
      continue;
    }
    try {
      return req(path) as Tf;
    } catch (e) {
      // Typically the package is there but its native library is not (its install script could not download it).
      reasons.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(reasons.length ? reasons.join("; ") : `${pkg} is not installed (run scripts/setup-native-tfjs.sh for the CPU build)`);
}

async function tryBackend(root: string, name: TfBackend): Promise<Tf> {
  const req = createRequire(join(root, "package.json"));
  switch (name) {
    case "tensorflow-gpu": {
      const tf = loadNative(root, "@tensorflow/tfjs-node-gpu");
      if (tf.getBackend() !== "tensorflow") throw new Error(`tfjs-node-gpu loaded but the backend is '${tf.getBackend()}'`);
      return tf;
    }
    case "tensorflow": {
      const tf = loadNative(root, "@tensorflow/tfjs-node");
      if (tf.getBackend() !== "tensorflow") throw new Error(`tfjs-node loaded but the backend is '${tf.getBackend()}'`);
      return tf;
    }
    case "wasm": {
      const tf = req("@tensorflow/tfjs") as Tf;
      req("@tensorflow/tfjs-backend-wasm");
      if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
      return tf;
    }
    case "cpu": {
      const tf = req("@tensorflow/tfjs") as Tf;
      if (!(await tf.setBackend("cpu"))) throw new Error("tf.setBackend('cpu') failed");
      return tf;
    }
  }
}

let cached: Promise<{ tf: Tf; backend: TfBackend }> | null = null;

/**
 * The tfjs namespace with the fastest available backend active. Logs the choice (and why faster ones were
 * skipped) once to stderr. Cached: every caller in a process shares one backend.
 */
export function initTf(opts: { quiet?: boolean } = {}): Promise<{ tf: Tf; backend: TfBackend }> {
  if (!cached) {
    cached = pick(opts.quiet ?? false);
    // A failed choice (e.g. a bad STEERSYNTH_TF_BACKEND) is not remembered: the next call tries again.
    cached.catch(() => { cached = null; });
  }
  return cached;
}

async function pick(quiet: boolean): Promise<{ tf: Tf; backend: TfBackend }> {
  const root = repoRoot();
  const forced = process.env.STEERSYNTH_TF_BACKEND;
  if (forced !== undefined && forced !== "") {
    if (!TF_BACKENDS.includes(forced as TfBackend))
      throw new Error(`STEERSYNTH_TF_BACKEND='${forced}': expected one of ${TF_BACKENDS.join(", ")}`);
    const backend = forced as TfBackend;
    const tf = await tryBackend(root, backend).catch((e: Error) => {
      throw new Error(`STEERSYNTH_TF_BACKEND=${backend}: the backend cannot be loaded (${e.message})`);
    });
    if (!quiet) process.stderr.write(`[tfjs] backend ${backend} (forced by STEERSYNTH_TF_BACKEND)\n`);
    return { tf, backend };
  }
  const skipped: string[] = [];
  for (const backend of TF_BACKENDS) {
    try {
      const tf = await tryBackend(root, backend);
      if (!quiet) process.stderr.write(`[tfjs] backend ${backend}${skipped.length ? ` (skipped: ${skipped.join("; ")})` : ""}\n`);
      return { tf, backend };
    } catch (e) {
      skipped.push(`${backend}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.join("; ")}`);
}

/**
 * Whether embeddings may use tf.gather: its gradient needs UnsortedSegmentSum, which the wasm backend lacks,
 * so there an embedding is a one-hot × matrix product (same values, more FLOPs).
 */
export const gatherHasGradient = (backend: TfBackend): boolean => backend !== "wasm";
