import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as aq from "arquero";
import { pairedSignFlipTest } from "../metrics/index";
import { writeFileAtomic, writeJsonAtomic } from "../util/index";
import { RESULT_COLUMNS } from "./columns";
import { configurationLabel, isBaselineMethod } from "./grid";
import { resultsParquet } from "./parquet";
import type { UnitRow } from "./stages/row";

/**
 * The results table: one row per configuration plus, per concept and model, the baselines (method
 * "real", "prompting" and "unsteered", layer and strength empty; lib/study/grid BASELINES), in the study's enumeration order (lib/study/grid).
 * Columns and their types: lib/study/columns (the contract columns are never renamed, more may follow).
 * beats_prompting: the configuration's mean AUROC over detector seeds exceeds the prompting baseline's for the
 * same concept and model (empty for baselines). delta_vs_prompting is that difference and p_vs_prompting a
 * two-sided paired sign-flip test across seeds (exact; with 3 seeds its smallest possible value is 0.25, so
 * read it as a descriptive number).
 */
export interface ResultRow extends Omit<UnitRow, "aurocs" | "examples" | "set_metrics"> {
  beats_prompting: boolean | null;
  delta_vs_prompting: number | null;
  p_vs_prompting: number | null;
  /** Per-seed AUROCs joined by ";". */
  aurocs: string;
  /** JSON array of up to three example responses. */
  examples: string;
}

/** Add the cross-row columns; rows keep their order (the enumeration order). */
export function assembleResults(rows: readonly UnitRow[]): ResultRow[] {
  const key = (r: { concept: string; model: string }) => `${r.concept}\u0000${r.model}`;
  const prompting = new Map(rows.filter((r) => r.method === "prompting").map((r) => [key(r), r]));
  const seen = new Set<string>();
  return rows.map((r) => {
    const id = [r.concept, r.model, r.method, r.layer, r.strength].join("/");
    if (seen.has(id)) throw new Error(`results: configuration ${id} appears twice`);
    seen.add(id);
    const base = !isBaselineMethod(r.method) ? prompting.get(key(r)) : undefined;
    const comparable = base !== undefined && r.auroc !== null && base.auroc !== null;
    if (comparable && base.aurocs.length !== r.aurocs.length)
      throw new Error(`results: ${id} has ${r.aurocs.length} detector seeds but its prompting baseline has ${base.aurocs.length}`);
    const { aurocs, examples, set_metrics: _set, ...rest } = r;
    return {
      ...rest,
      beats_prompting: comparable ? r.auroc! > base.auroc! : null,
      delta_vs_prompting: comparable ? r.auroc! - base.auroc! : null,
      p_vs_prompting: comparable ? pairedSignFlipTest(r.aurocs, base.aurocs, { seed: 0 }).pValue : null,
      aurocs: aurocs.join(";"),
      examples: JSON.stringify(examples),
    };
  });
}

/** The results as an arquero table (columns in contract order, then the extras). */
export const resultsTable = (rows: readonly ResultRow[]) =>
  aq.from(rows.map((r) => r as unknown as Record<string, unknown>)).select([...RESULT_COLUMNS]);

/**
 * Write results.csv, results.arrow (Arrow IPC: pandas.read_feather, polars.read_ipc, arquero fromArrow) and
 * results.parquet (pandas, polars, DuckDB, Spark), each atomically. Read any of them with loadResults (./table).
 */
export function writeResults(dir: string, rows: readonly ResultRow[]): void {
  if (rows.length === 0) throw new Error(`${dir}: no result rows to write`);
  const t = resultsTable(rows);
  writeFileAtomic(join(dir, "results.csv"), t.toCSV());
  writeFileAtomic(join(dir, "results.arrow"), t.toArrowIPC());
  writeFileAtomic(join(dir, "results.parquet"), resultsParquet(t.objects()));
}

/**
 * A shard's output: results/<name>/shards/<i>-of-<n>.json with the rows of each unit it ran, under the unit's
 * index in the full enumeration, and the fingerprint of the config and of the unit list, so merge can refuse
 * shards of different studies.
 */
export interface ShardFile {
  format: "steersynth.study-shard/1";
  study: string;
  /** Fingerprint of the study config and of its enumerated units. */
  plan: string;
  shard: { index: number; count: number };
  totalUnits: number;
  units: { index: number; id: string; rows: UnitRow[] }[];
}

export const shardFile = (dir: string, index: number, count: number): string => join(dir, "shards", `${index}-of-${count}.json`);

export const writeShard = (dir: string, shard: ShardFile): void => writeJsonAtomic(shardFile(dir, shard.shard.index, shard.shard.count), shard);

