import { spearman as spearmanRho } from "../metrics/index";
import { facetGrid } from "./facets";
import type { Figure, Trace } from "./figure";
import {
  INTRINSIC_METRICS, METRIC_LABELS, distinct, methodColor, methodsOf, steeredRows,
  type IntrinsicMetric, type ResultRow,
} from "./results";
import { configurationLabel } from "../study/index";
import { baselineTraces, finite, legendOnce } from "./traces";

/** Figures of the extrinsic evaluation: detector AUROC per configuration and how intrinsic scores predict it. */

export type RankCorrelation = (x: ArrayLike<number>, y: ArrayLike<number>) => number;

/**
 * Detector AUROC (with its bootstrap interval) for every steered configuration, faceted models × concepts, with the
 * AUROC of detectors trained on prompted data and on real data as reference lines.
 */
export function aurocByConfiguration(rows: readonly ResultRow[]): Figure {
  const steered = steeredRows(rows).filter((r) => finite(r.auroc));
  if (steered.length === 0) throw new Error("aurocByConfiguration: the results have no steered rows with an AUROC");
  const models = distinct(steered.map((r) => r.model)), concepts = distinct(steered.map((r) => r.concept));
  const methods = methodsOf(steered);
  const ordered = [...steered].sort((a, b) =>
    methods.indexOf(a.method) - methods.indexOf(b.method) || (a.layer as number) - (b.layer as number) || (a.strength as number) - (b.strength as number));
  const grid = facetGrid({ rows: models, cols: concepts, title: "Detector AUROC per steering configuration", xTitle: "configuration", yTitle: METRIC_LABELS.auroc, xType: "category", cellWidth: 420, cellHeight: 380 });
  const showLegend = legendOnce();
  const data: Trace[] = [];
  models.forEach((model, r) => concepts.forEach((concept, c) => {
    const axes = grid.cell(r, c);
    const here = ordered.filter((x) => x.model === model && x.concept === concept);
    const categories = here.map(configurationLabel);
    Object.assign(grid.layout[grid.layoutKeys(r, c).x] as object, { categoryorder: "array", categoryarray: categories });
    for (const method of methods) {
      const pts = here.filter((x) => x.method === method);
      if (pts.length === 0) continue;
      const hasCi = pts.every((p) => finite(p.auroc_ci_low) && finite(p.auroc_ci_high));
      data.push({
        type: "scatter", mode: "markers", name: method, legendgroup: method, showlegend: showLegend(method),
        x: pts.map(configurationLabel), y: pts.map((p) => p.auroc), ...axes,
        marker: { color: methodColor(method), size: 7, symbol: pts.map((p) => (p.beats_prompting ? "circle" : "circle-open")) },
        ...(hasCi ? { error_y: { type: "data", symmetric: false, array: pts.map((p) => (p.auroc_ci_high as number) - (p.auroc as number)), arrayminus: pts.map((p) => (p.auroc as number) - (p.auroc_ci_low as number)), color: methodColor(method), thickness: 1 } } : {}),
        hovertemplate: `%{x}<br>AUROC %{y:.3f}<extra>${concept} · ${model}</extra>`,
      });
    }
    data.push(...baselineTraces(rows, concept, model, "auroc", categories, axes, showLegend));
  }));
  grid.layout.annotations = [...(grid.layout.annotations as object[]), {
    text: "filled: beats prompting", xref: "paper", yref: "paper", x: 1, y: 0, yshift: -20, xanchor: "left", yanchor: "top", showarrow: false, font: { size: 10 },
  }];
  return { data, layout: grid.layout };
}

/**
 * Rank correlation of pairs where both values are finite, or null when it is undefined (fewer than 3 pairs, or an
 * input constant). `spearman` defaults to lib/metrics/stats.
 */
export function rankCorrelation(x: readonly (number | null)[], y: readonly (number | null)[], spearman: RankCorrelation = spearmanRho): { rho: number | null; n: number } {
  const xs: number[] = [], ys: number[] = [];
  x.forEach((v, i) => { const w = y[i]; if (finite(v) && finite(w)) { xs.push(v); ys.push(w); } });
  const constant = (a: number[]) => a.every((v) => v === a[0]);
  if (xs.length < 3 || constant(xs) || constant(ys)) return { rho: null, n: xs.length };
  return { rho: spearman(xs, ys), n: xs.length };
}

const fmtRho = (c: { rho: number | null; n: number }): string => (c.rho === null ? `ρ undefined (n = ${c.n})` : `ρ = ${c.rho.toFixed(2)} (n = ${c.n})`);

/**
 * A harmonic-mean score (x) against detector AUROC (y) for every steered configuration, one panel per concept
 * (models pooled, told apart by marker symbol), each annotated with the Spearman correlation of its points.
 */
