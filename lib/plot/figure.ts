/**
 * A figure is pure data: plotly.js JSON (https://plotly.com/javascript/reference/). Builders return it, the notebook
 * display and the static export consume it; nothing in between holds a browser or a DOM.
 */
export type Trace = Record<string, unknown>;
export type Layout = Record<string, unknown>;
export interface Figure { data: Trace[]; layout: Layout }

/** Pixel size used when the layout gives none (plotly's own default is 700 × 450). */
export const DEFAULT_WIDTH = 900;
export const DEFAULT_HEIGHT = 500;
/** The widest figure a notebook shows: JupyterLab's output area in a 1280 px window with the file browser open
 *  (measured ~850 px by scripts/notebooks-browser.mjs). */
export const MAX_FIGURE_WIDTH = 840;

export const figureSize = (fig: Figure): { width: number; height: number } => ({
  width: typeof fig.layout.width === "number" ? fig.layout.width : DEFAULT_WIDTH,
  height: typeof fig.layout.height === "number" ? fig.layout.height : DEFAULT_HEIGHT,
});

const titleText = (layout: Layout): string | null => {
  const t = layout.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return null;
};

/** One line naming the figure, for text/plain outputs and logs: `Figure "title": 3 traces (scatter ×2, bar)`. */
export function describeFigure(fig: Figure): string {
  const counts = new Map<string, number>();
  for (const t of fig.data) {
    const type = typeof t.type === "string" ? t.type : "scatter";
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  const kinds = [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(", ");
  const title = titleText(fig.layout);
  return `Figure${title ? ` "${title.replace(/<[^>]+>/g, "")}"` : ""}: ${fig.data.length} trace${fig.data.length === 1 ? "" : "s"}${kinds ? ` (${kinds})` : ""}`;
}

/** Check the shape that every consumer relies on; the message names the figure and what was expected. */
export function assertFigure(fig: unknown, what = "figure"): asserts fig is Figure {
  if (!fig || typeof fig !== "object") throw new Error(`${what}: expected an object {data, layout}, got ${typeof fig}`);
  const f = fig as { data?: unknown; layout?: unknown };
  if (!Array.isArray(f.data)) throw new Error(`${what}.data: expected an array of traces`);
  f.data.forEach((t, i) => {
    if (!t || typeof t !== "object" || Array.isArray(t)) throw new Error(`${what}.data[${i}]: expected a trace object`);
  });
  if (!f.layout || typeof f.layout !== "object" || Array.isArray(f.layout)) throw new Error(`${what}.layout: expected an object`);
}
