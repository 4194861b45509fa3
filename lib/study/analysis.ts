import { mean } from "../math/index";
import { bootstrap, spearman } from "../metrics/index";
import { deriveSeed } from "../util/index";
import { isBaselineMethod } from "./grid";
import type { ResultRow } from "./results";

/**
 * The study's analysis: trends and correlations with bootstrap confidence intervals, and the verdicts on the
 * paper's claims, from the results table alone (pure functions; the study writes them as analysis.json).
 *   strength trends  per (concept, model, method): Spearman ρ of each intrinsic axis against strength, over the
 *                    grid's strengths (tuned rows left out), CI from a bootstrap over those strengths;
 *   AUROC tracking   per concept: ρ of each intrinsic score against detector AUROC over the concept's steered
 *                    configurations with a detector (both models, every method), CI from a bootstrap over them;
 *   consistency      per score: in how many concepts ρ > 0 with a CI excluding 0, and the mean ρ;
 *   claims           (a)–(d) of the paper, each with the numbers and a verdict by a fixed rule (CLAIM_RULES);
 *   tuning           per (concept, model, method) with a tuned row: its AUROC against the grid's best, median
 *                    and worst;
 *   working regime   per (concept, model, method): the grid strengths that at least double the unsteered
 *                    baseline's violation rate while keeping ≥ 80 % of its coherence (REGIME_RULE).
 * With few points (5 strengths) a bootstrap CI is coarse, and it never excludes 0 when a resample can be all
 * ties; read narrow intervals from many configurations, not from one cell.
 */
export const TREND_AXES = ["success", "coherence", "diversity_sample", "diversity_set"] as const;
export const AUROC_SCORES = ["success", "coherence", "diversity_sample", "diversity_set", "hm_scd", "hm_sc"] as const;
export type TrendAxis = (typeof TREND_AXES)[number];
export type AurocScore = (typeof AUROC_SCORES)[number];

/**
 * The columns of a results row the analysis reads, loosely typed so that rows read back from any results.csv
 * fit (method any name, scores possibly empty); `origin` absent = a grid row (results written before it).
 */
export type AnalysisRow = Pick<ResultRow, "concept" | "model"> & { method: string }
  & { [K in "layer" | "strength" | AurocScore | "auroc" | "auroc_ci_low" | "auroc_ci_high" | "beats_prompting"]: ResultRow[K] | null }
  & Partial<Pick<ResultRow, "origin">> & { violation_rate?: number | null };

export interface AnalysisOptions {
  seed: number;
  /** Bootstrap resamples per interval (default 1000). */
  iterations?: number;
}

/** ρ with a 95% percentile-bootstrap CI over the pairs; rho null (with the reason) where it is undefined. */
export interface Correlation {
  rho: number | null;
  low: number | null;
  high: number | null;
  /** Pairs with both values finite. */
  n: number;
  /** Why rho is null (fewer than 3 pairs, a constant column), else absent. */
  note?: string;
}

/** CI strictly on one side of 0. */
export const excludesZero = (c: Correlation): boolean => c.low !== null && c.high !== null && (c.low > 0 || c.high < 0);

const finite = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);
const isSteered = (r: AnalysisRow): boolean => !isBaselineMethod(r.method);
const inGrid = (r: AnalysisRow): boolean => r.origin !== "tuned";
const isTuned = (r: AnalysisRow): boolean => r.origin === "tuned" || r.origin === "grid+tuned";

/** Spearman ρ of the finite pairs with a bootstrap CI over pairs (resamples that are all ties are left out). */
export function correlationInterval(x: readonly (number | null)[], y: readonly (number | null)[], opts: AnalysisOptions): Correlation {
  if (x.length !== y.length) throw new Error(`correlation: inputs have different lengths (${x.length} vs ${y.length})`);
  const pairs = x.flatMap((xi, i) => (finite(xi) && finite(y[i]) ? [[xi, y[i] as number] as const] : []));
  const n = pairs.length;
  if (n < 3) return { rho: null, low: null, high: null, n, note: `${n} pairs (needs 3)` };
  const rhoOf = (ps: readonly (readonly [number, number])[]): number => {
    const xs = ps.map((p) => p[0]), ys = ps.map((p) => p[1]);
    // A resample (or the data) with one value repeated has no rank correlation.
    if (xs.every((v) => v === xs[0]) || ys.every((v) => v === ys[0])) return Number.NaN;
    return spearman(xs, ys);
  };
  const rho = rhoOf(pairs);
  if (Number.isNaN(rho)) return { rho: null, low: null, high: null, n, note: "a column is constant" };
  try {
    const ci = bootstrap(pairs, rhoOf, { seed: opts.seed, iterations: opts.iterations ?? 1000 });
    return { rho, low: ci.low, high: ci.high, n };
  } catch (e) {
    return { rho, low: null, high: null, n, note: (e as Error).message };
  }
}

