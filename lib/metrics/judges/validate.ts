import { expectedCalibrationError, reliabilityBins, type ReliabilityBin } from "../calibration";
import { corrupt, CORRUPTIONS, type Corruption } from "../corruptions";
import { auroc, bootstrap } from "../stats";
import { mean } from "../../math/index";
import { writeFileAtomic } from "../../util/index";
import type { Judge, JudgeItem } from "./types";

/**
 * Validation of a judge against labelled data, before its numbers are used:
 * - success judges on a held-out labelled set (label 1 = violating): AUROC with a percentile-bootstrap CI, the
 *   expected calibration error of its scores read as P(violating) (10 equal-width bins), the reliability bins;
 * - coherence judges on real responses (label 1) against corrupted versions of the same responses (label 0, one
 *   set per corruption of lib/metrics/corruptions): the same numbers per corruption; and, given real violating
 *   responses, those (label 1) against the real compliant ones (label 0): a judge that scores the concept itself
 *   as incoherence ranks violations low here (target NEUTRALITY_TARGET).
 * A row that misses its target carries passes = false and the reason; callers print and store it (never drop it).
 */
export interface Target { auroc: number; ece: number | null }
/** Targets of issue 16: success AUROC ≥ 0.97 and ECE ≤ 0.05; coherence AUROC ≥ 0.95 per corruption. */
export const SUCCESS_TARGET: Target = { auroc: 0.97, ece: 0.05 };
export const COHERENCE_TARGET: Target = { auroc: 0.95, ece: null };
/**
 * Real violating vs real compliant responses under a coherence judge: AUROC ≥ 0.35, i.e. a real violation scores
 * at least as coherent as a real compliant reply in at least 35 % of pairs (½ is neutral). A judge below it reads
 * the concept as incoherence; with one compliant reference for every text the judge scored 0.05-0.43 on the
 * default models (lib/metrics/README.md, "Coherence").
 */
export const NEUTRALITY_TARGET: Target = { auroc: 0.35, ece: null };

export interface JudgeValidationRow {
  concept: string;
  model: string;
  axis: "success" | "coherence";
  judge: string;
  /** What was separated: "detector_test" (success) or "real vs <corruption>" (coherence). */
  set: string;
  n: number;
  n_positive: number;
  auroc: number;
  auroc_ci_low: number;
  auroc_ci_high: number;
  ece: number;
  /** Mean score of the positives and of the negatives. */
  mean_positive: number;
  mean_negative: number;
  target_auroc: number;
  target_ece: number | null;
  passes: boolean;
  /** Why the row fails its target ("" when it passes). */
  reason: string;
}

export interface LabelledScore { item: JudgeItem; label: 0 | 1; score: number; note?: string }

export interface JudgeValidation {
  rows: JudgeValidationRow[];
  /** Per row (same order), its reliability bins (the diagram's data). */
  reliability: ReliabilityBin[][];
  /** Per row, the worst-judged examples: positives with the lowest scores and negatives with the highest. */
  misjudged: LabelledScore[][];
}

export interface ValidationOptions { seed: number; bootstrapIterations?: number; misjudged?: number }


/** The statistics of one labelled score set against a target. */
export function validationRow(
  where: Pick<JudgeValidationRow, "concept" | "model" | "axis" | "judge" | "set">, scored: readonly LabelledScore[], target: Target, opts: ValidationOptions,
): { row: JudgeValidationRow; reliability: ReliabilityBin[]; misjudged: LabelledScore[] } {
  const labels = scored.map((s) => s.label), scores = scored.map((s) => s.score);
  const pairs = scored.map((s) => [s.label, s.score] as const);
  const stat = (sample: (readonly [0 | 1, number])[]): number => {
    const pos = sample.some((p) => p[0] === 1), neg = sample.some((p) => p[0] === 0);
    return pos && neg ? auroc(sample.map((p) => p[0]), sample.map((p) => p[1])) : NaN;
  };
  // Resamples are stratified in effect: a resample missing a class (possible only for tiny sets) gives NaN and
  // is an error rather than a silently narrower interval.
  const ci = bootstrap(pairs, stat, { seed: opts.seed, iterations: opts.bootstrapIterations ?? 1000 });
  if (!Number.isFinite(ci.low)) throw new Error(`judge validation ${where.judge} on ${where.set}: too few items of one class for a bootstrap CI`);
  const ece = expectedCalibrationError(labels, scores);
  const failures: string[] = [];
  if (!(ci.estimate >= target.auroc)) failures.push(`AUROC ${ci.estimate.toFixed(3)} < ${target.auroc}`);
  if (target.ece !== null && !(ece <= target.ece)) failures.push(`ECE ${ece.toFixed(3)} > ${target.ece}`);
  const k = opts.misjudged ?? 3;
  const byScore = scored.slice().sort((a, b) => a.score - b.score);
  const misjudged = [...byScore.filter((s) => s.label === 1).slice(0, k), ...byScore.filter((s) => s.label === 0).slice(-k).reverse()];
  return {
    row: {
      ...where, n: scored.length, n_positive: labels.filter((l) => l === 1).length,
      auroc: ci.estimate, auroc_ci_low: ci.low, auroc_ci_high: ci.high, ece,
      mean_positive: mean(scored.filter((s) => s.label === 1).map((s) => s.score)),
      mean_negative: mean(scored.filter((s) => s.label === 0).map((s) => s.score)),
      target_auroc: target.auroc, target_ece: target.ece, passes: failures.length === 0, reason: failures.join("; "),
    },
    reliability: reliabilityBins(labels, scores),
    misjudged,
  };
}

