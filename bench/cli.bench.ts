import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel, writeSafetensors } from "../lib/checkpoint/index";
import { main } from "../lib/cli/main";
import { repoRoot } from "../lib/util/paths";
import { setProgressMode } from "../lib/util/progress";
import { createRng } from "../lib/util/rng";

/**
 * CLI cold start, whole processes: each command run through the prebuilt bundle (bin/steersynth.mjs with a fresh
 * dist/cli) and through the TypeScript sources under tsx (what bin/ falls back to when the bundle is stale), with
 * `node -e 0` as the floor. Commands: --help, inspect, and a batch-1 steered greedy generate of 128 tokens on a
 * random ~31M-parameter Llama (8 layers, hidden 512, vocab 8000; written once under .cache/bench/), graph cache warm.
 * Median of 5 runs after one warm-up each. Needs `npm run build` first (it says so otherwise).
 */
const ROOT = repoRoot();
const MODEL = join(ROOT, ".cache", "bench", "llama-31m");
const OUT = join(ROOT, ".cache", "bench", "cli-out");

function wall(cmd: string[], reps = 5): number {
  const once = () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, cmd, { cwd: ROOT, encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" } });
    if (r.status !== 0) throw new Error(`bench cli: ${cmd.join(" ")} exited ${r.status}: ${r.stderr.slice(-500)}`);
    if (cmd[0].endsWith("steersynth.mjs") && r.stderr.includes("through tsx")) throw new Error(`bench cli: the bundle is stale (${r.stderr.trim()}); run npm run build`);
    return (performance.now() - t0) / 1000;
  };
  once();
  const ts = Array.from({ length: reps }, once).sort((a, b) => a - b);
  return ts[Math.floor(reps / 2)];
}

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
}
