import type { Layout } from "./figure";

/**
 * A grid of subplots (facets): one x/y axis pair per cell, laid out by hand so that every builder gets the same
 * spacing, titles on the outer edges only, and the trace refs ("x3"/"y3") it must put on its traces.
 */
export interface FacetSpec {
  /** Row labels (top to bottom); "" for a single unlabeled row. */
  rows: string[];
  /** Column labels (left to right). */
  cols: string[];
  title: string;
  xTitle: string;
  yTitle: string;
  xType?: "linear" | "category";
  /** Fixed y range for every cell; otherwise all cells share one autoscaled y. */
  yRange?: [number, number];
  xRange?: [number, number];
  /** Link all x axes (same range); default true for linear axes, false for categories (their sets may differ).
   *  With xRange every cell has that range anyway. */
  shareX?: boolean;
  cellWidth?: number;
  cellHeight?: number;
}

export interface FacetAxes { xaxis: string; yaxis: string }
export interface FacetGrid {
  /** Trace refs for row r, column c (0-based). */
  cell(r: number, c: number): FacetAxes;
  /** Layout keys of that cell's axes ("xaxis3", "yaxis3"), to set per-cell options. */
  layoutKeys(r: number, c: number): { x: string; y: string };
  layout: Layout;
}

const GAP_X = 0.05;

export function facetGrid(spec: FacetSpec): FacetGrid {
  const R = spec.rows.length, C = spec.cols.length;
  if (R === 0 || C === 0) throw new Error(`facetGrid "${spec.title}": needs at least one row and one column (got ${R} × ${C})`);
  const index = (r: number, c: number): number => {
    if (r < 0 || r >= R || c < 0 || c >= C) throw new Error(`facetGrid "${spec.title}": cell (${r}, ${c}) outside ${R} × ${C}`);
    return r * C + c + 1;
  };
  const suffix = (n: number): string => (n === 1 ? "" : String(n));
  // Category axes carry long rotated tick labels below each cell: leave them room.
  const GAP_Y = spec.xType === "category" ? 0.25 : 0.1;
  const w = (1 - GAP_X * (C - 1)) / C, h = (1 - GAP_Y * (R - 1)) / R;
  const shareX = spec.shareX ?? (spec.xType ?? "linear") === "linear";

  const layout: Layout = {
    title: { text: spec.title },
    width: (spec.cellWidth ?? 300) * C + 200,
    height: (spec.cellHeight ?? 260) * R + 160,
    margin: { l: 70, r: 150, t: 90, b: spec.xType === "category" ? 140 : 60 },
    legend: { x: 1.06, y: 1, xanchor: "left" },
  };
  const annotations: Record<string, unknown>[] = [];
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const n = index(r, c);
      const x0 = c * (w + GAP_X), y1 = 1 - r * (h + GAP_Y);
      layout[`xaxis${suffix(n)}`] = {
        domain: [x0, Math.min(1, x0 + w)],
        anchor: `y${suffix(n)}`,
        type: spec.xType ?? "linear",
        ...(spec.xRange ? { range: spec.xRange } : {}),
        // A fixed range already aligns the cells; adding `matches` on top of it breaks y autoscaling in plotly.js 4.
        ...(shareX && !spec.xRange && n > 1 ? { matches: "x" } : {}),
        ...(r === R - 1 ? { title: { text: spec.xTitle } } : {}),
        ...(spec.xType === "category" ? { tickangle: -45 } : {}),
        zeroline: false,
      };
      layout[`yaxis${suffix(n)}`] = {
        domain: [Math.max(0, y1 - h), y1],
        anchor: `x${suffix(n)}`,
        ...(spec.yRange ? { range: spec.yRange } : n > 1 ? { matches: "y" } : {}),
        ...(c === 0 ? { title: { text: spec.yTitle } } : {}),
        zeroline: false,
      };
    }
  }
  spec.cols.forEach((label, c) => {
    const x0 = c * (w + GAP_X);
    annotations.push({ text: `<b>${label}</b>`, xref: "paper", yref: "paper", x: x0 + w / 2, y: 1, yshift: 8, xanchor: "center", yanchor: "bottom", showarrow: false });
  });
  spec.rows.forEach((label, r) => {
    if (label === "") return;
    const y1 = 1 - r * (h + GAP_Y);
    annotations.push({ text: `<b>${label}</b>`, xref: "paper", yref: "paper", x: 1, xshift: 8, y: y1 - h / 2, xanchor: "left", yanchor: "middle", textangle: 90, showarrow: false });
  });
  layout.annotations = annotations;

  return {
    cell: (r, c) => { const n = index(r, c); return { xaxis: `x${suffix(n)}`, yaxis: `y${suffix(n)}` }; },
    layoutKeys: (r, c) => { const n = index(r, c); return { x: `xaxis${suffix(n)}`, y: `yaxis${suffix(n)}` }; },
    layout,
  };
}