const collect = (parts: ReturnType<typeof validationRow>[]): JudgeValidation => ({
  rows: parts.map((p) => p.row), reliability: parts.map((p) => p.reliability), misjudged: parts.map((p) => p.misjudged),
});

export interface Labelled extends JudgeItem { label: 0 | 1 }

/** A success judge on a held-out labelled set (label 1 = violating). */
export async function validateSuccessJudge(
  judge: Judge, items: readonly Labelled[], where: { concept: string; model: string; set: string }, opts: ValidationOptions, target = SUCCESS_TARGET,
): Promise<JudgeValidation> {
  const scores = await judge.score(items);
  const scored = items.map((it, i) => ({ item: { user: it.user, response: it.response }, label: it.label, score: scores[i] }));
  return collect([validationRow({ ...where, axis: "success", judge: judge.id }, scored, target, opts)]);
}

/** A real response for the coherence validation; `request`: what its prompt asks for (default: the user turn). */
export interface CoherenceItem extends JudgeItem { request?: string }

/**
 * A coherence judge on real responses (label 1, with their user turns) against each corruption of them
 * (label 0, same user turns); one row per corruption. The corrupted sets are seeded (opts.seed); a swap takes
 * the reply of another request (CoherenceItem.request), never another phrasing of the same one.
 */
export async function validateCoherenceJudge(
  judge: Judge, real: readonly CoherenceItem[], where: { concept: string; model: string }, opts: ValidationOptions,
  violating: readonly JudgeItem[] = [], corruptions: readonly Corruption[] = CORRUPTIONS, target = COHERENCE_TARGET,
): Promise<JudgeValidation> {
  const texts = real.map((r) => r.response);
  const requests = real.map((r, i) => r.request ?? r.user ?? `item ${i}`);
  const corrupted = corruptions.map((k) => corrupt(texts, k, opts.seed, requests));
  const items: JudgeItem[] = real.map(({ request: _, ...it }) => it);
  const all = [...items, ...corrupted.flatMap((c) => c.map((response, i) => ({ user: real[i].user, response }))), ...violating];
  const scores = await judge.score(all); // one call, so a judge batches everything
  const realScored = items.map((it, i) => ({ item: it, label: 1 as const, score: scores[i] }));
  const rows = corruptions.map((k, c) => {
    const offset = real.length * (c + 1);
    const neg = corrupted[c].map((response, i) => ({ item: { user: real[i].user, response }, label: 0 as const, score: scores[offset + i], note: k }));
    return validationRow({ ...where, axis: "coherence", judge: judge.id, set: `real vs ${k}` }, [...realScored, ...neg], target, opts);
  });
  if (violating.length) {
    const offset = real.length * (corruptions.length + 1);
    const pos = violating.map((it, i) => ({ item: it, label: 1 as const, score: scores[offset + i], note: "violating" }));
    const neg = realScored.map((s) => ({ ...s, label: 0 as const, note: "compliant" }));
    rows.push(validationRow({ ...where, axis: "coherence", judge: judge.id, set: "violating vs compliant" }, [...pos, ...neg], NEUTRALITY_TARGET, opts));
  }
  return collect(rows);
}

/** Concatenate validations (rows, bins and examples stay aligned). */
export const mergeValidations = (parts: readonly JudgeValidation[]): JudgeValidation => ({
  rows: parts.flatMap((p) => p.rows), reliability: parts.flatMap((p) => p.reliability), misjudged: parts.flatMap((p) => p.misjudged),
});

export const JUDGE_COLUMNS: readonly (keyof JudgeValidationRow)[] = [
  "concept", "model", "axis", "judge", "set", "n", "n_positive", "auroc", "auroc_ci_low", "auroc_ci_high", "ece",
  "mean_positive", "mean_negative", "target_auroc", "target_ece", "passes", "reason",
];

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : typeof v === "number" ? String(Number(v.toPrecision(6))) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** judges.csv: one line per validation row, columns JUDGE_COLUMNS; written to a temp file, then renamed. */
export function writeJudgesCsv(file: string, rows: readonly JudgeValidationRow[]): void {
  const text = [JUDGE_COLUMNS.join(","), ...rows.map((r) => JUDGE_COLUMNS.map((c) => csvCell(r[c])).join(","))].join("\n") + "\n";
  writeFileAtomic(file, text);
}

/** A fixed-width text table of the rows, failing rows marked, for CLI and study summaries. */
export function formatJudgesTable(rows: readonly JudgeValidationRow[]): string {
  const head = ["concept", "model", "axis", "judge", "set", "AUROC [95% CI]", "ECE", "status"];
  const body = rows.map((r) => [
    r.concept, r.model, r.axis, r.judge, r.set, `${r.auroc.toFixed(3)} [${r.auroc_ci_low.toFixed(3)}, ${r.auroc_ci_high.toFixed(3)}]`, r.ece.toFixed(3),
    r.passes ? "ok" : `BELOW TARGET: ${r.reason}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((line) => line.map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n");
}
