import { join, resolve } from "node:path";
import { loadStudyConfig } from "../../study/config";
import { parseShard, shardOf } from "../../study/grid";
import { assembleResults, summarize, writeResults, writeShard } from "../../study/results";
import { runUnits, StudyRunner } from "../../study/runner";
import { dataPath, repoRoot } from "../../util/paths";
import { parseArgs, usage } from "../args";

export const summary = "run the study grid (resumable; --shard i/n or Slurm array variables split it)";

const OPTIONS = {
  config: { type: "string", description: "study config JSON (default data/studies/default.json)" },
  out: { type: "string", description: "results root (default results/); the study writes results/<name>/" },
  shard: { type: "string", description: "run shard i of n (0-based, e.g. 0/4); default: SLURM_ARRAY_TASK_ID/COUNT, else all" },
  help: { type: "boolean", description: "show this help" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs("study", argv, OPTIONS);
  if (args.help) { console.log(usage("study", summary, OPTIONS)); return 0; }
  const cfg = loadStudyConfig(resolve(String(args.config ?? dataPath("studies", "default.json"))));
  const dir = join(resolve(String(args.out ?? join(repoRoot(), "results"))), cfg.name);
  const shard = parseShard(args.shard as string | undefined);
  const runner = new StudyRunner(cfg, dir);
  const started = Date.now();
  try {
    const units = await runner.units();
    const mine = shard ? shardOf(units, shard) : units;
    console.error(`study ${cfg.name}: ${mine.length} of ${units.length} units${shard ? ` (shard ${shard.index}/${shard.count})` : ""} → ${dir}`);
    const rows = await runUnits(runner, mine);
    if (shard) {
      writeShard(dir, shard.index, shard.count, rows);
      console.log(`shard ${shard.index}/${shard.count} done in ${((Date.now() - started) / 1000).toFixed(0)} s; merge with: steersynth merge --dir ${dir}`);
      return 0;
    }
    const results = assembleResults(rows);
    writeResults(dir, results);
    console.log(`\n${summarize(results)}\n\nresults: ${join(dir, "results.csv")} (${results.length} rows, ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    return 0;
  } finally {
    await runner.dispose();
  }
}

