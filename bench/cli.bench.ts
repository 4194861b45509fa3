import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel, readSafetensors, writeSafetensors } from "../lib/checkpoint/index";
import { main } from "../lib/cli/main";
import { upperMedian } from "../lib/math/index";
import { encodePrompts } from "../lib/engine/index";
import { createVector, exportControlVector, modelIdentity } from "../lib/steering/index";
import { repoRoot } from "../lib/util/paths";
import { setProgressMode } from "../lib/util/progress";
import { createRng } from "../lib/util/rng";

/**
 * CLI cold start, whole processes: each command run through the prebuilt bundle (bin/steersynth.mjs with a fresh
 * dist/cli) and through the TypeScript sources under tsx (what bin/ falls back to when the bundle is stale), with
 * `node -e 0` as the floor. Commands: --help, inspect, and a batch-1 steered greedy generate of 128 tokens on a
 * random ~31M-parameter Llama (8 layers, hidden 512, vocab 8000; written once under .cache/bench/), graph cache warm.
 * Median of 5 runs after one warm-up each. Needs `npm run build` first (it says so otherwise).
 *
 * Against llama.cpp (optional; never a project dependency): with STEERSYNTH_BENCH_LLAMA_CPP=<a llama.cpp checkout
 * with `build/bin/llama-completion` built> and STEERSYNTH_BENCH_PYTHON=<a python with torch, transformers, safetensors,
 * sentencepiece>, the 31M checkpoint is converted once to an f32 GGUF by llama.cpp's converter
 * (scripts/dev/gguf_from_hf.py) and the steering vector exported with exportControlVector; then one text prompt →
 * 128 new tokens, greedy, EOS ignored, steered at layer 4 × 4 at every position, 2 threads, is timed as whole processes
 * (median of 5 after a warm-up, the two commands alternating): `llama-completion ... --control-vector-scaled` against
 * `steersynth generate --prompts` on the bundle. Both tokenize the prompt to the same ids (printed).
 */
const ROOT = repoRoot();
const MODEL = join(ROOT, ".cache", "bench", "llama-31m");
const OUT = join(ROOT, ".cache", "bench", "cli-out");
const PROMPT = "hello world how are you";

