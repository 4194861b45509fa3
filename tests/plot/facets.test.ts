import { describe, expect, it } from "vitest";
import { MAX_FIGURE_WIDTH } from "../../lib/plot";
import { facetGrid } from "../../lib/plot/facets";

type Axis = { domain: [number, number]; title?: { text: string } };
type Note = { text: string; x: number; y: number };
const axis = (layout: Record<string, unknown>, key: string) => layout[key] as Axis;

describe("facetGrid width cap", () => {
  it("keeps two columns side by side when they fit", () => {
    const g = facetGrid({ rows: ["m"], cols: ["a", "b"], title: "t", xTitle: "x", yTitle: "y" });
    expect(g.layout.width).toBeLessThanOrEqual(MAX_FIGURE_WIDTH);
    const [a, b] = [g.layoutKeys(0, 0), g.layoutKeys(0, 1)];
    // same line: same y domain, b right of a
    expect(axis(g.layout, b.y).domain).toEqual(axis(g.layout, a.y).domain);
    expect(axis(g.layout, b.x).domain[0]).toBeGreaterThan(axis(g.layout, a.x).domain[1]);
  });

  it("wraps 4 concepts × 2 models into lines of at most 2 cells, never wider than the cap, cells in order", () => {
    const cols = ["c1", "c2", "c3", "c4"];
    const g = facetGrid({ rows: ["m1", "m2"], cols, title: "t", xTitle: "strength", yTitle: "score", cellWidth: 300 });
    expect(g.layout.width).toBeLessThanOrEqual(MAX_FIGURE_WIDTH);
    const lines = new Map<string, string[]>();
    for (let r = 0; r < 2; r++) for (let c = 0; c < 4; c++) {
      const k = g.layoutKeys(r, c);
      const d = axis(g.layout, k.y).domain.map((v) => v.toFixed(4)).join(",");
      lines.set(d, [...(lines.get(d) ?? []), `${r}${c}`]);
      // y title on the first cell of each line only
      expect(axis(g.layout, k.y).title !== undefined).toBe(c % 2 === 0);
    }
    // 4 lines of 2 cells, top to bottom in row-major order
    const ordered = [...lines].sort((p, q) => Number(q[0].split(",")[1]) - Number(p[0].split(",")[1])).map(([, v]) => v);
    expect(ordered).toEqual([["00", "01"], ["02", "03"], ["10", "11"], ["12", "13"]]);
    // every cell names its column when wrapped; both row labels present
    const notes = (g.layout.annotations as Note[]).map((n) => n.text);
    for (const c of cols) expect(notes.filter((t) => t === `<b>${c}</b>`)).toHaveLength(2);
    expect(notes).toContain("<b>m1</b>");
    expect(notes).toContain("<b>m2</b>");
    // x titles only under the last line of the last row
    const titled = [...Array(8).keys()].filter((i) => axis(g.layout, g.layoutKeys(Math.floor(i / 4), i % 4).x).title);
    expect(titled).toEqual([6, 7]);
  });

  it("puts a single very wide cell on its own line", () => {
    const g = facetGrid({ rows: [""], cols: ["a", "b", "c"], title: "t", xTitle: "x", yTitle: "y", cellWidth: 900 });
    expect(g.layout.width).toBeLessThanOrEqual(MAX_FIGURE_WIDTH);
    const ys = [0, 1, 2].map((c) => axis(g.layout, g.layoutKeys(0, c).y).domain[1]);
    expect(new Set(ys).size).toBeGreaterThan(1);
  });
});
