// Dev diagnostic (issue 17): how much of a checkpoint's cached weight file a process keeps resident after greedy
// generation, from /proc/self/smaps, with the process's anonymous / file-backed split and peak RSS. Linux only.
// Usage: tsx scripts/dev/resident-pages.ts CHECKPOINT_DIR CACHE_DIR [BATCH=1] [PROMPT_TOKENS=32] [NEW_TOKENS=128] [--no-prepack]
// Prompts are seeded random token ids (no tokenizer needed, as with the scale bench's checkpoints).
import { readFileSync } from "node:fs";
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine } from "../../lib/engine/index";
import { setProgressMode } from "../../lib/util/index";
import { createRng } from "../../lib/util/rng";

setProgressMode("off");
const args = process.argv.slice(2).filter((a) => a !== "--no-prepack");
const [dir, cacheDir] = args;
const [batch, promptTokens, newTokens] = [args[2] ?? "1", args[3] ?? "32", args[4] ?? "128"].map(Number);
if (!dir || !cacheDir) throw new Error("usage: tsx scripts/dev/resident-pages.ts CHECKPOINT_DIR CACHE_DIR [BATCH] [PROMPT_TOKENS] [NEW_TOKENS] [--no-prepack]");

const model = await loadModel(dir);
const engine = await createEngine(model, { cacheDir, prepack: !process.argv.includes("--no-prepack") });
const rng = createRng(1);
const prompts = Array.from({ length: batch }, () => Array.from({ length: promptTokens }, () => 3 + rng.int(model.spec.vocabSize - 3)));
await engine.generate(prompts, { maxNewTokens: newTokens, eosTokenIds: [] });

// smaps: a header line per mapping ("start-end perms offset dev inode path"), then "Rss: N kB" among its fields.
let path = "";
const weightsKb = new Map<string, number>();
for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
  const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
  if (header) { path = header[1]; continue; }
  const rss = /^Rss:\s+(\d+) kB/.exec(line);
  if (rss && path.endsWith(".weights")) weightsKb.set(path, (weightsKb.get(path) ?? 0) + Number(rss[1]));
}
const status = readFileSync("/proc/self/status", "utf8");
const gb = (kb: number) => (kb / 1e6).toFixed(2);
const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]);
await engine.dispose();
for (const [file, kb] of weightsKb) console.log(`resident pages of ${file}: ${gb(kb)} GB`);
console.log(`RssAnon ${gb(field("RssAnon"))} GB, RssFile ${gb(field("RssFile"))} GB, peak RSS ${gb(process.resourceUsage().maxRSS)} GB`);