export interface StrengthTrend {
  concept: string;
  model: string;
  method: string;
  layer: number | null;
  strengths: number[];
  axes: Record<TrendAxis, Correlation>;
}

const groupBy = <T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
};

/** Per (concept, model, method, layer): each axis against strength over the grid rows. */
export function strengthTrends(rows: readonly AnalysisRow[], opts: AnalysisOptions): StrengthTrend[] {
  const grid = rows.filter((r) => isSteered(r) && inGrid(r) && finite(r.strength));
  return [...groupBy(grid, (r) => [r.concept, r.model, r.method, r.layer].join("\u0000")).values()].map((rs) => {
    const { concept, model, method, layer } = rs[0];
    const strengths = rs.map((r) => r.strength as number);
    const axes = Object.fromEntries(TREND_AXES.map((a) => [a, correlationInterval(strengths, rs.map((r) => r[a]),
      { ...opts, seed: deriveSeed(opts.seed, "trend", concept, model, method, String(layer), a) })])) as Record<TrendAxis, Correlation>;
    return { concept, model, method, layer, strengths, axes };
  });
}

export interface AurocTracking {
  concept: string;
  /** Steered configurations with a detector. */
  configurations: number;
  scores: Record<AurocScore, Correlation>;
}

/** Per concept: each intrinsic score against AUROC over its steered configurations with a detector. */
export function aurocTracking(rows: readonly AnalysisRow[], opts: AnalysisOptions): AurocTracking[] {
  const steered = rows.filter((r) => isSteered(r) && finite(r.auroc));
  return [...groupBy(steered, (r) => r.concept)].map(([concept, rs]) => ({
    concept,
    configurations: rs.length,
    scores: Object.fromEntries(AUROC_SCORES.map((s) => [s, correlationInterval(rs.map((r) => r[s]), rs.map((r) => r.auroc),
      { ...opts, seed: deriveSeed(opts.seed, "auroc", concept, s) })])) as Record<AurocScore, Correlation>,
  }));
}

export interface Consistency {
  score: AurocScore;
  /** Concepts where ρ > 0 and the CI excludes 0. */
  positive: number;
  /** Concepts with a defined ρ. */
  concepts: number;
  meanRho: number | null;
}

export function consistency(tracking: readonly AurocTracking[]): Consistency[] {
  return AUROC_SCORES.map((score) => {
    const cs = tracking.map((t) => t.scores[score]).filter((c) => c.rho !== null);
    return {
      score,
      positive: cs.filter((c) => c.rho! > 0 && excludesZero(c)).length,
      concepts: cs.length,
      meanRho: cs.length ? cs.reduce((s, c) => s + c.rho!, 0) / cs.length : null,
    };
  });
}

export type Verdict = "reproduced" | "not reproduced" | "inconclusive";

/** The fixed rules turning the numbers into verdicts (printed with them, so a reader can check each). */
export const CLAIM_RULES = {
  a: "per diversity axis: reproduced if ρ(axis, strength) < 0 with a CI excluding 0 in more than half of the (concept, model, method) cells; not reproduced if some cells have a CI entirely above 0 and they are at least as many as those entirely below; else inconclusive. The claim is reproduced if both axes are, not reproduced if either is not.",
  b: "reproduced if in more than half of the concepts some steered configuration's AUROC CI lies entirely above the prompting baseline's mean AUROC (same model); not reproduced if in at most half of the concepts any configuration's mean AUROC exceeds prompting's; else inconclusive.",
  c: "share of steered configurations whose mean AUROC exceeds prompting's (same concept and model), with a bootstrap CI over configurations: reproduced if the CI lies below ½, not reproduced if above, else inconclusive.",
  d: "per score, the concepts where ρ(score, AUROC) > 0 with a CI excluding 0: reproduced if HM(s,c,d) has strictly more such concepts than both HM(s,c) and success; not reproduced if it has fewer than either; else (ties) inconclusive.",
} as const;

