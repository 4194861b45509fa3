import { facetGrid } from "./facets";
import type { Figure, Trace } from "./figure";
import {
  BASELINES, METRIC_LABELS, baselineOf, distinct, methodColor, methodsOf, steeredRows,
  type Baseline, type IntrinsicMetric, type ResultRow,
} from "./results";
import { baselineTraces, finite, legendOnce } from "./traces";

/** Figures of the intrinsic evaluation: scores of steered generations against steering strength. */

const LAYER_DASHES = ["solid", "dash", "dot", "dashdot", "longdash"];

/**
 * One score against steering strength, faceted models (rows) × concepts (columns), one line per method (and per
 * layer when a method was run at several: dashes tell layers apart), with the baselines' values (real data, prompting,
 * unsteered) of the same score as horizontal reference lines. `metricVsStrength(rows, "coherence")` is the coherence-vs-strength figure.
 */
export function metricVsStrength(rows: readonly ResultRow[], metric: IntrinsicMetric): Figure {
  const steered = steeredRows(rows);
  if (steered.length === 0) throw new Error(`metricVsStrength(${metric}): the results have no steered rows`);
  const models = distinct(steered.map((r) => r.model)), concepts = distinct(steered.map((r) => r.concept));
  const methods = methodsOf(rows);
  const grid = facetGrid({ rows: models, cols: concepts, title: `${METRIC_LABELS[metric]} vs steering strength`, xTitle: "strength", yTitle: METRIC_LABELS[metric], yRange: [-0.02, 1.02] });
  const showLegend = legendOnce();
  const data: Trace[] = [];
  models.forEach((model, r) => concepts.forEach((concept, c) => {
    const axes = grid.cell(r, c);
    const here = steered.filter((x) => x.model === model && x.concept === concept);
    for (const method of methods) {
      const layers = distinct(steered.filter((x) => x.method === method).map((x) => x.layer as number)).sort((a, b) => a - b);
      for (const [li, layer] of layers.entries()) {
        const pts = here.filter((x) => x.method === method && x.layer === layer && finite(x[metric])).sort((a, b) => (a.strength as number) - (b.strength as number));
        if (pts.length === 0) continue;
        const name = layers.length > 1 ? `${method} L${layer}` : method;
        data.push({
          type: "scatter", mode: "lines+markers", name, legendgroup: name, showlegend: showLegend(name),
          x: pts.map((p) => p.strength), y: pts.map((p) => p[metric]), ...axes,
          line: { color: methodColor(method), dash: LAYER_DASHES[li % LAYER_DASHES.length] },
          marker: { color: methodColor(method), size: 6 },
          hovertemplate: `${name} · strength %{x}<br>${metric} %{y:.3f}<extra>${concept} · ${model}</extra>`,
        });
      }
    }
    const xs = distinct(here.map((x) => x.strength as number)).sort((a, b) => a - b);
    data.push(...baselineTraces(rows, concept, model, metric, xs, axes, showLegend));
  }));
  return { data, layout: grid.layout };
}

const BASELINE_SYMBOL: Record<Baseline, string> = { prompting: "diamond", real: "star", unsteered: "circle-open" };

/**
 * The success–diversity trade-off: every steered configuration as a point (y = success, x = a diversity score),
 * one colour per method, faceted models × concepts; the baselines (real, prompting, unsteered) as single reference markers.
 */
export function tradeoffScatter(rows: readonly ResultRow[], opts: { x?: IntrinsicMetric; y?: IntrinsicMetric } = {}): Figure {
  const xm = opts.x ?? "diversity_set", ym = opts.y ?? "success";
  const steered = steeredRows(rows);
  if (steered.length === 0) throw new Error("tradeoffScatter: the results have no steered rows");
  const models = distinct(steered.map((r) => r.model)), concepts = distinct(steered.map((r) => r.concept));
  const grid = facetGrid({
    rows: models, cols: concepts, title: `${METRIC_LABELS[ym]} vs ${METRIC_LABELS[xm]}`,
    xTitle: METRIC_LABELS[xm], yTitle: METRIC_LABELS[ym], xRange: [-0.02, 1.02], yRange: [-0.02, 1.02],
  });
  const showLegend = legendOnce();
  const data: Trace[] = [];
  models.forEach((model, r) => concepts.forEach((concept, c) => {
    const axes = grid.cell(r, c);
    for (const method of methodsOf(rows)) {
      const pts = steered.filter((x) => x.model === model && x.concept === concept && x.method === method && finite(x[xm]) && finite(x[ym]));
      if (pts.length === 0) continue;
      data.push({
        type: "scatter", mode: "markers", name: method, legendgroup: method, showlegend: showLegend(method),
        x: pts.map((p) => p[xm]), y: pts.map((p) => p[ym]), ...axes,
        text: pts.map((p) => `${p.layer === null ? "every layer" : `L${p.layer}`} · strength ${p.strength}`),
        marker: { color: methodColor(method), size: 7, opacity: 0.8 },
        hovertemplate: `${method} %{text}<br>${xm} %{x:.3f}, ${ym} %{y:.3f}<extra>${concept} · ${model}</extra>`,
      });
    }
    for (const b of BASELINES) {
      const row = baselineOf(rows, b, concept, model);
      if (!row || !finite(row[xm]) || !finite(row[ym])) continue;
      data.push({
        type: "scatter", mode: "markers", name: b, legendgroup: b, showlegend: showLegend(b),
        x: [row[xm]], y: [row[ym]], ...axes,
        marker: { color: methodColor(b), size: 12, symbol: BASELINE_SYMBOL[b] },
        hovertemplate: `${b}<br>${xm} %{x:.3f}, ${ym} %{y:.3f}<extra>${concept} · ${model}</extra>`,
      });
    }
  }));
  return { data, layout: grid.layout };
}
