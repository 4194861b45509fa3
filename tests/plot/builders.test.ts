import { describe, expect, it } from "vitest";
import {
  aurocByConfiguration, assertResultRows, correlationHeatmap, exampleGenerationRows, hmVsAuroc,
  generationsFromResults, intrinsicAurocCorrelations, metricVsStrength, rankCorrelation, tableFigure, tradeoffScatter, type Figure, type GenerationExample,
  type Trace,
} from "../../lib/plot";
import { configurationLabel } from "../../lib/study";
import { CONCEPTS, METHOD_LAYERS, MODELS, STRENGTHS, syntheticResults } from "./fixture";

const rows = syntheticResults();
const axisKey = (ref: unknown, letter: "x" | "y") => `${letter}axis${String(ref ?? letter).slice(1)}`;

/** Every trace sits on axes the layout defines, and its x and y arrays have the same length. */
function expectWellFormed(fig: Figure): void {
  for (const t of fig.data) {
    if (t.type === "heatmap") continue;
    expect(fig.layout[axisKey(t.xaxis, "x")], `layout has ${axisKey(t.xaxis, "x")}`).toBeDefined();
    expect(fig.layout[axisKey(t.yaxis, "y")], `layout has ${axisKey(t.yaxis, "y")}`).toBeDefined();
    expect((t.x as unknown[]).length).toBe((t.y as unknown[]).length);
  }
  // Each legend group is listed exactly once.
  const shown = fig.data.filter((t) => t.showlegend !== false).map((t) => t.legendgroup ?? t.name);
  expect(new Set(shown).size).toBe(shown.length);
}
const tracesIn = (fig: Figure, xaxis: string): Trace[] => fig.data.filter((t) => t.xaxis === xaxis);
const facetCount = (fig: Figure) => Object.keys(fig.layout).filter((k) => /^xaxis\d*$/.test(k)).length;

