import type { Trace } from "./figure";
import { BASELINES, baselineOf, methodColor, type Baseline, type IntrinsicMetric, type ResultRow } from "./results";

/** Trace pieces shared by the study's figure builders. */

// Typed by Baseline so that a new baseline in lib/study BASELINES cannot be drawn without a style.
const BASELINE_DASH: Record<Baseline, string> = { prompting: "dash", real: "dot", unsteered: "dashdot" };
export const finite = (v: number | null): v is number => v !== null && Number.isFinite(v);

/** Legend entries are shown once per figure: the first trace of each legend group shows it. */
export function legendOnce(): (group: string) => boolean {
  const seen = new Set<string>();
  return (group) => (seen.has(group) ? false : (seen.add(group), true));
}

/** Horizontal baseline lines (real, prompting, unsteered) for one facet, spanning the x values given. */
export function baselineTraces(rows: readonly ResultRow[], concept: string, model: string, metric: IntrinsicMetric | "auroc",
  xs: readonly (number | string)[], axes: { xaxis: string; yaxis: string }, showLegend: (g: string) => boolean): Trace[] {
  if (xs.length === 0) return [];
  const out: Trace[] = [];
  for (const b of BASELINES) {
    const v = baselineOf(rows, b, concept, model)?.[metric] ?? null;
    if (!finite(v)) continue;
    out.push({
      type: "scatter", mode: "lines", name: b, legendgroup: b, showlegend: showLegend(b),
      x: [xs[0], xs[xs.length - 1]], y: [v, v], ...axes,
      line: { color: methodColor(b), dash: BASELINE_DASH[b], width: 1.5 },
      hovertemplate: `${b}: %{y:.3f}<extra>${concept} · ${model}</extra>`,
    });
  }
  return out;
}
