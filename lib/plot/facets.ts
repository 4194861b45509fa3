import { MAX_FIGURE_WIDTH, type Layout } from "./figure";

/**
 * A grid of subplots (facets): one x/y axis pair per cell, laid out by hand so that every builder gets the same
 * spacing and the trace refs ("x3"/"y3") it must put on its traces. The figure never gets wider than
 * MAX_FIGURE_WIDTH: when the columns do not fit, each row wraps onto several lines of at most `perLine` cells
 * (cells keep their order), every cell then carries its own column label, and the legend stays on the right.
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
/** Left margin (y titles) + right margin (legend, row labels), in pixels. */
const MARGIN_L = 70, MARGIN_R = 150;
/** Cells are not squeezed below this width to avoid wrapping. */
const MIN_CELL_WIDTH = 260;

export function facetGrid(spec: FacetSpec): FacetGrid {
  const R = spec.rows.length, C = spec.cols.length;
  if (R === 0 || C === 0) throw new Error(`facetGrid "${spec.title}": needs at least one row and one column (got ${R} × ${C})`);
  const index = (r: number, c: number): number => {
    if (r < 0 || r >= R || c < 0 || c >= C) throw new Error(`facetGrid "${spec.title}": cell (${r}, ${c}) outside ${R} × ${C}`);
    return r * C + c + 1;
  };
  const suffix = (n: number): string => (n === 1 ? "" : String(n));
  // How many cells fit side by side, and how wide each may be, inside the width cap.
  const room = MAX_FIGURE_WIDTH - MARGIN_L - MARGIN_R;
  const wantCell = spec.cellWidth ?? 300;
  const perLine = Math.max(1, Math.min(C, Math.floor(room / Math.min(wantCell, MIN_CELL_WIDTH))));
  const cellWidth = Math.min(wantCell, room / perLine);
  const linesPerRow = Math.ceil(C / perLine), wrapped = linesPerRow > 1;
  const L = R * linesPerRow; // visual lines, top to bottom
  const place = (r: number, c: number) => ({ line: r * linesPerRow + Math.floor(c / perLine), col: c % perLine });
  // Category axes carry long rotated tick labels below each cell; wrapped cells carry a label above: leave room.
  const GAP_Y = (spec.xType === "category" ? 0.25 : 0.1) + (wrapped ? 0.04 : 0);
  const w = (1 - GAP_X * (perLine - 1)) / perLine, h = (1 - GAP_Y * (L - 1)) / L;
  const shareX = spec.shareX ?? (spec.xType ?? "linear") === "linear";

  const layout: Layout = {
    title: { text: spec.title },
    width: Math.round(cellWidth * perLine + MARGIN_L + MARGIN_R),
    height: (spec.cellHeight ?? 260) * L + 160,
    margin: { l: MARGIN_L, r: MARGIN_R, t: 90, b: spec.xType === "category" ? 140 : 60 },
    legend: { x: 1.06, y: 1, xanchor: "left" },
  };
  const annotations: Record<string, unknown>[] = [];
  const label = (text: string, x: number, y: number) =>
    annotations.push({ text: `<b>${text}</b>`, xref: "paper", yref: "paper", x, y, yshift: 8, xanchor: "center", yanchor: "bottom", showarrow: false });
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const n = index(r, c), { line, col } = place(r, c);
      const x0 = col * (w + GAP_X), y1 = 1 - line * (h + GAP_Y);
      // The x title goes under the cells that have no cell below them.
      const lowest = r === R - 1 && (c + perLine >= C);
      layout[`xaxis${suffix(n)}`] = {
        domain: [x0, Math.min(1, x0 + w)],
        anchor: `y${suffix(n)}`,
        type: spec.xType ?? "linear",
        ...(spec.xRange ? { range: spec.xRange } : {}),
        // A fixed range already aligns the cells; adding `matches` on top of it breaks y autoscaling in plotly.js 4.
        ...(shareX && !spec.xRange && n > 1 ? { matches: "x" } : {}),
        ...(lowest ? { title: { text: spec.xTitle } } : {}),
        ...(spec.xType === "category" ? { tickangle: -45 } : {}),
        zeroline: false,
      };
      layout[`yaxis${suffix(n)}`] = {
        domain: [Math.max(0, y1 - h), y1],
        anchor: `x${suffix(n)}`,
        ...(spec.yRange ? { range: spec.yRange } : n > 1 ? { matches: "y" } : {}),
        ...(col === 0 ? { title: { text: spec.yTitle } } : {}),
        zeroline: false,
      };
      if (wrapped || r === 0) label(spec.cols[c], x0 + w / 2, y1);
    }
  }
  spec.rows.forEach((text, r) => {
    if (text === "") return;
    // Row labels on the right, centred on the row's lines.
    const top = 1 - r * linesPerRow * (h + GAP_Y), bottom = top - linesPerRow * h - (linesPerRow - 1) * GAP_Y;
    annotations.push({ text: `<b>${text}</b>`, xref: "paper", yref: "paper", x: 1, xshift: 8, y: (top + bottom) / 2, xanchor: "left", yanchor: "middle", textangle: 90, showarrow: false });
  });
  layout.annotations = annotations;

  return {
    cell: (r, c) => { const n = index(r, c); return { xaxis: `x${suffix(n)}`, yaxis: `y${suffix(n)}` }; },
    layoutKeys: (r, c) => { const n = index(r, c); return { x: `xaxis${suffix(n)}`, y: `yaxis${suffix(n)}` }; },
    layout,
  };
}