export function hmVsAuroc(rows: readonly ResultRow[], opts: { hm?: IntrinsicMetric; spearman?: RankCorrelation } = {}): Figure {
  const hm = opts.hm ?? "hm_scd";
  const steered = steeredRows(rows).filter((r) => finite(r[hm]) && finite(r.auroc));
  if (steered.length === 0) throw new Error(`hmVsAuroc(${hm}): the results have no steered rows with both ${hm} and auroc`);
  const concepts = distinct(steered.map((r) => r.concept)), models = distinct(steered.map((r) => r.model));
  const symbols = ["circle", "square", "triangle-up", "diamond", "cross", "x"];
  const grid = facetGrid({ rows: [""], cols: concepts, title: `${METRIC_LABELS[hm]} vs detector AUROC`, xTitle: METRIC_LABELS[hm], yTitle: METRIC_LABELS.auroc, xRange: [-0.02, 1.02], cellHeight: 320 });
  const showLegend = legendOnce();
  const data: Trace[] = [];
  const notes: object[] = [];
  concepts.forEach((concept, c) => {
    const axes = grid.cell(0, c);
    const here = steered.filter((r) => r.concept === concept);
    for (const method of methodsOf(here)) {
      const pts = here.filter((r) => r.method === method);
      data.push({
        type: "scatter", mode: "markers", name: method, legendgroup: method, showlegend: showLegend(method),
        x: pts.map((p) => p[hm]), y: pts.map((p) => p.auroc), ...axes,
        text: pts.map((p) => `${p.model} · ${p.layer === null ? "every layer" : `L${p.layer}`} · strength ${p.strength}`),
        marker: { color: methodColor(method), size: 7, opacity: 0.8, symbol: pts.map((p) => symbols[models.indexOf(p.model) % symbols.length]) },
        hovertemplate: `${method} %{text}<br>${hm} %{x:.3f}, AUROC %{y:.3f}<extra>${concept}</extra>`,
      });
    }
    const corr = rankCorrelation(here.map((r) => r[hm]), here.map((r) => r.auroc), opts.spearman);
    notes.push({ text: fmtRho(corr), xref: `${axes.xaxis} domain`, yref: `${axes.yaxis} domain`, x: 0.02, y: 0.98, xanchor: "left", yanchor: "top", showarrow: false, bgcolor: "rgba(255,255,255,0.8)" });
  });
  if (models.length > 1) notes.push({ text: `symbols:<br>${models.map((m, i) => `${symbols[i % symbols.length]} = ${m}`).join("<br>")}`, xref: "paper", yref: "paper", x: 1.06, y: 0.2, xanchor: "left", yanchor: "top", align: "left", showarrow: false, font: { size: 10 } });
  grid.layout.annotations = [...(grid.layout.annotations as object[]), ...notes];
  return { data, layout: grid.layout };
}

export interface CorrelationCell { axis: IntrinsicMetric; concept: string; rho: number | null; n: number }

/** Spearman correlation between each intrinsic score and AUROC over the steered configurations of each concept. */
export function intrinsicAurocCorrelations(rows: readonly ResultRow[], opts: { metrics?: readonly IntrinsicMetric[]; spearman?: RankCorrelation } = {}): CorrelationCell[] {
  const steered = steeredRows(rows);
  const out: CorrelationCell[] = [];
  for (const concept of distinct(steered.map((r) => r.concept))) {
    const here = steered.filter((r) => r.concept === concept);
    for (const axis of opts.metrics ?? INTRINSIC_METRICS) {
      out.push({ axis, concept, ...rankCorrelation(here.map((r) => r[axis]), here.map((r) => r.auroc), opts.spearman) });
    }
  }
  return out;
}

/** Heatmap of intrinsicAurocCorrelations: intrinsic score (rows) × concept (columns), ρ in [-1, 1]; blank = undefined. */
export function correlationHeatmap(rows: readonly ResultRow[], opts: { metrics?: readonly IntrinsicMetric[]; spearman?: RankCorrelation } = {}): Figure {
  const cells = intrinsicAurocCorrelations(rows, opts);
  if (cells.length === 0) throw new Error("correlationHeatmap: the results have no steered rows");
  const axes = distinct(cells.map((c) => c.axis)), concepts = distinct(cells.map((c) => c.concept));
  const at = (a: IntrinsicMetric, k: string) => cells.find((c) => c.axis === a && c.concept === k) as CorrelationCell;
  const z = axes.map((a) => concepts.map((k) => at(a, k).rho));
  const text = axes.map((a) => concepts.map((k) => { const c = at(a, k); return c.rho === null ? `n/a (n=${c.n})` : c.rho.toFixed(2); }));
  return {
    data: [{
      type: "heatmap", x: concepts, y: axes.map((a) => METRIC_LABELS[a]), z, text, texttemplate: "%{text}",
      zmin: -1, zmax: 1, colorscale: "RdBu", colorbar: { title: { text: "Spearman ρ" } },
      hovertemplate: "%{y} · %{x}<br>ρ = %{z:.3f}<extra></extra>",
    }],
    layout: {
      title: { text: "Rank correlation of intrinsic scores with detector AUROC" },
      width: 180 * concepts.length + 420, height: 60 * axes.length + 200,
      xaxis: { title: { text: "concept" }, side: "bottom" }, yaxis: { autorange: "reversed" },
      margin: { l: 260, r: 40, t: 80, b: 60 },
    },
  };
}