export interface Claims {
  a: { verdict: Verdict; cells: number; axes: Record<"diversity_sample" | "diversity_set", { negative: number; positive: number; meanRho: number | null; verdict: Verdict }> };
  b: { verdict: Verdict; concepts: { concept: string; beating: number; clearlyBeating: number; configurations: number }[] };
  c: { verdict: Verdict; beating: number; configurations: number; share: number | null; low: number | null; high: number | null };
  d: { verdict: Verdict; hm_scd: Consistency; hm_sc: Consistency; success: Consistency };
}

function claimA(trends: readonly StrengthTrend[]): Claims["a"] {
  const axis = (a: "diversity_sample" | "diversity_set") => {
    const cs = trends.map((t) => t.axes[a]);
    const negative = cs.filter((c) => c.high !== null && c.high < 0).length, positive = cs.filter((c) => c.low !== null && c.low > 0).length;
    const defined = cs.filter((c) => c.rho !== null);
    const verdict: Verdict = negative > trends.length / 2 ? "reproduced" : positive > 0 && positive >= negative ? "not reproduced" : "inconclusive";
    return { negative, positive, meanRho: defined.length ? defined.reduce((s, c) => s + c.rho!, 0) / defined.length : null, verdict };
  };
  const axes = { diversity_sample: axis("diversity_sample"), diversity_set: axis("diversity_set") };
  const vs = Object.values(axes).map((x) => x.verdict);
  const verdict: Verdict = vs.every((v) => v === "reproduced") ? "reproduced" : vs.includes("not reproduced") ? "not reproduced" : "inconclusive";
  return { verdict, cells: trends.length, axes };
}

function claimB(rows: readonly AnalysisRow[]): Claims["b"] {
  const prompting = new Map(rows.filter((r) => r.method === "prompting").map((r) => [`${r.concept}\u0000${r.model}`, r.auroc]));
  const steered = rows.filter((r) => isSteered(r) && finite(r.auroc));
  const concepts = [...groupBy(steered, (r) => r.concept)].map(([concept, rs]) => {
    const base = (r: AnalysisRow) => prompting.get(`${r.concept}\u0000${r.model}`);
    return {
      concept,
      configurations: rs.length,
      beating: rs.filter((r) => r.beats_prompting === true).length,
      clearlyBeating: rs.filter((r) => finite(base(r)) && finite(r.auroc_ci_low) && r.auroc_ci_low! > base(r)!).length,
    };
  });
  const half = concepts.length / 2;
  const verdict: Verdict = concepts.filter((c) => c.clearlyBeating > 0).length > half ? "reproduced"
    : concepts.filter((c) => c.beating > 0).length <= half ? "not reproduced" : "inconclusive";
  return { verdict, concepts };
}

function claimC(rows: readonly AnalysisRow[], opts: AnalysisOptions): Claims["c"] {
  const flags = rows.filter((r) => isSteered(r) && r.beats_prompting !== null).map((r) => (r.beats_prompting ? 1 : 0));
  if (flags.length === 0) return { verdict: "inconclusive", beating: 0, configurations: 0, share: null, low: null, high: null };
  const ci = bootstrap(flags, mean, { seed: deriveSeed(opts.seed, "claim-c"), iterations: opts.iterations ?? 1000 });
  const verdict: Verdict = ci.high < 0.5 ? "reproduced" : ci.low > 0.5 ? "not reproduced" : "inconclusive";
  return { verdict, beating: flags.filter((f) => f === 1).length, configurations: flags.length, share: ci.estimate, low: ci.low, high: ci.high };
}

function claimD(cons: readonly Consistency[]): Claims["d"] {
  const of = (s: AurocScore) => cons.find((c) => c.score === s)!;
  const [scd, sc, s] = [of("hm_scd"), of("hm_sc"), of("success")];
  const verdict: Verdict = scd.positive > sc.positive && scd.positive > s.positive ? "reproduced"
    : scd.positive < sc.positive || scd.positive < s.positive ? "not reproduced" : "inconclusive";
  return { verdict, hm_scd: scd, hm_sc: sc, success: s };
}

