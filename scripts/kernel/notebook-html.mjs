// Executed notebooks → readable HTML with live figures (used by `npm run notebooks -- --html`). nbconvert's HTML
// templates know no plotly mime type and would fall back to the static PNG; here each plotly output gets a
// text/html part (which nbconvert prefers) that draws the chart with the page's plotly.js, and loses its PNG.
const PLOTLY_MIME = "application/vnd.plotly.v1+json";

// JSON inside <script>: "<" escaped so that no string in a figure can close the script element.
const scriptJson = (value) => JSON.stringify(value).replace(/</g, "\\u003c");

export function htmlWithLivePlotly(nb) {
  let n = 0;
  const cells = nb.cells.map((cell) => {
    if (cell.cell_type !== "code") return cell;
    const outputs = (cell.outputs ?? []).map((o) => {
      const fig = o.data?.[PLOTLY_MIME];
      if (!fig) return o;
      const id = `steersynth-figure-${++n}`;
      const { "image/png": _png, ...data } = o.data;
      const { "image/png": _pngMeta, ...metadata } = o.metadata ?? {};
      data["text/html"] = `<div id="${id}"></div>\n<script>Plotly.newPlot(${JSON.stringify(id)}, ${scriptJson(fig.data)}, ${scriptJson(fig.layout)}, {responsive: false});</script>`;
      return { ...o, data, metadata };
    });
    return { ...cell, outputs };
  });
  return { ...nb, cells };
}
