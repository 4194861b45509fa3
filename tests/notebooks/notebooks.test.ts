import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM helpers of the notebook runners, without type declarations
import { solutionCode, withSolutions } from "../../scripts/kernel/exercises.mjs";
// @ts-expect-error: as above
import { htmlWithLivePlotly } from "../../scripts/kernel/notebook-html.mjs";

interface Cell { cell_type: string; id?: string; source: string[] | string; metadata: { tags?: string[] }; outputs?: unknown[] }
interface Notebook { nbformat: number; nbformat_minor: number; metadata: { kernelspec?: { name: string } }; cells: Cell[] }

const DIR = join(process.cwd(), "notebooks");
const files = readdirSync(DIR).filter((f) => f.endsWith(".ipynb")).sort();
const read = (f: string): Notebook => JSON.parse(readFileSync(join(DIR, f), "utf8"));
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join("") : c.source);

describe("committed notebooks", () => {
  it("are the lessons 00–07", () => expect(files.map((f) => f.slice(0, 2))).toEqual(["00", "01", "02", "03", "04", "05", "06", "07"]));
  for (const f of files) {
    describe(f, () => {
      const nb = read(f);
      it("are nbformat 4.5 with unique cell ids and the tslab kernel", () => {
        expect([nb.nbformat, nb.nbformat_minor]).toEqual([4, 5]);
        const ids = nb.cells.map((c) => c.id);
        expect(ids.every((id) => typeof id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(id))).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);
        expect(nb.metadata.kernelspec?.name).toBe("tslab");
      });
      it("are committed without outputs", () => {
        expect(nb.cells.filter((c) => c.cell_type === "code" && (c.outputs ?? []).length > 0).map((c) => c.id)).toEqual([]);
      });
      it("open with learning objectives and close with a recap", () => {
        expect(text(nb.cells[0])).toMatch(/Learning objectives/);
        expect(text(nb.cells.at(-1)!)).toMatch(/^## Recap/);
      });
      it("have at least one exercise, each followed by a folded solution with code", () => {
        const exercises = nb.cells.flatMap((c, i) => (c.metadata.tags?.includes("exercise") ? [i] : []));
        expect(exercises.length).toBeGreaterThanOrEqual(1);
        for (const i of exercises) {
          const sol = nb.cells[i + 1];
          expect(sol.cell_type).toBe("markdown");
          expect(sol.metadata.tags).toContain("solution");
          expect(text(sol)).toMatch(/^<details>/);
          expect(text(nb.cells[i])).toMatch(/TODO/);
          expect(solutionCode(sol, f)).not.toMatch(/TODO/);
        }
      });
    });
  }
});

describe("withSolutions", () => {
  const nb = {
    cells: [
      { cell_type: "code", source: "stub()", metadata: { tags: ["exercise"] } },
      { cell_type: "markdown", source: "<details>\n\n```typescript\nsolved();\n```\n\n</details>", metadata: { tags: ["solution"] } },
    ],
  };
  it("puts each solution in place of its stub and leaves the original alone", () => {
    const out = withSolutions(nb, "x.ipynb");
    expect(out.exercises).toBe(1);
    expect(out.nb.cells[0].source).toBe("solved();");
    expect(nb.cells[0].source).toBe("stub()");
  });
  it("refuses an exercise without a solution after it", () => {
    expect(() => withSolutions({ cells: [nb.cells[0]] }, "x.ipynb")).toThrow(/x.ipynb: exercise cell #1 must be followed by a markdown cell tagged "solution"/);
    expect(() => solutionCode({ source: "no code" }, "x cell #2")).toThrow(/needs a ```typescript block/);
  });
});

describe("htmlWithLivePlotly", () => {
  it("gives each plotly output a script that draws it, drops its PNG, and escapes < in the JSON", () => {
    const fig = { data: [{ type: "bar", name: "</script><b>" }], layout: { width: 300 } };
    const nb = { cells: [{ cell_type: "code", outputs: [{ output_type: "display_data", data: { "application/vnd.plotly.v1+json": fig, "image/png": "AAAA", "text/plain": "Figure" }, metadata: { "image/png": { width: 300 } } }] }] };
    const out = htmlWithLivePlotly(nb).cells[0].outputs[0];
    expect(Object.keys(out.data).sort()).toEqual(["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    expect(out.metadata).toEqual({});
    expect(out.data["text/html"]).toMatch(/^<div id="steersynth-figure-1"><\/div>\n<script>Plotly.newPlot\("steersynth-figure-1", /);
    expect(out.data["text/html"]).not.toContain("</script><b>");
    expect(out.data["text/html"]).toContain("\\u003c/script>");
  });
});