export interface TuningComparison {
  concept: string;
  model: string;
  method: string;
  tunedStrength: number;
  tuned: number;
  best: number;
  median: number;
  worst: number;
  /** Grid configurations with a detector whose AUROC is below the tuned one's (of `grid`; the tuned one may be a grid point). */
  rankBelow: number;
  grid: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Per (concept, model, method) with a tuned row: the tuned AUROC against the grid's best, median and worst. */
export function tuningComparison(rows: readonly AnalysisRow[]): TuningComparison[] {
  const steered = rows.filter((r) => isSteered(r) && finite(r.auroc));
  return [...groupBy(steered, (r) => [r.concept, r.model, r.method].join("\u0000")).values()].flatMap((rs) => {
    const tuned = rs.find(isTuned), grid = rs.filter(inGrid).map((r) => r.auroc!);
    if (!tuned || grid.length === 0) return [];
    return [{
      concept: tuned.concept, model: tuned.model, method: tuned.method, tunedStrength: tuned.strength!, tuned: tuned.auroc!,
      best: Math.max(...grid), median: median(grid), worst: Math.min(...grid), rankBelow: grid.filter((a) => a < tuned.auroc!).length, grid: grid.length,
    }];
  });
}

export const REGIME_RULE = "a grid strength works if its violation rate (share of responses the success judge calls violating) is at least twice the unsteered baseline's and above it, and its coherence is at least 0.8 × the unsteered baseline's (same concept and model); a (concept, model, method) has a working regime if some strength works." as const;

export interface RegimePoint {
  strength: number;
  violationRate: number;
  coherence: number;
  works: boolean;
}

export interface WorkingRegime {
  concept: string;
  model: string;
  method: string;
  unsteeredRate: number;
  unsteeredCoherence: number;
  /** The grid strengths in order (every layer the method ran at). */
  points: (RegimePoint & { layer: number | null })[];
  /** The working strength with the highest violation rate, or null when none works. */
  best: (RegimePoint & { layer: number | null }) | null;
}

/**
 * Per (concept, model, method): which grid strengths form a working regime against the unsteered baseline of
 * the same concept and model (REGIME_RULE). Cells without an unsteered row or without violation rates (results
 * written before they existed) are left out.
 */
export function workingRegimes(rows: readonly AnalysisRow[]): WorkingRegime[] {
  const base = new Map(rows.filter((r) => r.method === "unsteered" && finite(r.violation_rate) && finite(r.coherence)).map((r) => [`${r.concept}\u0000${r.model}`, r]));
  const grid = rows.filter((r) => isSteered(r) && inGrid(r) && finite(r.strength) && finite(r.violation_rate) && finite(r.coherence));
  return [...groupBy(grid, (r) => [r.concept, r.model, r.method].join("\u0000")).values()].flatMap((rs) => {
    const { concept, model, method } = rs[0];
    const u = base.get(`${concept}\u0000${model}`);
    if (!u) return [];
    const r0 = u.violation_rate!, c0 = u.coherence!;
    const points = rs.map((r) => {
      const violationRate = r.violation_rate!, coherence = r.coherence!;
      return { layer: r.layer, strength: r.strength!, violationRate, coherence, works: violationRate >= 2 * r0 && violationRate > r0 && coherence >= 0.8 * c0 };
    });
    const best = points.filter((p) => p.works).reduce<(typeof points)[number] | null>((b, p) => (!b || p.violationRate > b.violationRate ? p : b), null);
    return [{ concept, model, method, unsteeredRate: r0, unsteeredCoherence: c0, points, best }];
  });
}

export interface Analysis {
  format: "steersynth.analysis/1";
  rules: typeof CLAIM_RULES & { regime: typeof REGIME_RULE };
  trends: StrengthTrend[];
  tracking: AurocTracking[];
  consistency: Consistency[];
  claims: Claims;
  tuning: TuningComparison[];
  regime: WorkingRegime[];
}

export function analyzeResults(rows: readonly AnalysisRow[], opts: AnalysisOptions): Analysis {
  const trends = strengthTrends(rows, opts), tracking = aurocTracking(rows, opts), cons = consistency(tracking);
  return {
    format: "steersynth.analysis/1",
    rules: { ...CLAIM_RULES, regime: REGIME_RULE },
    trends, tracking, consistency: cons,
    claims: { a: claimA(trends), b: claimB(rows), c: claimC(rows, opts), d: claimD(cons) },
    tuning: tuningComparison(rows),
    regime: workingRegimes(rows),
  };
}

const num = (x: number | null, d = 2): string => (x === null ? "–" : x.toFixed(d));
const corr = (c: Correlation): string => (c.rho === null ? "n/a" : `${num(c.rho)} [${num(c.low)}, ${num(c.high)}]`);

/** The printed analysis (the study prints it after the results summary). */
export function formatAnalysis(a: Analysis): string {
  const out: string[] = [];
  out.push("Strength trends: cells where ρ(axis, strength) has a 95% CI below 0 / above 0 (of all cells), mean ρ:");
  for (const axis of TREND_AXES) {
    const cs = a.trends.map((t) => t.axes[axis]), def = cs.filter((c) => c.rho !== null);
    out.push(`  ${axis.padEnd(17)} ${cs.filter((c) => c.high !== null && c.high < 0).length} / ${cs.filter((c) => c.low !== null && c.low > 0).length} of ${cs.length}` +
      `   mean ρ ${num(def.length ? def.reduce((s, c) => s + c.rho!, 0) / def.length : null)}`);
  }
  out.push("", "ρ(score, AUROC) per concept over its steered configurations [95% bootstrap CI]:");
  out.push(`  ${"concept".padEnd(14)}${AUROC_SCORES.map((s) => s.padEnd(22)).join("")}`);
  for (const t of a.tracking) out.push(`  ${t.concept.padEnd(14)}${AUROC_SCORES.map((s) => corr(t.scores[s]).padEnd(22)).join("")}`);
  out.push("", "Consistency across concepts (ρ > 0 with CI excluding 0; mean ρ):");
  for (const c of a.consistency) out.push(`  ${c.score.padEnd(17)} ${c.positive}/${c.concepts}   mean ρ ${num(c.meanRho)}`);
  if (a.tuning.length) {
    out.push("", "Tuned strength (objective on intrinsic scores only) vs the grid, AUROC:");
    out.push(`  ${"cell".padEnd(34)}${"tuned".padEnd(16)}best    median  worst   grid below tuned`);
    for (const t of a.tuning)
      out.push(`  ${`${t.concept}/${t.model}/${t.method}`.padEnd(34)}${`${num(t.tuned, 3)} (×${num(t.tunedStrength, 3)})`.padEnd(16)}${num(t.best, 3).padEnd(8)}${num(t.median, 3).padEnd(8)}${num(t.worst, 3).padEnd(8)}${t.rankBelow}/${t.grid}`);
  }
  if (a.regime?.length) { // absent in analysis.json files written before it existed
    const pct = (x: number) => `${Math.round(100 * x)} %`;
    out.push("", `Working regime (violation rate ≥ 2 × unsteered, coherence ≥ 0.8 × unsteered): ${a.regime.filter((w) => w.best).length} of ${a.regime.length} (concept, model, method) cells`);
    out.push(`  ${"cell".padEnd(34)}${"unsteered rate / coh.".padEnd(24)}best working strength: rate / coh.`);
    for (const w of a.regime)
      out.push(`  ${`${w.concept}/${w.model}/${w.method}`.padEnd(34)}${`${pct(w.unsteeredRate)} / ${num(w.unsteeredCoherence)}`.padEnd(24)}` +
        (w.best ? `×${w.best.strength}: ${pct(w.best.violationRate)} / ${num(w.best.coherence)}` : `none (max rate ${pct(Math.max(...w.points.map((p) => p.violationRate)))})`));
  }
  const { claims: k } = a;
  out.push("", "The paper's claims (rules in analysis.json):");
  out.push(`  (a) strength lowers diversity: ${k.a.verdict} — sample: ${k.a.axes.diversity_sample.negative}/${k.a.cells} cells ρ<0 (CI), ${k.a.axes.diversity_sample.positive} ρ>0; set: ${k.a.axes.diversity_set.negative}/${k.a.cells} ρ<0, ${k.a.axes.diversity_set.positive} ρ>0`);
  out.push(`  (b) some steered data beats prompting on most concepts: ${k.b.verdict} — ${k.b.concepts.map((c) => `${c.concept} ${c.beating} (CI-clear ${c.clearlyBeating})/${c.configurations}`).join(", ")}`);
  out.push(`  (c) only a minority of configurations beat prompting: ${k.c.verdict} — ${k.c.beating}/${k.c.configurations} = ${num(k.c.share)} [${num(k.c.low)}, ${num(k.c.high)}]`);
  out.push(`  (d) HM(s,c,d) tracks AUROC more consistently: ${k.d.verdict} — hm_scd ${k.d.hm_scd.positive}/${k.d.hm_scd.concepts} (mean ρ ${num(k.d.hm_scd.meanRho)}), hm_sc ${k.d.hm_sc.positive}/${k.d.hm_sc.concepts} (${num(k.d.hm_sc.meanRho)}), success ${k.d.success.positive}/${k.d.success.concepts} (${num(k.d.success.meanRho)})`);
  return out.join("\n");
}
