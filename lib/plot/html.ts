import { readFileSync } from "node:fs";
import { figureSize, type Figure } from "./figure";
import { plotlyBundlePath } from "./render";

/**
 * A figure as an HTML page. "inline" (default) embeds plotly.min.js (~4.8 MB) so the file works offline on its own;
 * "sibling" references ./plotly.min.js, which the caller must place next to the file (exportFigures does).
 */
export type HtmlPlotly = "inline" | "sibling";

// A "</script" inside embedded code or JSON would end the script element early.
const scriptSafe = (s: string): string => s.replace(/<\/script/gi, "<\\/script");

export function figureHtml(fig: Figure, opts: { plotly?: HtmlPlotly; title?: string } = {}): string {
  const { width, height } = figureSize(fig);
  const plotly = opts.plotly ?? "inline";
  const lib = plotly === "inline"
    ? `<script>${scriptSafe(readFileSync(plotlyBundlePath(), "utf8"))}</script>`
    : `<script src="plotly.min.js"></script>`;
  const spec = scriptSafe(JSON.stringify({ data: fig.data, layout: fig.layout }));
  const title = (opts.title ?? "figure").replace(/</g, "&lt;");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
${lib}
</head><body>
<div id="figure" style="width:${width}px;height:${height}px"></div>
<script>const spec = ${spec}; Plotly.newPlot("figure", spec.data, spec.layout, { responsive: true });</script>
</body></html>
`;
}
