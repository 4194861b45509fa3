import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine, type Engine } from "../../lib/engine/index";
import {
  capturePairs, datasetFingerprint, encodePairs, extractVector, loadConceptPairs, methodDescriptor, pairDifferences, residualMethod,
  type MethodDescriptor, type PairedActivations,
} from "../../lib/steering/index";
import { parseStudyConfig, runUnits, StudyRunner } from "../../lib/study/index";
import { setProgressMode } from "../../lib/util/progress";
import { writeRandomModel, writeTinyConcept } from "./fixtures";

/**
 * A steering method defined outside lib/, as a notebook cell would: one descriptor, nothing registered
 * anywhere else. It runs through extract's library call and a tiny study, and the study steers it over the
 * descriptor's window, not the config's.
 */

/** Coordinate-wise median of the paired differences. */
function medianDifference(acts: PairedActivations): Float32Array {
  const diffs = pairDifferences(acts);
  return Float32Array.from({ length: acts.width }, (_, k) => {
    const col = Array.from({ length: acts.n }, (_, i) => diffs[i * acts.width + k]).sort((a, b) => a - b);
    const m = acts.n >> 1;
    return acts.n % 2 ? col[m] : (col[m - 1] + col[m]) / 2;
  });
}

const medianMethod = (name: string, window: MethodDescriptor["window"]): MethodDescriptor => ({
  name, window, color: "#123456", flags: [],
  create: () => residualMethod(name, {}, (acts) => ({ d: medianDifference(acts) })),
});
const ALL = medianMethod("median-all", "all");
const CONFIG_WINDOW = medianMethod("median-config", null);

const dir = mkdtempSync(join(tmpdir(), "steersynth-plugin-"));
let modelDir = "", conceptFile = "";
let engine: Engine;

beforeAll(async () => {
  setProgressMode("off");
  conceptFile = writeTinyConcept(dir, "toxicity");
  modelDir = await writeRandomModel(join(dir, "model"));
  engine = await createEngine(await loadModel(modelDir));
}, 120_000);
afterAll(async () => {
  await engine?.dispose();
  setProgressMode(null);
  rmSync(dir, { recursive: true, force: true });
});

describe("a steering method defined outside lib/", () => {
  it("is found by name only among the descriptors it is given", () => {
    expect(() => methodDescriptor("median-all")).toThrow(/unknown steering method "median-all" \(expected one of actadd, caa, pca, iti, probe\)/);
    expect(methodDescriptor("median-all", [ALL])).toBe(ALL);
    expect(() => methodDescriptor("caa", [{ ...ALL, name: "caa" }])).toThrow(/registered twice/);
  });

  it("runs through extract's library call: a unit median direction at resid_post, scaled to the typical norm", async () => {
    const raw = loadConceptPairs(conceptFile, "last");
    const pairs = encodePairs(engine.model.tokenizer, raw);
    const v = await extractVector(engine, pairs, { method: ALL.create(), layers: [1], read: "last", dataset: datasetFingerprint(raw) });
    expect(v.method).toBe("median-all");
    expect(v.site).toBe("resid_post");
    // The pipeline applied the descriptor's rule: v ∝ ± the median difference of the activations it captured.
    const acts = (await capturePairs(engine, pairs, { site: "resid_post", layers: [1], read: "last" })).get(1)!;
    const want = medianDifference(acts), d = v.directions.get(1)!;
    const cos = d.reduce((s, x, k) => s + x * want[k], 0) / (Math.hypot(...d) * Math.hypot(...want));
    expect(Math.abs(cos)).toBeGreaterThan(1 - 1e-5);
    expect(Math.hypot(...d)).toBeCloseTo(v.layerInfo.get(1)!.typicalNorm as number, 4); // strength 1 = the typical norm, as for built-ins
  }, 120_000);

  it("runs in a tiny study, steered over the descriptor's window", async () => {
    const json = JSON.parse(readFileSync("tests/study/fixtures/tiny.json", "utf8"));
    json.concepts = [conceptFile];
    json.models[0].path = modelDir;
    json.methods = { "median-all": { strengths: [4], read: "last" }, "median-config": { strengths: [4], read: "last" } };
    expect(() => parseStudyConfig(json, "tiny.json")).toThrow(/methods\.median-all/);
    const cfg = parseStudyConfig(json, "tiny.json", [ALL, CONFIG_WINDOW]);
    const runner = new StudyRunner(cfg, join(dir, "study"));
    try {
      const rows = (await runUnits(runner, await runner.units())).flat();
      const row = (method: string) => rows.find((r) => r.method === method)!;
      expect(rows.map((r) => r.method).sort()).toEqual(["median-all", "median-config", "prompting", "real", "unsteered"]);
      for (const m of ["median-all", "median-config"]) {
        expect(row(m).layer).toBe(1);
        expect(Number.isFinite(row(m).success) && Number.isFinite(row(m).coherence)).toBe(true);
      }
      // Same vector, same seeds and prompts: only the window differs ("all" vs the config's "generated"), so the
      // texts differ exactly when the runner honours the descriptor's window.
      expect(row("median-all").examples).not.toEqual(row("median-config").examples);
    } finally {
      await runner.dispose();
    }
  }, 300_000);
});