/** Spearman without ties, by the textbook formula 1 − 6Σd²/(n(n²−1)) (independent of lib/metrics). */
function naiveSpearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => v.map((a) => v.filter((b) => b < a).length + 1);
  const rx = rank(x), ry = rank(y), n = x.length;
  const d2 = rx.reduce((s, r, i) => s + (r - ry[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe("metricVsStrength", () => {
  const fig = metricVsStrength(rows, "success");
  it("has one facet per model × concept and one line per method/layer plus the baselines present", () => {
    expectWellFormed(fig);
    expect(facetCount(fig)).toBe(MODELS.length * CONCEPTS.length);
    // 4 method/layer lines per facet, prompting everywhere, real in 3 of the 4 facets (baselines in lib/study BASELINES order).
    expect(fig.data.length).toBe(MODELS.length * CONCEPTS.length * (METHOD_LAYERS.length + 1) + 3);
    expect(tracesIn(fig, "x").map((t) => t.name)).toEqual(["actadd", "caa L2", "caa L4", "pca", "real", "prompting"]);
  });
  it("draws an unsteered row as a third baseline line, in its own dash", () => {
    const withUnsteered = [...rows, { ...rows.find((r) => r.method === "prompting" && r.concept === "toxic" && r.model === "m1")!, method: "unsteered", success: 0.125 }];
    const line = tracesIn(metricVsStrength(withUnsteered, "success"), "x").find((t) => t.name === "unsteered")!;
    expect(line.y).toEqual([0.125, 0.125]);
    expect((line.line as { dash: string }).dash).toBe("dashdot");
  });
  it("plots the rows' values sorted by strength", () => {
    // Facet (row 1 = m2, col 0 = toxic) is axis 3.
    const t = tracesIn(fig, "x3").find((x) => x.name === "caa L4") as Trace;
    const expected = rows.filter((r) => r.model === "m2" && r.concept === "toxic" && r.method === "caa" && r.layer === 4)
      .sort((a, b) => (a.strength as number) - (b.strength as number));
    expect(t.x).toEqual([...STRENGTHS].sort((a, b) => a - b));
    expect(t.y).toEqual(expected.map((r) => r.success));
    expect(tracesIn(fig, "x3").map((x) => x.name)).not.toContain("real"); // that facet has no real row
    const prompting = tracesIn(fig, "x3").find((x) => x.name === "prompting") as Trace;
    const p = rows.find((r) => r.model === "m2" && r.concept === "toxic" && r.method === "prompting")!;
    expect(prompting.y).toEqual([p.success, p.success]);
    expect(prompting.x).toEqual([1, 4]);
  });
  it("rejects a table without steered rows", () => {
    expect(() => metricVsStrength(rows.filter((r) => r.method === "prompting"), "coherence")).toThrow(/no steered rows/);
  });
});

describe("tradeoffScatter", () => {
  it("puts every steered configuration once, on the chosen axes", () => {
    const fig = tradeoffScatter(rows, { x: "diversity_sample", y: "coherence" });
    expectWellFormed(fig);
    const steered = fig.data.filter((t) => !["prompting", "real"].includes(t.name as string));
    expect(steered.reduce((n, t) => n + (t.x as number[]).length, 0)).toBe(48);
    const pca = tracesIn(fig, "x2").find((t) => t.name === "pca") as Trace; // m1 × sycophant
    const src = rows.filter((r) => r.model === "m1" && r.concept === "sycophant" && r.method === "pca");
    expect(pca.x).toEqual(src.map((r) => r.diversity_sample));
    expect(pca.y).toEqual(src.map((r) => r.coherence));
  });
});

describe("aurocByConfiguration", () => {
  const fig = aurocByConfiguration(rows);
  it("has categorical axes ordered by method, layer, strength, with asymmetric intervals", () => {
    expectWellFormed(fig);
    const order = (fig.layout.xaxis as { categoryarray: string[] }).categoryarray;
    expect(order.slice(0, 4)).toEqual(["actadd L3 ×1", "actadd L3 ×2", "actadd L3 ×4", "caa L2 ×1"]);
    expect(order).toHaveLength(12);
    const caa = tracesIn(fig, "x").find((t) => t.name === "caa") as Trace & { error_y: { array: number[]; arrayminus: number[] } };
    const src = rows.filter((r) => r.model === "m1" && r.concept === "toxic" && r.method === "caa")
      .sort((a, b) => (a.layer as number) - (b.layer as number) || (a.strength as number) - (b.strength as number));
    expect(caa.x).toEqual(src.map(configurationLabel));
    src.forEach((r, i) => {
      expect(caa.error_y.array[i]).toBeCloseTo((r.auroc_ci_high as number) - (r.auroc as number), 12);
      expect(caa.error_y.arrayminus[i]).toBeCloseTo(0.05, 12);
    });
  });
  it("draws prompting and real AUROC as reference lines across the categories", () => {
    const lines = tracesIn(fig, "x").filter((t) => t.name === "prompting" || t.name === "real");
    expect(lines.map((t) => t.y)).toEqual([[0.75, 0.75], [0.75, 0.75]]);
    expect(lines[0].x).toEqual(["actadd L3 ×1", "pca L3 ×4"]);
  });
});

describe("rank correlation figures", () => {
  it("annotates each concept panel with Spearman ρ over its configurations (checked against the textbook formula, 1e-12)", () => {
    const fig = hmVsAuroc(rows, { hm: "hm_sc" });
    expectWellFormed(fig);
    expect(facetCount(fig)).toBe(CONCEPTS.length);
    const notes = (fig.layout.annotations as { text: string; xref: string }[]).filter((a) => a.text.startsWith("ρ"));
    CONCEPTS.forEach((concept, c) => {
      const here = rows.filter((r) => r.concept === concept && r.strength !== null);
      const expected = naiveSpearman(here.map((r) => r.hm_sc as number), here.map((r) => r.auroc as number));
      expect(notes[c].text).toBe(`ρ = ${expected.toFixed(2)} (n = 24)`);
      expect(notes[c].xref).toBe(c === 0 ? "x domain" : "x2 domain");
      const cell = intrinsicAurocCorrelations(rows).find((x) => x.concept === concept && x.axis === "hm_sc")!;
      expect(cell.rho).toBeCloseTo(expected, 12);
    });
  });
  it("uses a rank correlation passed in", () => {
    const fig = hmVsAuroc(rows, { spearman: () => 0.5 });
    expect((fig.layout.annotations as { text: string }[]).filter((a) => a.text === "ρ = 0.50 (n = 24)")).toHaveLength(2);
  });
  it("reports ρ as undefined for constant inputs and fewer than 3 finite pairs", () => {
    expect(rankCorrelation([1, 2, 3], [5, 5, 5])).toEqual({ rho: null, n: 3 });
    expect(rankCorrelation([1, 2, null, NaN], [3, 1, 2, 4])).toEqual({ rho: null, n: 2 });
    expect(rankCorrelation([1, 2, 3, 4], [1, 3, 2, 4]).rho).toBeCloseTo(0.8, 12);
  });
  it("builds an intrinsic-score × concept heatmap of those correlations", () => {
    const fig = correlationHeatmap(rows, { metrics: ["success", "hm_scd"] });
    const [h] = fig.data as { z: (number | null)[][]; x: string[]; y: string[] }[];
    expect(h.x).toEqual(CONCEPTS);
    expect(h.y).toHaveLength(2);
    const here = rows.filter((r) => r.concept === "sycophant" && r.strength !== null);
    expect(h.z[1][1]).toBeCloseTo(naiveSpearman(here.map((r) => r.hm_scd as number), here.map((r) => r.auroc as number)), 12);
  });
});

describe("exampleGenerationRows", () => {
  const g = (strength: number, text: string, layer = 3): GenerationExample => ({ concept: "c", model: "m", method: "caa", layer, strength, text });
  it("picks low / mid / high strength per configuration, first generation at each", () => {
    const out = exampleGenerationRows([g(8, "h"), g(1, "l1"), g(1, "l2"), g(2, "m"), g(4, "m2"), g(16, "top")]);
    expect(out.map((r) => [r.level, r.strength, r.text])).toEqual([["low", 1, "l1"], ["mid", 4, "m2"], ["high", 16, "top"]]);
  });
  it("become a plotly table with one column of cells per field", () => {
    const out = exampleGenerationRows([g(1, "a"), g(2, "b"), g(3, "c")]);
    const [t] = tableFigure(out, { columns: ["level", "strength", "text"] }).data as { cells: { values: string[][] } }[];
    expect(t.cells.values).toEqual([["low", "mid", "high"], ["1", "2", "3"], ["a", "b", "c"]]);
    const [escaped] = tableFigure([{ text: "<b>x</b> & y\nz" }]).data as { cells: { values: string[][] } }[];
    expect(escaped.cells.values).toEqual([["&lt;b&gt;x&lt;/b&gt; &amp; y<br>z"]]);
  });
  it("collapses levels when there are fewer than three strengths, and clips long texts", () => {
    expect(exampleGenerationRows([g(2, "a"), g(5, "b")]).map((r) => r.level)).toEqual(["low", "high"]);
    expect(exampleGenerationRows([g(2, "a")]).map((r) => r.level)).toEqual(["high"]);
    expect(exampleGenerationRows([g(1, "abcdef")], { maxChars: 4 })[0].text).toBe("abc…");
    expect(exampleGenerationRows([g(1, "x", 2), g(1, "y", 5)])).toHaveLength(2);
  });
});

describe("generationsFromResults", () => {
  const base = { concept: "c", model: "m", method: "caa", layer: 2, strength: 4 };
  it("unpacks the examples column of steered rows and skips baselines", () => {
    const gens = generationsFromResults([
      { ...base, examples: JSON.stringify(["a", "b"]) },
      { ...base, method: "prompting", layer: null, strength: null, examples: JSON.stringify(["p"]) },
    ]);
    expect(gens.map((g) => [g.strength, g.text])).toEqual([[4, "a"], [4, "b"]]);
  });
  it("names the row when the column is not a JSON array of strings", () => {
    expect(() => generationsFromResults([{ ...base, examples: "not json" }])).toThrow(/results\[0\]\.examples: expected a JSON array of strings/);
    expect(() => generationsFromResults([{ ...base, examples: "[1]" }])).toThrow(/results\[0\]\.examples/);
  });
});

describe("assertResultRows", () => {
  it("accepts the synthetic table and names the bad field otherwise", () => {
    expect(() => assertResultRows(rows)).not.toThrow();
    expect(() => assertResultRows([{ ...rows[0], auroc: "0.7" }])).toThrow(/results\[0\]\.auroc: expected a number or null/);
    expect(() => assertResultRows([{ ...rows[0], strength: null }])).toThrow(/results\[0\]: steered row \(method caa\) needs layer and strength/);
  });
});
