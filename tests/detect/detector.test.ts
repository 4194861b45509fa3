import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint";
import { composeTrainingSet, type Example } from "../../lib/detect/dataset";
import { evaluateDetector, type DetectorConfig, type EvaluateOptions } from "../../lib/detect/evaluate";
import { DEFAULT_HEAD } from "../../lib/detect/head";
import { createEngine } from "../../lib/engine";
import type { Engine } from "../../lib/engine/types";
import { checkpointContentId } from "../../lib/study/identity";
import { ArtefactStore } from "../../lib/study/store";
import { setProgressMode } from "../../lib/util/progress";
import { createRng } from "../../lib/util/rng";
import { CONCEPTS, loadConcept, readLabelled } from "../../lib/world";

/**
 * Probe detectors on the real concept data with the embedded default model llama-tiny (data/models), on seeded
 * stratified slices of each split so the file runs in well under a minute.
 */
const MODEL = "data/models/llama-tiny";
const dir = mkdtempSync(join(tmpdir(), "steersynth-detect-"));
let engine: Engine, modelId: string;

/** A seeded stratified slice: n/2 violating and n/2 compliant rows of a split. */
function slice(file: string, split: string, n: number, seed: number): Example[] {
  const rows: Example[] = readLabelled(file).map((r, i) => ({ user: r.user, response: r.response, label: r.label, source: "real", provenance: { split, index: i } }));
  const rng = createRng(seed);
  return [1, 0].flatMap((l) => rng.shuffle(rows.filter((r) => r.label === l)).slice(0, n / 2));
}

/**
 * Slice sizes and the lower bound the AUROC's 95% CI must clear. Sycophancy is semantic (agreeing with a false
 * claim of the user) and llama-tiny's mean-pooled states carry it weakly, so it gets more data and a lower bar.
 * The other three reached ≥ 0.85 on small slices until their labelled splits got subtle examples on purpose
 * (data/concepts/README.md: the real-data detector is meant to sit in [0.75, 0.95]); measured 2026-12-07 on these
 * slices: toxicity 0.827 [0.750, 0.883], hallucination 0.851 [0.749, 0.934], refusal 0.919 [0.865, 0.960],
 * sycophancy 0.782 [0.730, 0.831]. Their bar (0.65) still asks for a CI well clear of chance.
 */
const SIZES: Record<string, { pool: number; test: number; positives: number; negatives: number; bar: number }> = {
  toxicity: { pool: 400, test: 160, positives: 40, negatives: 80, bar: 0.65 },
  sycophancy: { pool: 800, test: 300, positives: 96, negatives: 192, bar: 0.55 },
  hallucination: { pool: 400, test: 160, positives: 40, negatives: 80, bar: 0.65 },
  refusal: { pool: 400, test: 160, positives: 40, negatives: 80, bar: 0.65 },
};
const data = Object.fromEntries(CONCEPTS.map((c) => {
  const meta = loadConcept(c);
  return [c, { pool: slice(meta.paths.detector_train, "detector_train", SIZES[c].pool, 1), test: slice(meta.paths.detector_test, "detector_test", SIZES[c].test, 2) }];
}));
const probe: DetectorConfig = { kind: "probe", layer: 2, head: DEFAULT_HEAD };
const SEEDS = [11, 12, 13];
const compose = (concept: string, seed: number) => composeTrainingSet(data[concept].pool, { positives: SIZES[concept].positives, negatives: SIZES[concept].negatives, seed });

function options(concept: string, store: ArtefactStore | null, over: Partial<EvaluateOptions> = {}): EvaluateOptions {
  return {
    engine, modelId, detector: probe, test: data[concept].test, seeds: SEEDS, bootstrapIterations: 300, data: "real", store,
    trainingSet: (seed) => compose(concept, seed),
    ...over,
  };
}

