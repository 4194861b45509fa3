import { METHODS } from "../steering/index";
import { isBaselineMethod, type Baseline } from "../study/index";

/**
 * The study's results table as the figure builders read it: one row per steering configuration
 * (concept × model × method × layer × strength), plus baseline rows (method "real", "prompting" or "unsteered",
 * no layer or strength; lib/study BASELINES) that carry the same scores for real, prompted and unsteered data. Structural: rows from lib/study fit as they are.
 */
export interface ResultRow {
  concept: string;
  model: string;
  method: string;
  layer: number | null;
  strength: number | null;
  success: number | null;
  /** Share of responses the success judge calls violating (absent in results written before it existed). */
  violation_rate?: number | null;
  coherence: number | null;
  diversity_sample: number | null;
  diversity_set: number | null;
  hm_scd: number | null;
  hm_sc: number | null;
  auroc: number | null;
  auroc_ci_low: number | null;
  auroc_ci_high: number | null;
  beats_prompting: boolean | null;
}

/** The intrinsic scores (each in [0, 1], higher = better). */
export const INTRINSIC_METRICS = ["success", "coherence", "diversity_sample", "diversity_set", "hm_scd", "hm_sc"] as const;
export type IntrinsicMetric = (typeof INTRINSIC_METRICS)[number];

export const METRIC_LABELS: Record<IntrinsicMetric | "auroc", string> = {
  success: "steering success",
  coherence: "coherence",
  diversity_sample: "sample diversity",
  diversity_set: "set diversity",
  hm_scd: "HM(success, coherence, diversity)",
  hm_sc: "HM(success, coherence)",
  auroc: "detector AUROC",
};

export { BASELINES, type Baseline } from "../study/index";
export const isBaseline = (r: ResultRow): boolean => isBaselineMethod(r.method);
export const steeredRows = (rows: readonly ResultRow[]): ResultRow[] => rows.filter((r) => !isBaseline(r));

/** The baseline row for (concept, model), or undefined when the table has none. */
export const baselineOf = (rows: readonly ResultRow[], baseline: Baseline, concept: string, model: string): ResultRow | undefined =>
  rows.find((r) => r.method === baseline && r.concept === concept && r.model === model);

/** Distinct values in first-seen order (the table's own order is the study config's order). */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

const METHOD_ORDER = METHODS.map((d) => d.name);
/** Methods present, in the registry's order (lib/steering/methods), unknown ones after. */
export const methodsOf = (rows: readonly ResultRow[]): string[] =>
  distinct(steeredRows(rows).map((r) => r.method)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const rank = (m: string): number => (METHOD_ORDER.includes(m) ? METHOD_ORDER.indexOf(m) : METHOD_ORDER.length);

// A method's colour is its descriptor's, the same in every figure; methods without one take a colour of the
// second half of plotly's default palette, derived from the name.
const PALETTE = ["#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const FIXED_COLORS: Record<string, string> = {
  ...Object.fromEntries(METHODS.flatMap((d) => (d.color ? [[d.name, d.color]] : []))),
  prompting: "#555555", real: "#000000", unsteered: "#999999",
};
export function methodColor(method: string): string {
  if (FIXED_COLORS[method]) return FIXED_COLORS[method];
  let h = 0;
  for (const ch of method) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % 5];
}

/** Check that the rows have the columns the builders read; the message names the row and column. */
export function assertResultRows(rows: readonly unknown[], what = "results"): asserts rows is ResultRow[] {
  const strings = ["concept", "model", "method"] as const;
  const numbers = ["layer", "strength", ...INTRINSIC_METRICS, "auroc", "auroc_ci_low", "auroc_ci_high"] as const;
  rows.forEach((row, i) => {
    if (!row || typeof row !== "object") throw new Error(`${what}[${i}]: expected a row object`);
    const r = row as Record<string, unknown>;
    for (const k of strings) if (typeof r[k] !== "string" || r[k] === "") throw new Error(`${what}[${i}].${k}: expected a non-empty string, got ${JSON.stringify(r[k])}`);
    for (const k of numbers) if (r[k] !== null && typeof r[k] !== "number") throw new Error(`${what}[${i}].${k}: expected a number or null, got ${JSON.stringify(r[k])}`);
    if (r.beats_prompting !== null && typeof r.beats_prompting !== "boolean") throw new Error(`${what}[${i}].beats_prompting: expected a boolean or null`);
    if (!isBaselineMethod(String(r.method)) && (r.strength === null || r.layer === null)) throw new Error(`${what}[${i}]: steered row (method ${String(r.method)}) needs layer and strength`);
  });
}
