import type { JudgeValidationRow, ReliabilityBin } from "../metrics/index";
import type { Figure, Trace } from "./figure";

/**
 * Reliability diagram of validated judges: per row, the positive rate of each non-empty score bin against the
 * bin's mean score (marker size ∝ items), with the diagonal of perfect calibration. A judge flagged below its
 * target is named "(below target)" in the legend.
 */
export function reliabilityDiagram(rows: readonly JudgeValidationRow[], bins: readonly ReliabilityBin[][], title = "Judge reliability"): Figure {
  if (rows.length !== bins.length) throw new Error(`reliability diagram: ${rows.length} rows for ${bins.length} bin sets`);
  const data: Trace[] = [{ type: "scatter", mode: "lines", x: [0, 1], y: [0, 1], name: "perfect calibration", line: { dash: "dot", color: "#888" } }];
  rows.forEach((r, i) => {
    const used = bins[i].filter((b) => b.count > 0);
    const total = used.reduce((s, b) => s + b.count, 0);
    data.push({
      type: "scatter", mode: "lines+markers",
      name: `${r.concept} · ${r.model} · ${r.judge} · ${r.set}${r.passes ? "" : " (below target)"}`,
      x: used.map((b) => b.meanScore), y: used.map((b) => b.positiveRate),
      marker: { size: used.map((b) => 6 + 20 * Math.sqrt(b.count / total)) },
      text: used.map((b) => `${b.count} items in [${b.low.toFixed(1)}, ${b.high.toFixed(1)})`),
      hovertemplate: "mean score %{x:.2f}<br>positive rate %{y:.2f}<br>%{text}<extra></extra>",
    });
  });
  return {
    data,
    layout: {
      title: { text: title }, xaxis: { title: { text: "mean judge score in bin" }, range: [0, 1] },
      yaxis: { title: { text: "fraction positive (violating / real)" }, range: [0, 1] }, width: 900, height: 600,
    },
  };
}
