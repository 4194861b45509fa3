import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { op } from "arquero";
import { assembleResults, resultsTable, writeResults } from "../lib/study/results";
import type { UnitRow } from "../lib/study/stages/row";
import { loadResults } from "../lib/study/table";
import { createRng } from "../lib/util/rng";

/**
 * Results files: writing results.csv / .arrow / .parquet and reading each back with loadResults, for a table the
 * size of the default study (112 rows) and a 100× larger one, with a groupby-mean over it. Times are medians;
 * the ratio column is against the in-run baseline, arquero's Arrow IPC encoding of the same table.
 */
function syntheticRows(groups: number, seed: number): UnitRow[] {
  const rng = createRng(seed);
  const units: UnitRow[] = [];
  const score = () => rng.next();
  const row = (concept: string, method: UnitRow["method"], layer: number | null, strength: number | null): UnitRow => {
    const detector = rng.next() > 0.1;
    const aurocs = detector ? [score(), score(), score()] : [];
    return {
      concept, model: "llama-tiny", method, layer, strength, success: score(), violation_rate: score(), coherence: score(), diversity_sample: score(), diversity_set: score(),
      hm_scd: score(), hm_sc: score(), auroc: detector ? aurocs.reduce((s, x) => s + x, 0) / 3 : null, auroc_ci_low: detector ? 0.4 : null,
      auroc_ci_high: detector ? 0.9 : null, aurocs, detector_note: detector ? null : "too few usable generations", n_train: 364, n_test: 200,
      empty_responses: rng.int(4), examples: ["one response", "another, \"quoted\"", "ünïcode ✓"], set_metrics: {},
      origin: strength === null ? null : "grid",
    };
  };
  for (let g = 0; g < groups; g++) {
    const concept = `concept-${g}`;
    units.push(row(concept, "real", null, null), row(concept, "prompting", null, null));
    for (const method of ["actadd", "caa", "pca", "iti"] as const) for (const strength of [0.25, 0.5, 1]) units.push(row(concept, method, 2, strength));
  }
  return units;
}

const median = (f: () => unknown | Promise<unknown>, reps: number) => async (): Promise<number> => {
  await f();
  const t: number[] = [];
  for (let k = 0; k < reps; k++) { const s = performance.now(); await f(); t.push(performance.now() - s); }
  return t.sort((a, b) => a - b)[t.length >> 1];
};

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "steersynth-bench-results-"));
  try {
    for (const groups of [8, 800]) {
      const rows = assembleResults(syntheticRows(groups, 1));
      const reps = groups > 100 ? 5 : 50;
      const out = join(dir, String(groups));
      writeResults(out, rows);
      const baseline = await median(() => resultsTable(rows).toArrowIPC(), reps)();
      const lines: [string, number, string][] = [
        ["Arrow IPC encode (baseline)", baseline, ""],
        ["writeResults (csv + arrow + parquet)", await median(() => writeResults(out, rows), reps)(), ""],
        ...(await Promise.all((["parquet", "arrow", "csv"] as const).map(async (f): Promise<[string, number, string]> =>
          [`loadResults(results.${f})`, await median(() => loadResults(join(out, `results.${f}`)), reps)(), `${(statSync(join(out, `results.${f}`)).size / 1024).toFixed(1)} KiB`]))),
      ];
      const t = await loadResults(out);
      lines.push(["groupby(concept, method).rollup(mean auroc)", await median(() => t.groupby("concept", "method").rollup({ auroc: op.mean("auroc") }), reps)(), ""]);
      console.log(`\n${rows.length} result rows`);
      for (const [name, ms, note] of lines) console.log(`  ${name.padEnd(46)} ${ms.toFixed(2).padStart(9)} ms  ${(ms / baseline).toFixed(2).padStart(7)}×  ${note}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
