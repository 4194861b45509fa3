import { join, resolve } from "node:path";
import { analyzeResults, formatAnalysis, loadStudyConfig, parseShard, shardIndices, unitId, assembleResults, summarize, writeResults, writeShard, runUnits, StudyRunner } from "../../study/index";
import { fingerprint, dataPath, repoRoot, writeJsonAtomic } from "../../util/index";
import { formatJudgesTable, writeJudgesCsv, type JudgeValidation } from "../../metrics/index";
import { matmulGflops } from "../../engine/index";
import { exportFigures, reliabilityDiagram } from "../../plot/index";
import { parseArgs, usage } from "../args";
import { SUMMARIES } from "../summaries";

const summary = SUMMARIES["study"];

const OPTIONS = {
  config: { type: "string", description: "study config JSON (default data/studies/default.json)" },
  out: { type: "string", description: "results root (default results/); the study writes results/<name>/" },
  shard: { type: "string", description: "run shard i of n (0-based, e.g. 0/4); default: SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX/STEERSYNTH_SHARDS, else all" },
  list: { type: "boolean", description: "print the work units (with their shard under --shard) and exit" },
  help: { type: "boolean", description: "show this help" },
} as const;

/** judges.csv, judges.json (reliability bins, misjudged examples) and the reliability diagram; returns the table. */
async function writeJudgeValidation(dir: string, v: JudgeValidation): Promise<string> {
  writeJudgesCsv(join(dir, "judges.csv"), v.rows);
  writeJsonAtomic(join(dir, "judges.json"), v);
  await exportFigures([{ name: "judges-reliability", fig: reliabilityDiagram(v.rows, v.reliability) }], dir, { formats: ["html"] });
  const failing = v.rows.filter((r) => !r.passes);
  return `judge validation (${join(dir, "judges.csv")}):\n${formatJudgesTable(v.rows)}\n` +
    (failing.length ? `WARNING: ${failing.length} of ${v.rows.length} judge validations are below target; their scores are used but flagged.` : "all judges meet their targets");
}

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
    const mine = shardIndices(units.length, shard);
    if (args.list) {
      for (const k of mine) console.log(`${String(k).padStart(4)}  ${unitId(units[k])}`);
      return 0;
    }
    // The machine's speed beside the stage times, so a run's time can be compared with another day's (engine/speed-probe).
    const speedBefore = await matmulGflops();
    // Judges first: their validation is printed at the top of the summary and written as judges.csv.
    const judges = !shard || shard.index === 0 ? await writeJudgeValidation(dir, await runner.validateJudges()) : null;
    console.error(`study ${cfg.name}: ${mine.length} of ${units.length} units${shard ? ` (shard ${shard.index}/${shard.count})` : ""} → ${dir}`);
    const rows = await runUnits(runner, mine.map((k) => units[k]));
    const { computed, reused } = runner.store.counts;
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.error(`rows: ${computed.row ?? 0} computed, ${reused.row ?? 0} reused (${seconds} s)`);
    const stages = Object.entries(runner.seconds).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(", ");
    if (stages) console.error(`time by stage: ${stages}`);
    console.error(`machine speed: onnxruntime fp32 matmul ${speedBefore.toFixed(1)} GFLOP/s at the start, ${(await matmulGflops()).toFixed(1)} at the end (lib/engine/speed-probe.ts)`);
    if (shard) {
      const { file: _file, ...plan } = cfg;
      writeShard(dir, {
        format: "steersynth.study-shard/1", study: cfg.name, plan: fingerprint({ plan, units }), shard, totalUnits: units.length,
        units: mine.map((k, j) => ({ index: k, id: unitId(units[k]), rows: rows[j] })),
      });
      console.log(`shard ${shard.index}/${shard.count} done in ${seconds} s; when all shards are done: steersynth merge --dir ${dir}`);
      return 0;
    }
    const results = assembleResults(rows.flat());
    writeResults(dir, results);
    const analysis = analyzeResults(results, { seed: cfg.seed });
    writeJsonAtomic(join(dir, "analysis.json"), analysis);
    console.log(`\n${judges}\n\n${summarize(results)}\n\n${formatAnalysis(analysis)}\n\nresults: ${join(dir, "results.csv")} (${results.length} rows), ${join(dir, "analysis.json")} (${seconds} s)`);
    return 0;
  } finally {
    await runner.dispose();
  }
}
