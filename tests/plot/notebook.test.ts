import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  MAX_FIGURE_WIDTH, PLOTLY_MIME, chromiumAvailable, closeRenderer, figureBundle, show, showTable, tableHtml, tableText, type Figure,
} from "../../lib/plot";

const fig: Figure = { data: [{ type: "scatter", x: [1, 2, 3], y: [3, 1, 2], name: "a" }], layout: { title: { text: "tiny" }, width: 320, height: 240 } };
type Msg = { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> };
const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

/**
 * Stand in for a running tslab kernel: show() finds the current cell's writer as `lastWriteDisplayData` on the
 * cached module tslab/dist/jupyter — put a recording one there (and remove it afterwards).
 */
const req = createRequire(join(process.cwd(), "package.json"));
const jupyterPath = req.resolve("tslab/dist/jupyter");
function fakeKernel(): unknown[][] {
  const sent: unknown[][] = [];
  req.cache[jupyterPath] = { exports: { lastWriteDisplayData: (...args: unknown[]) => sent.push(args) } } as NodeJS.Module;
  return sent;
}
afterEach(() => { delete req.cache[jupyterPath]; });
afterAll(() => closeRenderer());

describe("show() outside a kernel", () => {
  it("fails with an explanation", async () => {
    await expect(show(fig)).rejects.toThrow(/tslab notebook kernel only; outside notebooks use exportFigures/);
    expect(() => showTable([{ a: 1 }])).toThrow(/tslab notebook kernel only/);
  });
});

describe.skipIf(!chromiumAvailable())("show() in a kernel (with chromium)", () => {
  it("sends the live chart first, then adds a 1× PNG with its size to the same display", async () => {
    const sent = fakeKernel();
    await show(fig);
    expect(sent).toHaveLength(2);
    const [[first, firstUpdate], [second, secondUpdate]] = sent as [Msg, boolean][];
    // 1: display_data without a PNG, so JupyterLab's plotly renderer builds the live chart at once.
    expect(firstUpdate).toBe(false);
    expect(Object.keys(first.data).sort()).toEqual([PLOTLY_MIME, "text/plain"].sort());
    expect(first.data[PLOTLY_MIME]).toEqual({ data: fig.data, layout: fig.layout });
    expect(first.data["text/plain"]).toBe('Figure "tiny": 1 trace (scatter)');
    // 2: update_display_data of the same display_id with the static fallback.
    expect(secondUpdate).toBe(true);
    expect(second.transient.display_id).toBe(first.transient.display_id);
    expect(Object.keys(second.data).sort()).toEqual([PLOTLY_MIME, "image/png", "text/plain"].sort());
    const png = Buffer.from(second.data["image/png"] as string, "base64");
    expect(pngSize(png)).toEqual({ width: 320, height: 240 });
    expect(second.metadata["image/png"]).toEqual({ width: 320, height: 240 });
  });
  it("gives every display its own id", async () => {
    const sent = fakeKernel();
    await show(fig, { png: false });
    await show(fig, { png: false });
    expect(sent).toHaveLength(2);
    const ids = (sent as [Msg, boolean][]).map(([m]) => m.transient.display_id);
    expect(new Set(ids).size).toBe(2);
  });
  it("caps a wide figure at MAX_FIGURE_WIDTH, in the JSON and the PNG alike", async () => {
    const wide: Figure = { data: fig.data, layout: { ...fig.layout, width: 1400, height: 300 } };
    const { data, metadata } = await figureBundle(wide);
    expect((data[PLOTLY_MIME] as Figure).layout.width).toBe(MAX_FIGURE_WIDTH);
    expect(pngSize(Buffer.from(data["image/png"] as string, "base64"))).toEqual({ width: MAX_FIGURE_WIDTH, height: 300 });
    expect(metadata["image/png"]).toEqual({ width: MAX_FIGURE_WIDTH, height: 300 });
    expect(wide.layout.width).toBe(1400); // the caller's figure is not changed
  });
  it("omits the PNG when asked", async () => {
    const { data } = await figureBundle(fig, { png: false });
    expect(Object.keys(data).sort()).toEqual([PLOTLY_MIME, "text/plain"].sort());
  });
});

describe.skipIf(chromiumAvailable())("show() in a kernel (without chromium)", () => {
  it("sends plotly JSON and text only, and png: true is an error", async () => {
    const sent = fakeKernel();
    await show(fig);
    expect(sent).toHaveLength(1);
    expect(Object.keys((sent[0][0] as { data: object }).data).sort()).toEqual([PLOTLY_MIME, "text/plain"].sort());
    await expect(figureBundle(fig, { png: true })).rejects.toThrow(/chromium not found/);
  });
});

describe("tables", () => {
  const rows = [{ method: "caa", auroc: 0.812345, note: "<b>&" }, { method: "actadd", auroc: null, note: "x" }];
  it("showTable sends text/html and text/plain in one message", () => {
    const sent = fakeKernel();
    showTable(rows, { caption: "t" });
    const [msg] = sent[0] as [{ data: Record<string, string> }];
    expect(Object.keys(msg.data).sort()).toEqual(["text/html", "text/plain"]);
    // Long tables scroll inside a bounded box.
    expect(msg.data["text/html"]).toMatch(/^<div class="steersynth-table" style="max-height:\d+px;max-width:100%;overflow:auto"><table>/);
  });
  it("escapes HTML, formats numbers to 4 significant digits, leaves missing values empty", () => {
    const html = tableHtml(rows);
    expect(html).toContain("<td style=\"text-align:left\">&lt;b&gt;&amp;</td>");
    expect(html).toContain(">0.8123<");
    expect(tableText(rows).split("\n")).toEqual([
      "method  auroc   note",
      "------  ------  ----",
      "caa     0.8123  <b>&",
      "actadd          x",
    ]);
    expect(tableText(rows, { maxRows: 1 }).split("\n").pop()).toBe("… 1 more row (2 in all)");
  });
});

describe("tokens coloured by a value", () => {
  it("colours positive red, negative blue, scaled by the largest |value|, and escapes the text", async () => {
    const { tokenHeatHtml, tokenHeatText } = await import("../../lib/plot");
    const html = tokenHeatHtml(["<a>", " b", " c"], [2, -1, 0]);
    expect(html).toContain('title="2.000" style="background:rgba(214,39,40,0.850);white-space:pre-wrap">&lt;a&gt;</span>');
    expect(html).toContain('title="-1.000" style="background:rgba(31,119,180,0.425);');
    expect(html).toContain('rgba(214,39,40,0.000)');
    expect(tokenHeatText(["a", "b"], [1, -0.5])).toBe('"a":1.00 "b":-0.50');
    expect(() => tokenHeatHtml(["a"], [1, 2])).toThrow(/1 tokens but 2 values/);
    expect(() => tokenHeatHtml(["a"], [NaN])).toThrow(/value 0 .* not finite/);
  });
});