beforeAll(async () => {
  setProgressMode("off");
  if (!existsSync(join(MODEL, "config.json"))) throw new Error(`${MODEL}: the default model is missing (npm run build:models)`);
  engine = await createEngine(await loadModel(MODEL));
  modelId = checkpointContentId(MODEL);
});
afterAll(async () => {
  setProgressMode(null);
  await engine?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("probe detector on real concept data", () => {
  it.each(CONCEPTS)("%s: test AUROC well above chance; label-shuffled training is at chance within its CI", async (concept) => {
    const store = new ArtefactStore(join(dir, "store"));
    const r = await evaluateDetector(options(concept, store));
    expect(r.n_train).toBe(SIZES[concept].positives + SIZES[concept].negatives);
    expect(r.n_test).toBe(SIZES[concept].test);
    expect(r.aurocs).toHaveLength(3);
    expect(r.auroc_ci[0]).toBeGreaterThan(SIZES[concept].bar);
    expect(r.auroc_ci[0]).toBeLessThanOrEqual(r.auroc);
    expect(r.auroc_ci[1]).toBeGreaterThanOrEqual(r.auroc);
    // The same texts with labels permuted within the training set: no signal to learn. (The CI covers the
    // seeds too, lib/detect/bootstrap; an untrained head scores exactly ½, lib/detect/head.)
    const shuffled = await evaluateDetector(options(concept, store, {
      trainingSet: (seed) => {
        const set = compose(concept, seed);
        const labels = createRng(seed + 1).shuffle(set.map((e) => e.label));
        return set.map((e, i) => ({ ...e, label: labels[i] }));
      },
    }));
    expect(shuffled.auroc_ci[0]).toBeLessThanOrEqual(0.5);
    expect(shuffled.auroc_ci[1]).toBeGreaterThanOrEqual(0.5);
  });
});

describe("detector runs: reproducibility and caching", () => {
  it("identical seeds give identical results, with or without the cache", async () => {
    const store = new ArtefactStore(join(dir, "store"));
    const cached = await evaluateDetector(options("toxicity", store));
    const fresh = await evaluateDetector(options("toxicity", null));
    expect(fresh).toEqual(cached);
    const other = await evaluateDetector(options("toxicity", null, { seeds: [21, 22, 23] }));
    expect(other.aurocs).not.toEqual(cached.aurocs);
  });

  it("reuses cached runs and retrains exactly the runs whose inputs changed", async () => {
    const store = new ArtefactStore(join(dir, "cache-test"));
    const count = () => ({ computed: store.counts.computed.detector ?? 0, reused: store.counts.reused.detector ?? 0 });
    const first = await evaluateDetector(options("refusal", store));
    expect(count()).toEqual({ computed: 3, reused: 0 });
    // Each run records where every training example came from.
    const runs = readdirSync(join(store.root, "detector")).map((f) => JSON.parse(readFileSync(join(store.root, "detector", f), "utf8")).value);
    for (const run of runs) {
      expect(run.provenance).toHaveLength(first.n_train);
      expect(run.provenance.every((p: Record<string, unknown>) => p.source === "real" && p.split === "detector_train" && typeof p.index === "number")).toBe(true);
    }
    // Reused, not recomputed: the counts show no detector retrained (timing belongs in `npm run bench`, not here).
    expect(await evaluateDetector(options("refusal", store))).toEqual(first);
    expect(count()).toEqual({ computed: 3, reused: 3 });
    // Another head configuration: every seed retrains (features come from the feature cache).
    await evaluateDetector(options("refusal", store, { detector: { ...probe, head: { ...DEFAULT_HEAD, l2: 0.01 } } }));
    expect(count()).toEqual({ computed: 6, reused: 3 });
    expect(store.counts.reused.features).toBeGreaterThan(0);
    // One training example of one seed changed: only that seed retrains.
    await evaluateDetector(options("refusal", store, {
      trainingSet: (seed) => {
        const set = compose("refusal", seed);
        return seed === SEEDS[1] ? set.map((e, i) => (i === 0 ? { ...e, response: `${e.response} Really.` } : e)) : set;
      },
    }));
    expect(count()).toEqual({ computed: 7, reused: 5 });
  });
});
