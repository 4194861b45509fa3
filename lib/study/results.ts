import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as aq from "arquero";
import { pairedSignFlipTest, spearman } from "../metrics/stats";
import { writeFileAtomic, writeJsonlAtomic } from "../util/atomic";
import type { UnitRow } from "./runner";

/**
 * The results table: one row per configuration plus, per concept and model, the baselines (method
 * "prompting" and "real", strength empty). Contract columns of results.csv (never renamed, more may follow):
 *   concept, model, method, layer, strength, success, coherence, diversity_sample, diversity_set, hm_scd, hm_sc,
 *   auroc, auroc_ci_low, auroc_ci_high, beats_prompting
 * beats_prompting: the configuration's mean AUROC over detector seeds exceeds the prompting baseline's for
 * the same concept and model. delta_vs_prompting is that difference and p_vs_prompting a paired sign-flip
 * test across seeds (with 3 seeds its smallest possible value is 0.25: read it as a descriptive number).
 */
export interface ResultRow extends Omit<UnitRow, "aurocs" | "examples" | "set_metrics"> {
  beats_prompting: boolean | null;
  delta_vs_prompting: number | null;
  p_vs_prompting: number | null;
  aurocs: string;
  examples: string;
}

export const CONTRACT_COLUMNS = [
  "concept", "model", "method", "layer", "strength", "success", "coherence", "diversity_sample", "diversity_set",
  "hm_scd", "hm_sc", "auroc", "auroc_ci_low", "auroc_ci_high", "beats_prompting",
] as const;
const EXTRA_COLUMNS = ["delta_vs_prompting", "p_vs_prompting", "aurocs", "n_train", "n_test", "empty_responses", "examples"] as const;

/** Add the cross-row columns and sort rows: concept, model, baselines first, then method, layer, strength. */
export function assembleResults(rows: readonly UnitRow[]): ResultRow[] {
  const prompting = new Map(rows.filter((r) => r.method === "prompting").map((r) => [`${r.concept}\u0000${r.model}`, r]));
  const order = (r: { method: string }) => (r.method === "real" ? 0 : r.method === "prompting" ? 1 : 2);
  const seen = new Set<string>();
  const out: ResultRow[] = [];
  for (const r of rows) {
    const id = [r.concept, r.model, r.method, r.layer, r.strength].join("\u0000");
    if (seen.has(id)) throw new Error(`results: configuration ${id.replaceAll("\u0000", "/")} appears twice`);
    seen.add(id);
    const base = prompting.get(`${r.concept}\u0000${r.model}`);
    const steered = r.method !== "prompting" && r.method !== "real";
    const test = steered && base ? pairedSignFlipTest(r.aurocs, base.aurocs, { seed: 0 }) : null;
    const { aurocs, examples, set_metrics: _set, ...rest } = r;
    out.push({
      ...rest,
      beats_prompting: steered && base ? r.auroc > base.auroc : null,
      delta_vs_prompting: steered && base ? r.auroc - base.auroc : null,
      p_vs_prompting: test ? test.pValue : null,
      aurocs: aurocs.map((x) => x.toFixed(6)).join(";"),
      examples: JSON.stringify(examples),
    });
  }
  return out.sort((a, b) =>
    a.concept.localeCompare(b.concept) || a.model.localeCompare(b.model) || order(a) - order(b) ||
    a.method.localeCompare(b.method) || (a.layer ?? -1) - (b.layer ?? -1) || (a.strength ?? 0) - (b.strength ?? 0));
}

/** The results as an arquero table (columns in contract order, then the extras). */
export const resultsTable = (rows: readonly ResultRow[]) =>
  aq.from(rows.map((r) => r as unknown as Record<string, unknown>)).select([...CONTRACT_COLUMNS, ...EXTRA_COLUMNS]);

/** Write results.csv and results.arrow (Arrow IPC, readable by pandas/polars/duckdb) atomically. */
export function writeResults(dir: string, rows: readonly ResultRow[]): void {
  const t = resultsTable(rows);
  writeFileAtomic(join(dir, "results.csv"), t.toCSV());
  writeFileAtomic(join(dir, "results.arrow"), t.toArrowIPC());
}

/** Load results.csv as an arquero table (empty cells of layer/strength/beats_prompting parse as null). */
export function loadResults(dir: string) {
  const file = join(dir, "results.csv");
  if (!existsSync(file)) throw new Error(`${file}: no results yet (run \`npm run study\` or \`steersynth merge\`)`);
  return aq.fromCSV(readFileSync(file, "utf8"));
}

/** Shard files: results/<name>/shards/<i>-of-<n>.jsonl, each holding that shard's unit rows. */
export const shardFile = (dir: string, index: number, count: number): string => join(dir, "shards", `${index}-of-${count}.jsonl`);

export function writeShard(dir: string, index: number, count: number, rows: readonly UnitRow[]): void {
  writeJsonlAtomic(shardFile(dir, index, count), rows);
}

/** Merge shard files into results.csv/.arrow. Every shard of the split must be present. */
export function mergeShards(dir: string): ResultRow[] {
  const shardDir = join(dir, "shards");
  if (!existsSync(shardDir)) throw new Error(`${shardDir}: no shard results to merge`);
  const files = readdirSync(shardDir).filter((f) => /^\d+-of-\d+\.jsonl$/.test(f));
  const counts = new Set(files.map((f) => Number(/-of-(\d+)/.exec(f)![1])));
  if (counts.size !== 1) throw new Error(`${shardDir}: shard files from different splits (${[...counts].join(", ")} shards); remove the stale ones`);
  const n = [...counts][0];
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !files.includes(`${i}-of-${n}.jsonl`));
  if (missing.length) throw new Error(`${shardDir}: shards ${missing.join(", ")} of ${n} have not finished`);
  const rows = files.sort().flatMap((f) =>
    readFileSync(join(shardDir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as UnitRow));
  const results = assembleResults(rows);
  writeResults(dir, results);
  return results;
}

/** The printed summary: configurations beating prompting per concept, and each axis's rank correlation with AUROC. */
export function summarize(rows: readonly ResultRow[]): string {
  const lines: string[] = [];
  const steered = rows.filter((r) => r.beats_prompting !== null);
  const concepts = [...new Set(rows.map((r) => r.concept))];
  lines.push("Configurations beating the prompting baseline (mean AUROC over detector seeds):");
  for (const c of concepts) {
    const rs = steered.filter((r) => r.concept === c);
    lines.push(`  ${c.padEnd(14)} ${rs.filter((r) => r.beats_prompting).length}/${rs.length}`);
  }
  lines.push(`  ${"overall".padEnd(14)} ${steered.filter((r) => r.beats_prompting).length}/${steered.length}`);
  lines.push("", "Spearman ρ of each intrinsic score with AUROC, per concept (steered configurations):");
  const axes = ["success", "coherence", "diversity_sample", "diversity_set", "hm_scd", "hm_sc"] as const;
  lines.push(`  ${"concept".padEnd(14)} ${axes.map((a) => a.padStart(16)).join("")}`);
  for (const c of concepts) {
    const rs = steered.filter((r) => r.concept === c);
    const cells = axes.map((a) => {
      try {
        return spearman(rs.map((r) => r[a]), rs.map((r) => r.auroc)).toFixed(3).padStart(16);
      } catch {
        return "n/a".padStart(16); // constant column or too few rows: the correlation is undefined
      }
    });
    lines.push(`  ${c.padEnd(14)} ${cells.join("")}`);
  }
  return lines.join("\n");
}