/** One whole process: seconds, and its stderr. */
function timedRun(exe: string, args: string[]): { s: number; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(exe, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench cli: ${exe} ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr.slice(-500)}`);
  if (args[0]?.endsWith("steersynth.mjs") && r.stderr.includes("through tsx")) throw new Error(`bench cli: the bundle is stale (${r.stderr.trim()}); run npm run build`);
  return { s: (performance.now() - t0) / 1000, stderr: r.stderr };
}

/** Median wall time of `reps` runs of each command after one warm-up each, the commands taking turns. */
function walls(cmds: [string, string[]][], reps = 5): number[] {
  for (const [exe, args] of cmds) timedRun(exe, args);
  const times: number[][] = cmds.map(() => []);
  for (let i = 0; i < reps; i++) cmds.forEach(([exe, args], k) => times[k].push(timedRun(exe, args).s));
  return times.map(upperMedian);
}

const wall = (cmd: string[], reps = 5): number => walls([[process.execPath, cmd]], reps)[0];

async function ensureModel(): Promise<void> {
  if (!existsSync(join(MODEL, "config.json"))) {
    const code = await main(["make-random", "--arch", "llama", "--out", MODEL, "--layers", "8", "--hidden", "512", "--heads", "8", "--kv-heads", "4",
      "--intermediate", "1376", "--vocab", "8000", "--max-positions", "512", "--seed", "3"]);
    if (code !== 0) throw new Error("bench cli: make-random failed");
  }
  mkdirSync(OUT, { recursive: true });
  const model = await loadModel(MODEL);
  const rng = createRng(5);
  writeSafetensors(join(OUT, "v.safetensors"), { "direction.4": { dtype: "F32", shape: [model.spec.hidden], data: Float32Array.from({ length: model.spec.hidden }, () => rng.normal()) } });
  writeFileSync(join(OUT, "ids.json"), JSON.stringify([[5, 6, 7, 8, 9, 10, 11, 12]]));
}

export async function run(): Promise<void> {
  setProgressMode("off");
  await ensureModel();
  const bin = join(ROOT, "bin", "steersynth.mjs");
  const src = (argv: string[]) => ["--import", "tsx", "-e", `import("./lib/cli/main.ts").then(async (m) => { process.exitCode = await m.main(${JSON.stringify(argv)}); })`];
  const floor = wall(["-e", "0"]);
  console.log(`node -e 0 (process floor): ${floor.toFixed(3)} s`);
  console.log("| command | bundle (s) | tsx sources (s) | tsx / bundle | bundle − floor (s) |\n|---|---|---|---|---|");
  const cases: [string, string[]][] = [
    ["--help", ["--help"]],
    ["inspect", ["inspect", "--model", MODEL]],
    ["generate b=1, 128 tokens, steered", ["generate", "--model", MODEL, "--ids", join(OUT, "ids.json"), "--max-new-tokens", "128", "--vector", join(OUT, "v.safetensors"), "--alpha", "4", "--out", join(OUT, "g.jsonl")]],
  ];
  for (const [name, argv] of cases) {
    const b = wall([bin, ...argv]), s = wall(src(argv));
    console.log(`| ${name} | ${b.toFixed(3)} | ${s.toFixed(3)} | ${(s / b).toFixed(2)} | ${(b - floor).toFixed(3)} |`);
  }
  await againstLlamaCpp(bin);
}

/** The optional llama.cpp comparison (see the top of this file). */
async function againstLlamaCpp(bin: string): Promise<void> {
  const llamaCpp = process.env.STEERSYNTH_BENCH_LLAMA_CPP, python = process.env.STEERSYNTH_BENCH_PYTHON;
  if (!llamaCpp) return console.log("\n(llama.cpp comparison skipped: set STEERSYNTH_BENCH_LLAMA_CPP and STEERSYNTH_BENCH_PYTHON)");
  const completion = join(llamaCpp, "build", "bin", "llama-completion");
  if (!existsSync(completion)) throw new Error(`bench cli: ${completion} not found (build llama.cpp's llama-completion first)`);
  const gguf = join(OUT, "llama-31m-f32.gguf");
  if (!existsSync(gguf)) {
    if (!python) throw new Error("bench cli: STEERSYNTH_BENCH_PYTHON (a python with torch, transformers, sentencepiece) is needed to convert the checkpoint once");
    timedRun(python, [join(ROOT, "scripts", "dev", "gguf_from_hf.py"), llamaCpp, MODEL, gguf]);
  }
  const model = await loadModel(MODEL);
  const cv = join(OUT, "v.gguf");
  const direction = readSafetensors(join(OUT, "v.safetensors"), ["direction.4"]).tensors.get("direction.4")!.data;
  exportControlVector(cv, createVector({ model: modelIdentity("llama-31m", model.spec), site: "resid_post", method: "random", directions: new Map([[4, direction]]) }));
  writeFileSync(join(OUT, "prompt.jsonl"), JSON.stringify({ prompt: PROMPT }) + "\n");
  const llamaArgs = ["-m", gguf, "-p", PROMPT, "-n", "128", "--ignore-eos", "--temp", "0", "-t", "2", "-no-cnv", "-s", "0", "--control-vector-scaled", `${cv}:4`, "--verbose-prompt"];
  const ours = [bin, "generate", "--model", MODEL, "--prompts", join(OUT, "prompt.jsonl"), "--max-new-tokens", "128", "--vector", join(OUT, "v.safetensors"), "--alpha", "4", "--out", join(OUT, "g-text.jsonl")];
  // Same work on both sides: the prompt's ids, and 127 decode steps after the prompt's (128 new tokens).
  const probe = timedRun(completion, llamaArgs).stderr;
  const llamaIds = [...probe.matchAll(/^\S*\s*I?\s+(\d+) -> '/gm)].map((m) => Number(m[1]));
  const runs = /eval time =.*\/\s+(\d+) runs/.exec(probe)?.[1];
  console.log(`\nprompt ${JSON.stringify(PROMPT)}: llama.cpp ids [${llamaIds.join(", ")}], steersynth ids [${encodePrompts(model, [PROMPT], { chat: false })[0].join(", ")}]; llama.cpp decode runs after the prompt: ${runs}`);
  const [ll, st] = walls([[completion, llamaArgs], [process.execPath, ours]]);
  console.log("| batch-1 steered generation, 128 new tokens, whole process | llama-completion (s) | steersynth (s) | steersynth / llama.cpp |\n|---|---|---|---|");
  console.log(`| 31M Llama, f32, 2 threads | ${ll.toFixed(3)} | ${st.toFixed(3)} | ${(st / ll).toFixed(2)} |`);
}
