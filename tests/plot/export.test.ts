import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  aurocByConfiguration, chromiumAvailable, exampleGenerationRows, tableFigure, chromiumPath, correlationHeatmap, exportFigures, figureHtml, hmVsAuroc,
  metricVsStrength, tradeoffScatter, withRenderer, type Figure,
} from "../../lib/plot";
import { syntheticResults } from "./fixture";

const rows = syntheticResults();
const small: Figure = { data: [{ type: "bar", x: ["a", "b"], y: [1, 3] }], layout: { width: 300, height: 200, title: { text: "small" } } };
const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });
const PNG_SIGNATURE = "89504e470d0a1a0a";

if (!chromiumAvailable()) console.warn(`tests/plot/export: ${chromiumPath()} not found, PNG/SVG export tests skipped (npm run setup installs chromium)`);

const out = mkdtempSync(join(tmpdir(), "steersynth-plot-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("HTML export (no browser)", () => {
  it("writes a standalone page with plotly.js inlined, or a sibling plotly.min.js", async () => {
    const inline = figureHtml(small);
    expect(inline.length).toBeGreaterThan(1_000_000); // plotly.min.js is ~4.8 MB
    expect(inline).toContain('Plotly.newPlot("figure"');
    expect(inline).not.toContain('src="plotly.min.js"');
    const dir = join(out, "html");
    const files = await exportFigures([{ name: "small", fig: small }], dir, { formats: ["html"], html: "sibling" });
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(["plotly.min.js", "small.html"]);
    expect(readFileSync(join(dir, "small.html"), "utf8")).toContain('<script src="plotly.min.js"></script>');
  });
  it("rejects unsafe or duplicate names before writing anything", async () => {
    const dir = join(out, "bad");
    await expect(exportFigures([{ name: "../x", fig: small }], dir)).rejects.toThrow(/figs\[0\]\.name '\.\.\/x'/);
    await expect(exportFigures([{ name: "a", fig: small }, { name: "a", fig: small }], dir)).rejects.toThrow(/used twice/);
    expect(() => readdirSync(dir)).toThrow();
  });
});

describe.skipIf(!chromiumAvailable())("static export with headless chromium", () => {
  it("writes non-empty PNG (at scale × layout size), SVG and HTML for each figure with one browser", async () => {
    const dir = join(out, "static");
    const files = await exportFigures([{ name: "small", fig: small }, { name: "success", fig: metricVsStrength(rows, "success") }], dir, { scale: 2 });
    expect(files).toHaveLength(6);
    for (const f of files) expect(statSync(f).size).toBeGreaterThan(1000);
    const png = readFileSync(join(dir, "small.png"));
    expect(png.subarray(0, 8).toString("hex")).toBe(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual({ width: 600, height: 400 });
    const svg = readFileSync(join(dir, "small.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(">small<"); // the title is rendered as text
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
  it("every study figure passes plotly.js's own schema check (Plotly.validate)", async () => {
    const examples = exampleGenerationRows([1, 2, 4].map((strength) => ({ concept: "c", model: "m", method: "caa", layer: 2, strength, text: `text at ${strength} `.repeat(8) })));
    const figs = [metricVsStrength(rows, "coherence"), tradeoffScatter(rows), aurocByConfiguration(rows), hmVsAuroc(rows), correlationHeatmap(rows), tableFigure(examples, { title: "examples" })];
    const problems = await withRenderer(async (r) => {
      expect(await r.validate({ data: [{ type: "scatter", x: [1], yy: [2] }], layout: {} })).toEqual(["In data trace 0, key yy is not part of the schema"]);
      return Promise.all(figs.map((f) => r.validate(f)));
    });
    expect(problems).toEqual(figs.map(() => []));
  });
});
