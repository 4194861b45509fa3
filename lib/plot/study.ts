import type { Figure } from "./figure";
import { exampleGenerationRows, generationsFromResults, type RowWithExamples } from "./examples";
import { aurocByConfiguration, correlationHeatmap, hmVsAuroc } from "./extrinsic";
import { metricVsStrength, tradeoffScatter } from "./intrinsic";
import { INTRINSIC_METRICS, type ResultRow } from "./results";
import { tableFigure } from "./table";

/**
 * Every figure of the study, named, from the results table: the list `npm run figures` exports and notebook 06
 * shows. Pure: rows in, figures out.
 */
export function studyFigures(rows: readonly (ResultRow & Partial<RowWithExamples>)[]): { name: string; fig: Figure }[] {
  const figs: { name: string; fig: Figure }[] = INTRINSIC_METRICS.map((m) => ({ name: `${m}-vs-strength`, fig: metricVsStrength(rows, m) }));
  figs.push(
    { name: "success-vs-diversity", fig: tradeoffScatter(rows, { x: "diversity_set", y: "success" }) },
    { name: "auroc-by-configuration", fig: aurocByConfiguration(rows) },
    { name: "hm-scd-vs-auroc", fig: hmVsAuroc(rows, { hm: "hm_scd" }) },
    { name: "hm-sc-vs-auroc", fig: hmVsAuroc(rows, { hm: "hm_sc" }) },
    { name: "correlation-heatmap", fig: correlationHeatmap(rows) },
  );
  const withExamples = rows.filter((r): r is ResultRow & RowWithExamples => typeof r.examples === "string");
  if (withExamples.length > 0)
    figs.push({ name: "example-generations", fig: tableFigure(exampleGenerationRows(generationsFromResults(withExamples))) });
  return figs;
}
