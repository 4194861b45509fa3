import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { parquetMetadata } from "hyparquet";
import { op } from "arquero";
import { afterAll, describe, expect, it } from "vitest";
import { COLUMN_TYPES, RESULT_COLUMNS } from "../../lib/study/columns";
import { resultsParquet } from "../../lib/study/parquet";
import { assembleResults, writeResults, type ResultRow } from "../../lib/study/results";
import type { UnitRow } from "../../lib/study/stages/row";
import { loadResultRows, loadResults, ResultsTable, resultsFile } from "../../lib/study/table";

/**
 * results.csv, results.arrow and results.parquet hold the same table with the schema's types (lib/study/columns),
 * and loadResults reads each of them (or a results folder) back to the rows that were written, value for value.
 */
const dir = mkdtempSync(join(tmpdir(), "steersynth-formats-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const unit = (method: UnitRow["method"], strength: number | null, aurocs: number[], over: Partial<UnitRow> = {}): UnitRow => ({
  concept: "toxicity", model: "m", method, layer: strength === null ? null : 3, strength,
  success: 0.5, violation_rate: 0.375, coherence: 0.25 + (strength ?? 0) / 10, diversity_sample: 0.9, diversity_set: 1 / 3, hm_scd: 0.4, hm_sc: 0.3,
  auroc: aurocs.length ? aurocs.reduce((s, x) => s + x, 0) / aurocs.length : null,
  auroc_ci_low: aurocs.length ? 0.1 : null, auroc_ci_high: aurocs.length ? 0.9 : null, aurocs, detector_note: null,
  n_train: 10, n_test: 20, empty_responses: 0, examples: ["a, \"b\"\nnew line", "ünïcode ✓"], set_metrics: { responses: 2 }, origin: strength === null ? null : "grid", ...over,
});
// Every nullable column is null somewhere: baselines (layer, strength, beats_prompting), a configuration without
// a detector (the AUROCs, delta, p; aurocs ""; a detector_note); one seed only, so aurocs looks like a number in CSV.
const rows: ResultRow[] = assembleResults([
  unit("real", null, [0.9]),
  unit("prompting", null, [0.6]),
  unit("caa", 0.25, [0.7]),
  unit("caa", 4, [], { detector_note: "2 of 8 generations usable", empty_responses: 6, n_train: 0 }),
]);

describe("results files", () => {
  const out = join(dir, "study");
  writeResults(out, rows);

  it("results.parquet stores the schema's physical types, OPTIONAL exactly where the schema allows null", () => {
    const bytes = readFileSync(join(out, "results.parquet"));
    const schema = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).schema.slice(1);
    expect(schema.map((e) => e.name)).toEqual(RESULT_COLUMNS);
    const physical = { double: "DOUBLE", int32: "INT32", boolean: "BOOLEAN", string: "BYTE_ARRAY" } as const;
    for (const e of schema) {
      const want = COLUMN_TYPES[e.name as keyof typeof COLUMN_TYPES];
      expect(e.type, e.name).toBe(physical[want.type]);
      expect(e.repetition_type, e.name).toBe(want.nullable ? "OPTIONAL" : "REQUIRED");
      if (want.type === "string") expect(e.converted_type, e.name).toBe("UTF8");
    }
    // The same rows give the same bytes (no timestamps), so a rerun does not change the file.
    expect(Buffer.from(resultsParquet(rows))).toEqual(bytes);
  });

  it.each(["results.parquet", "results.arrow", "results.csv"])("loadResults(%s) gives back every value of every column", async (name) => {
    const t = await loadResults(join(out, name));
    expect(t).toBeInstanceOf(ResultsTable);
    expect(t.columnNames()).toEqual(RESULT_COLUMNS);
    const back = t.objects() as Record<string, unknown>[];
    expect(back).toHaveLength(rows.length);
    back.forEach((r, i) => { for (const c of RESULT_COLUMNS) expect(r[c], `${name} row ${i} ${c}`).toStrictEqual((rows[i] as unknown as Record<string, unknown>)[c]); });
    expect(back[3].auroc).toBeNull();
    expect(back[2].aurocs).toBe("0.7"); // a string, not the number CSV's type guessing would make of it
  });

  it("a results folder reads results.parquet first, then .arrow, then .csv", async () => {
    expect(resultsFile(out).format).toBe("parquet");
    const csvOnly = join(dir, "csv-only");
    mkdirSync(csvOnly);
    writeFileSync(join(csvOnly, "results.csv"), readFileSync(join(out, "results.csv")));
    expect(resultsFile(csvOnly)).toEqual({ file: join(csvOnly, "results.csv"), format: "csv" });
    expect(await loadResultRows(csvOnly)).toStrictEqual(await loadResultRows(out));
  });

  it("bad input names the file and what was expected", async () => {
    expect(() => resultsFile(join(dir, "nope"))).toThrow(/nope: no such results file or folder/);
    mkdirSync(join(dir, "empty"));
    expect(() => resultsFile(join(dir, "empty"))).toThrow(/empty: no results yet, none of results.parquet, results.arrow, results.csv/);
    writeFileSync(join(dir, "r.json"), "[]");
    expect(() => resultsFile(join(dir, "r.json"))).toThrow(/r.json: not a results file \(expected .parquet, .arrow or .csv\)/);
    const csv = readFileSync(join(out, "results.csv"), "utf8").split("\n");
    writeFileSync(join(dir, "bool.csv"), [csv[0], csv[3].replace(/,(true|false),/, ",maybe,"), ""].join("\n"));
    await expect(loadResults(join(dir, "bool.csv"))).rejects.toThrow(/bool.csv: cannot read it as csv: column beats_prompting: 'maybe' is not true\/false/);
    writeFileSync(join(dir, "short.csv"), "concept,model\nx,y\n");
    await expect(loadResults(join(dir, "short.csv"))).rejects.toThrow(/short.csv: missing columns method, layer, strength/);
    writeFileSync(join(dir, "nulls.csv"), [csv[0], csv[1].replace(/^toxicity,m,real,,,0.5,/, "toxicity,m,real,,,,"), ""].join("\n"));
    await expect(loadResults(join(dir, "nulls.csv"))).rejects.toThrow(/nulls.csv: row 1 column success = null, expected double$/);
    writeFileSync(join(dir, "broken.parquet"), "not parquet");
    await expect(loadResults(join(dir, "broken.parquet"))).rejects.toThrow(/broken.parquet: cannot read it as parquet/);
    expect(() => resultsParquet([{ ...rows[0], layer: 1.5 }])).toThrow(/row 0 column layer = 1.5 is not int32/);
    expect(() => resultsParquet([{ ...rows[0], success: null }])).toThrow(/row 0 has no success \(the column is not nullable\)/);
  });
});

