import { AUROC_SCORES, TREND_AXES, type Analysis, type Correlation, type TuneResult } from "../study/index";
import type { Figure, Trace } from "./figure";
import { METRIC_LABELS, methodColor } from "./results";

/** Figures of the study's analysis (lib/study/analysis) and of a tuning run (lib/study/tune): estimates with their 95% CIs. */

const errorBars = (cs: readonly Correlation[]) => ({
  type: "data", symmetric: false,
  array: cs.map((c) => (c.rho !== null && c.high !== null ? c.high - c.rho : null)),
  arrayminus: cs.map((c) => (c.rho !== null && c.low !== null ? c.rho - c.low : null)),
  thickness: 1,
});

const SCORE_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#17becf", "#d62728", "#9467bd"];

/** Grouped bars of ρ per category, one trace per score, with CI error bars. */
function rhoBars<S extends keyof typeof METRIC_LABELS>(categories: string[], scores: readonly S[], at: (k: number, s: S) => Correlation): Trace[] {
  return scores.map((s, i) => {
    const cs = categories.map((_, k) => at(k, s));
    return { type: "bar", name: METRIC_LABELS[s], x: categories, y: cs.map((c) => c.rho), marker: { color: SCORE_COLORS[i] }, error_y: errorBars(cs), hovertemplate: `${s} %{x}: ρ %{y:.2f}<extra></extra>` };
  });
}

/** Per concept, Spearman ρ of each intrinsic score with detector AUROC, with bootstrap CIs over configurations. */
export function aurocTrackingFigure(a: Analysis): Figure {
  if (a.tracking.length === 0) throw new Error("aurocTrackingFigure: the analysis has no concept with steered detector results");
  return {
    data: rhoBars(a.tracking.map((t) => t.concept), AUROC_SCORES, (k, s) => a.tracking[k].scores[s]),
    layout: {
      title: { text: "Which intrinsic score tracks detector AUROC? Spearman ρ per concept (95% bootstrap CI over configurations)" },
      barmode: "group", xaxis: { title: { text: "concept" } }, yaxis: { title: { text: "ρ(score, AUROC)" }, range: [-1.05, 1.05], zeroline: true },
      width: 1000, height: 500,
    },
  };
}

/** Per (concept, model, method) cell, Spearman ρ of each intrinsic axis with strength (95% bootstrap CI over strengths). */
export function strengthTrendFigure(a: Analysis): Figure {
  if (a.trends.length === 0) throw new Error("strengthTrendFigure: the analysis has no strength trends");
  return {
    data: rhoBars(a.trends.map((t) => `${t.concept}/${t.model}/${t.method}`), TREND_AXES, (k, s) => a.trends[k].axes[s]),
    layout: {
      title: { text: "How each intrinsic axis moves with strength: Spearman ρ per cell (95% bootstrap CI over strengths)" },
      barmode: "group", xaxis: { title: { text: "concept / model / method" }, tickangle: -60, automargin: true },
      yaxis: { title: { text: "ρ(axis, strength)" }, range: [-1.05, 1.05] }, width: 1400, height: 560,
    },
  };
}

/** Per cell, the tuned configuration's AUROC against the grid's best, median and worst. */
export function tunedVsGridFigure(a: Analysis): Figure {
  if (a.tuning.length === 0) throw new Error("tunedVsGridFigure: the analysis has no tuned configurations");
  const cells = a.tuning.map((t) => `${t.concept}/${t.model}/${t.method}`);
  const trace = (name: string, y: number[], symbol: string, color: string): Trace =>
    ({ type: "scatter", mode: "markers", name, x: cells, y, marker: { symbol, size: 9, color } });
  return {
    data: [
      { type: "scatter", mode: "lines", name: "grid range", x: cells.flatMap((c) => [c, c, null]), y: a.tuning.flatMap((t) => [t.worst, t.best, null]), line: { color: "#bbbbbb", width: 6 }, hoverinfo: "skip" },
      trace("grid best", a.tuning.map((t) => t.best), "triangle-up", "#2ca02c"),
      trace("grid median", a.tuning.map((t) => t.median), "line-ew-open", "#555555"),
      trace("grid worst", a.tuning.map((t) => t.worst), "triangle-down", "#d62728"),
      trace("tuned", a.tuning.map((t) => t.tuned), "star", "#1f77b4"),
    ],
    layout: {
      title: { text: "HM-targeted tuning: AUROC of the tuned strength vs the strength grid" },
      xaxis: { title: { text: "concept / model / method" }, tickangle: -60, automargin: true }, yaxis: { title: { text: METRIC_LABELS.auroc } },
      width: 1400, height: 560,
    },
  };
}

/** A tuning run's objective curve: every evaluated point with its 95% CI, per layer, the chosen point marked. */
export function tuningCurveFigure(r: TuneResult): Figure {
  const layers = [...new Set(r.curve.map((p) => p.layer))];
  const data: Trace[] = layers.map((layer, i) => {
    const pts = r.curve.filter((p) => p.layer === layer).sort((a, b) => a.strength - b.strength);
    return {
      type: "scatter", mode: "lines+markers", name: `layer ${layer}`, x: pts.map((p) => p.strength), y: pts.map((p) => p.objective),
      marker: { color: methodColor(String(i + 5)) },
      error_y: { type: "data", symmetric: false, array: pts.map((p) => p.high - p.objective), arrayminus: pts.map((p) => p.objective - p.low), thickness: 1 },
      customdata: pts.map((p) => p.round), hovertemplate: "strength %{x:.3g}: %{y:.3f} (round %{customdata})<extra></extra>",
    };
  });
  data.push({ type: "scatter", mode: "markers", name: "chosen", x: [r.strength], y: [r.value], marker: { symbol: "star", size: 16, color: "#000000" } });
  return {
    data,
    layout: {
      title: { text: `Tuning: ${r.objective} vs strength (95% bootstrap CI over samples), chosen layer ${r.layer} ×${r.strength.toPrecision(3)}` },
      xaxis: { title: { text: "strength (method units)" }, type: "log" }, yaxis: { title: { text: r.objective } }, width: 900, height: 500,
    },
  };
}

/** The analysis figures the study's figure export adds when results/<name>/analysis.json exists. */
export function analysisFigures(a: Analysis): { name: string; fig: Figure }[] {
  const figs = [{ name: "score-vs-auroc-rho", fig: aurocTrackingFigure(a) }, { name: "axis-vs-strength-rho", fig: strengthTrendFigure(a) }];
  if (a.tuning.length) figs.push({ name: "tuned-vs-grid", fig: tunedVsGridFigure(a) });
  return figs;
}
