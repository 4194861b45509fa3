import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main";
import { CONTRACT_COLUMNS, EXTRA_COLUMNS } from "../../lib/study/columns";
import { assembleResults, writeResults } from "../../lib/study/results";
import { loadResultRows } from "../../lib/study/table";
import type { UnitRow } from "../../lib/study/stages/row";

/** loadResultRows (what summarize, the figures and the notebooks read) and the `figures` command on it. */
const dir = mkdtempSync(join(tmpdir(), "steersynth-load-results-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (method: UnitRow["method"], layer: number | null, strength: number | null, aurocs: number[], concept = "toxicity"): UnitRow => ({
  concept, model: "m", method, layer, strength,
  success: 0.125 + (strength ?? 0) / 8, violation_rate: (strength ?? 0) / 8, coherence: 0.75 - (strength ?? 0) / 16, diversity_sample: 0.9, diversity_set: 0.8, hm_scd: 0.4, hm_sc: 0.3,
  auroc: aurocs.reduce((s, x) => s + x, 0) / aurocs.length, auroc_ci_low: 0.1, auroc_ci_high: 0.95, aurocs, detector_note: null,
  n_train: 10, n_test: 20, empty_responses: 1, examples: ["one \"quoted\", reply", "two"], set_metrics: { responses: 2 },
  origin: strength === null ? null : "grid",
});
const units = [
  row("real", null, null, [0.9, 0.91]), row("prompting", null, null, [0.6, 0.62]),
  row("caa", 2, 0.5, [0.7, 0.71]), row("caa", 2, 1, [0.5, 0.55]), row("actadd", 1, 4, [0.65, 0.66]),
];

describe("loadResultRows", () => {
  it("reads back exactly the rows writeResults wrote: numbers, nulls for empty cells, booleans, strings", async () => {
    const out = join(dir, "ok");
    const rows = assembleResults(units);
    writeResults(out, rows);
    const back = await loadResultRows(out);
    expect(back).toHaveLength(rows.length);
    back.forEach((r, i) => {
      for (const c of [...CONTRACT_COLUMNS, ...EXTRA_COLUMNS]) expect(r[c as keyof typeof r], `${i}.${c}`).toEqual(rows[i][c as keyof (typeof rows)[number]]);
    });
    expect(back[0].layer).toBeNull();
    expect(back[2].beats_prompting).toBe(true);
    expect(JSON.parse(back[2].examples)).toEqual(["one \"quoted\", reply", "two"]);
  });

  it("names results.csv when it is missing or lacks contract columns", async () => {
    await expect(loadResultRows(join(dir, "none"))).rejects.toThrow(join(dir, "none"));
    const out = join(dir, "cut");
    writeResults(out, assembleResults(units));
    const csv = readFileSync(join(out, "results.csv"), "utf8").split("\n");
    const cols = csv[0].split(",");
    const drop = [cols.indexOf("auroc"), cols.indexOf("hm_sc")];
    writeFileSync(join(out, "results.csv"), csv.map((l) => l.split(",").filter((_, i) => !drop.includes(i)).join(",")).join("\n"));
    await expect(loadResultRows(join(out, "results.csv"))).rejects.toThrow(/results\.csv.*(hm_sc|auroc)/);
  });
});

describe("steersynth figures", () => {
  it("writes the study's figures as HTML from a results folder", async () => {
    const results = join(dir, "study");
    writeResults(results, assembleResults([...units, ...units.map((u) => ({ ...u, concept: "refusal" }))]));
    const out = join(dir, "figures");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await main(["figures", "--results", results, "--out", out, "--formats", "html"])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const files = readdirSync(out).filter((f) => f.endsWith(".html"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(readFileSync(join(out, f), "utf8")).toMatch(/Plotly\.newPlot|plotly/);
  });

  it("refuses an unknown format and a missing results folder, naming them", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await main(["figures", "--results", join(dir, "study"), "--out", join(dir, "f2"), "--formats", "gif"])).toBe(2);
      expect(err.mock.calls.flat().join(" ")).toContain("figures: --formats takes html, png, svg (got 'gif')");
      expect(await main(["figures", "--results", join(dir, "nowhere"), "--out", join(dir, "f3"), "--formats", "html"])).toBe(1);
      expect(err.mock.calls.flat().join(" ")).toContain(join(dir, "nowhere"));
    } finally {
      err.mockRestore();
    }
  });
});
