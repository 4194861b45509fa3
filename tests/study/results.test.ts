import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import { afterAll, describe, expect, it } from "vitest";
import { assembleResults, mergeShards, summarize, writeResults, writeShard, type ShardFile } from "../../lib/study/results";
import { loadResults } from "../../lib/study/table";
import type { UnitRow } from "../../lib/study/stages/row";

const dir = mkdtempSync(join(tmpdir(), "steersynth-results-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (method: UnitRow["method"], strength: number | null, aurocs: number[]): UnitRow => ({
  concept: "toxicity", model: "m", method, layer: strength === null ? null : 1, strength,
  success: 0.5, violation_rate: 0.25, coherence: 0.25 + (strength ?? 0) / 10, diversity_sample: 0.9, diversity_set: 0.8, hm_scd: 0.4, hm_sc: 0.3,
  auroc: aurocs.reduce((s, x) => s + x, 0) / aurocs.length, auroc_ci_low: 0.1, auroc_ci_high: 0.9, aurocs, detector_note: null,
  n_train: 10, n_test: 20, empty_responses: 0, examples: ["a, \"b\"", "c"], set_metrics: { responses: 2 }, origin: strength === null ? null : "grid",
});
const rows = [row("real", null, [0.9, 0.9, 0.9]), row("prompting", null, [0.6, 0.62, 0.61]), row("caa", 1, [0.7, 0.71, 0.72]), row("caa", 2, [0.5, 0.6, 0.55])];

describe("results table", () => {
  it("adds beats_prompting, the difference and the paired test; keeps the enumeration order", () => {
    const r = assembleResults(rows);
    expect(r.map((x) => x.method)).toEqual(["real", "prompting", "caa", "caa"]);
    expect(r.map((x) => x.beats_prompting)).toEqual([null, null, true, false]);
    expect(r[2].delta_vs_prompting).toBeCloseTo(0.71 - 0.61, 12);
    // Three seeds all better: exact sign-flip p = 2 / 8 (both all-plus and all-minus patterns are as extreme).
    expect(r[2].p_vs_prompting).toBe(0.25);
    expect(r[2].aurocs).toBe("0.7;0.71;0.72");
    expect(() => assembleResults([...rows, rows[2]])).toThrow(/toxicity\/m\/caa\/1\/1 appears twice/);
    expect(() => assembleResults([rows[1], row("caa", 3, [0.5])])).toThrow(/1 detector seeds but its prompting baseline has 3/);
    expect(summarize(r)).toMatch(/toxicity\s+m\s+0\.900 \[0\.100, 0\.900\]\s+0\.610 .*caa L1 ×1\s+0\.50\s+1\/2/);
  });

  it("writes CSV and Arrow that load back with the same rows", async () => {
    const out = join(dir, "w");
    writeResults(out, assembleResults(rows));
    const csv = (await loadResults(join(out, "results.csv"))).objects() as Record<string, unknown>[];
    const arrow = aq.fromArrow(readFileSync(join(out, "results.arrow"))).objects() as Record<string, unknown>[];
    expect(csv).toHaveLength(4);
    expect(csv[0]).toMatchObject({ method: "real", layer: null, strength: null, beats_prompting: null });
    expect(csv[2]).toMatchObject({ method: "caa", layer: 1, strength: 1, beats_prompting: true, auroc: rows[2].auroc });
    expect(JSON.parse(csv[2].examples as string)).toEqual(["a, \"b\"", "c"]);
    csv.forEach((r, i) => { for (const k of ["concept", "method", "layer", "strength", "auroc", "beats_prompting", "examples"]) expect(arrow[i][k], k).toEqual(r[k]); });
  });

  it("merges shards only when every shard of one plan is present", () => {
    const out = join(dir, "m");
    const shard = (index: number, units: number[], plan = "p1"): ShardFile => ({
      format: "steersynth.study-shard/1", study: "s", plan, shard: { index, count: 2 }, totalUnits: 4,
      units: units.map((k) => ({ index: k, id: `u${k}`, rows: [rows[k]] })),
    });
    expect(() => mergeShards(out)).toThrow(/no shard results to merge/);
    writeShard(out, shard(1, [1, 3]));
    expect(() => mergeShards(out)).toThrow(/shards 0 of 2 have not finished/);
    writeShard(out, shard(0, [0, 2], "p2"));
    expect(() => mergeShards(out)).toThrow(/different study configs/);
    writeShard(out, shard(0, [0, 2]));
    expect(mergeShards(out)).toEqual(assembleResults(rows));
    mkdirSync(join(out, "shards"), { recursive: true });
    writeFileSync(join(out, "shards", "0-of-3.json"), JSON.stringify({ ...shard(0, [0]), shard: { index: 0, count: 3 } }));
    expect(() => mergeShards(out)).toThrow(/different splits/);
  });
});

describe("configurations without a detector", () => {
  it("leave AUROC and the comparison with prompting empty, and are left out of the summary's counts", () => {
    const none: UnitRow = { ...row("caa", 2, []), auroc: null, auroc_ci_low: null, auroc_ci_high: null, detector_note: "only 3 of 10 generations are non-empty; 8 are needed", n_train: 0 };
    const out = assembleResults([row("prompting", null, [0.6, 0.7]), row("caa", 1, [0.8, 0.9]), none]);
    expect(out[2]).toMatchObject({ auroc: null, beats_prompting: null, delta_vs_prompting: null, p_vs_prompting: null });
    expect(out[1].beats_prompting).toBe(true);
    expect(summarize(out)).toContain("1/1");
  });
});