/** Read one shard file, checking the fields merge relies on; errors name the file and the field. */
export function readShard(file: string): ShardFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const fail = (field: string, expected: string): never => { throw new Error(`${file}: ${field} must be ${expected}`); };
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  const isInt = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  if (!isObj(json)) return fail("(root)", "an object");
  if (json.format !== "steersynth.study-shard/1") fail("format", `"steersynth.study-shard/1" (not a study shard file; got ${JSON.stringify(json.format)})`);
  if (typeof json.study !== "string") fail("study", "a string");
  if (typeof json.plan !== "string") fail("plan", "a string");
  const shard = json.shard;
  if (!isObj(shard) || !isInt(shard.count, 1) || !isInt(shard.index, 0) || (shard.index as number) >= (shard.count as number))
    fail("shard", "{index, count} with integers 0 ≤ index < count");
  if (!isInt(json.totalUnits, 0)) fail("totalUnits", "an integer ≥ 0");
  if (!Array.isArray(json.units)) fail("units", "a list");
  (json.units as unknown[]).forEach((u, k) => {
    if (!isObj(u) || !isInt(u.index, 0) || typeof u.id !== "string" || !Array.isArray(u.rows)) return fail(`units[${k}]`, "{index, id, rows: [...]}");
    (u.rows as unknown[]).forEach((r, j) => {
      const where = `units[${k}].rows[${j}]`;
      if (!isObj(r)) return fail(where, "an object");
      for (const c of ["concept", "model", "method"]) if (typeof r[c] !== "string") fail(`${where}.${c}`, "a string");
      if (!Array.isArray(r.aurocs) || r.aurocs.some((x) => typeof x !== "number")) fail(`${where}.aurocs`, "a list of numbers");
      if (!Array.isArray(r.examples)) fail(`${where}.examples`, "a list");
    });
  });
  return json as unknown as ShardFile;
}

/** Merge shard files into results.csv/.arrow/.parquet. Every shard of one split of one plan must be present. */
export function mergeShards(dir: string): ResultRow[] {
  const shardDir = join(dir, "shards");
  const names = existsSync(shardDir) ? readdirSync(shardDir).filter((f) => /^\d+-of-\d+\.json$/.test(f)) : [];
  if (names.length === 0) throw new Error(`${shardDir}: no shard results to merge (run \`steersynth study --shard i/n\` first)`);
  const shards = names.map((f) => ({ f, s: readShard(join(shardDir, f)) }));
  const counts = new Set(shards.map((x) => x.s.shard.count));
  if (counts.size !== 1) throw new Error(`${shardDir}: shard files from different splits (${[...counts].join(", ")} shards); remove the stale ones`);
  const plans = new Set(shards.map((x) => x.s.plan));
  if (plans.size !== 1) throw new Error(`${shardDir}: shard files from different study configs (${shards.map((x) => `${x.f}: ${x.s.plan}`).join(", ")}); remove the stale ones`);
  const n = [...counts][0];
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !shards.some((x) => x.s.shard.index === i));
  if (missing.length) throw new Error(`${shardDir}: shards ${missing.join(", ")} of ${n} have not finished`);
  const units = shards.flatMap((x) => x.s.units).sort((a, b) => a.index - b.index);
  const total = shards[0].s.totalUnits;
  if (units.length !== total || units.some((u, k) => u.index !== k))
    throw new Error(`${shardDir}: the shards hold ${units.length} units, expected each of the ${total} exactly once`);
  const results = assembleResults(units.flatMap((u) => u.rows));
  writeResults(dir, results);
  return results;
}

const fmt = (x: number | null, digits = 3): string => (x === null ? "–" : x.toFixed(digits));

/**
 * The printed summary: per concept and model the reference AUROCs (real data, prompting, unsteered) and the best
 * steered configuration; configurations beating prompting. The correlations, with their CIs, are
 * lib/study/analysis's (formatAnalysis).
 */
export function summarize(rows: readonly ResultRow[]): string {
  const lines: string[] = [];
  // Steered configurations with a detector (rows without one say why in detector_note).
  const steered = rows.filter((r) => !isBaselineMethod(r.method) && r.auroc !== null);
  const pairs = [...new Map(rows.map((r) => [`${r.concept}\u0000${r.model}`, { concept: r.concept, model: r.model }])).values()];
  const concepts = [...new Set(rows.map((r) => r.concept))];
  const ci = (r: ResultRow | undefined) => (r ? `${fmt(r.auroc)} [${fmt(r.auroc_ci_low)}, ${fmt(r.auroc_ci_high)}]` : "–");
  lines.push("Detector AUROC on real test data (mean over seeds [95% CI]):");
  lines.push(`  ${"concept".padEnd(14)}${"model".padEnd(14)}${"real".padEnd(24)}${"prompting".padEnd(24)}${"unsteered".padEnd(24)}${"best steered".padEnd(24)}configuration        success  beats`);
  for (const { concept, model } of pairs) {
    const of = (m: string) => rows.find((r) => r.concept === concept && r.model === model && r.method === m);
    const mine = steered.filter((r) => r.concept === concept && r.model === model);
    const best = mine.reduce<ResultRow | undefined>((b, r) => (!b || r.auroc! > b.auroc! ? r : b), undefined);
    lines.push(`  ${concept.padEnd(14)}${model.padEnd(14)}${ci(of("real")).padEnd(24)}${ci(of("prompting")).padEnd(24)}${ci(of("unsteered")).padEnd(24)}${ci(best).padEnd(24)}` +
      `${(best ? configurationLabel(best) : "–").padEnd(21)}${fmt(best?.success ?? null, 2).padStart(7)}  ${mine.filter((r) => r.beats_prompting).length}/${mine.length}`);
  }
  lines.push("", "Configurations beating the prompting baseline (mean AUROC over detector seeds):");
  for (const c of concepts) {
    const rs = steered.filter((r) => r.concept === c);
    lines.push(`  ${c.padEnd(14)} ${rs.filter((r) => r.beats_prompting).length}/${rs.length}`);
  }
  lines.push(`  ${"overall".padEnd(14)} ${steered.filter((r) => r.beats_prompting).length}/${steered.length}`);
  return lines.join("\n");
}