describe("loadResults as a data frame", () => {
  it("filter / groupby / rollup keep the class; a mean skips missing AUROCs (hand-computed)", async () => {
    const many = assembleResults(["caa", "pca"].flatMap((m) => [0.5, 1, 2].map((s, k) => unit(m as UnitRow["method"], s, m === "pca" && k === 1 ? [] : [0.5 + s / 10]))));
    const out = join(dir, "frame");
    writeResults(out, many);
    const t = await loadResults(out);
    const g = t.filter((d: { strength: number }) => d.strength >= 0.5).groupby("method").rollup({ n: op.count(), auroc: op.mean("auroc"), valid: op.valid("auroc") });
    expect(g).toBeInstanceOf(ResultsTable);
    // caa: (0.55 + 0.6 + 0.7) / 3; pca: its strength-1 row has no detector, so (0.55 + 0.7) / 2 over 2 valid values.
    expect(g.objects()).toEqual([
      { method: "caa", n: 3, auroc: expect.closeTo((0.55 + 0.6 + 0.7) / 3, 12), valid: 3 },
      { method: "pca", n: 3, auroc: expect.closeTo((0.55 + 0.7) / 2, 12), valid: 2 },
    ]);
    const text = inspect(g);
    expect(text).toMatch(/^ResultsTable: 2 rows × 4 columns\n\|method\|n\|auroc\|valid\|/);
  });
});

describe("steersynth figures", () => {
  it("accepts a results folder or any of the three files, and draws the same figures from each", async () => {
    const { run } = await import("../../lib/cli/commands/figures");
    const out = join(dir, "fig-study");
    writeResults(out, assembleResults([unit("real", null, [0.9, 0.8]), unit("prompting", null, [0.6, 0.62]),
      ...["caa", "pca"].flatMap((m) => [0.5, 1, 2].map((s) => unit(m as UnitRow["method"], s, [0.5 + s / 10, 0.45 + s / 10])))]));
    const html = async (path: string) => {
      const figs = join(dir, `figs-${path.split("/").pop()}`);
      expect(await run(["--results", path, "--formats", "html", "--out", figs])).toBe(0);
      return readdirSync(figs).sort().map((f) => readFileSync(join(figs, f), "utf8"));
    };
    const fromFolder = await html(out);
    expect(fromFolder.length).toBeGreaterThan(3);
    for (const f of ["results.parquet", "results.arrow", "results.csv"]) expect(await html(join(out, f)), f).toEqual(fromFolder);
  });
});
