import type { Engine } from "../engine/index";
import { auroc } from "../metrics/index";
import { type ArtefactCache, deriveSeed } from "../util/index";
import { initTf } from "../train/index";
import { stratifiedAurocInterval } from "./bootstrap";
import type { Example } from "./dataset";
import { responseFeatures } from "./features";
import { finetuneClassifier, type FinetuneConfig } from "./finetune";
import { trainHead, type HeadConfig } from "./head";

/**
 * Train a detector (probe on frozen features, or fine-tuned model) once per seed and evaluate it on real held-out
 * data.
 * - auroc: mean over seeds of each seed's test AUROC;
 * - auroc_ci: two-level percentile bootstrap of that mean (seeds with replacement, test examples within class;
 *   lib/detect/bootstrap), so the interval covers the finite test set and the spread over seeds.
 * Each seed's run is an artefact keyed by the fingerprint of (training data, test data, detector config, model,
 * seed): identical inputs reuse it, any change retrains. It records the provenance of every training example.
 */
export interface ProbeDetector {
  kind: "probe";
  layer: number;
  head: HeadConfig;
}

export interface FinetuneDetector {
  kind: "finetune";
  config: FinetuneConfig;
}

export type DetectorConfig = ProbeDetector | FinetuneDetector;

/** The R.json contract (train CLI) and the detector part of a study row. */
export interface DetectorResult {
  auroc: number;
  auroc_ci: [number, number];
  aurocs: number[];
  seeds: number[];
  n_train: number;
  n_test: number;
  detector: string;
  data: string;
}

export interface EvaluateOptions {
  engine: Engine;
  modelId: string;
  detector: DetectorConfig;
  /** The training set for a seed (composition may depend on the seed, e.g. which negatives are drawn). */
  trainingSet: (seed: number) => Example[];
  test: readonly Example[];
  seeds: readonly number[];
  bootstrapIterations: number;
  /** A label for the data source in results ("real", "prompting", a configuration id). */
  data: string;
  /** Caches detector runs (stage "detector") and probe features (stage "features"); null caches nothing. */
  store: ArtefactCache | null;
}

/** What one seed's run stores. */
interface SeedRun {
  auroc: number;
  /** P(violating) per test example. */
  scores: number[];
  /** Source and provenance of each training example, in training-set order. */
  provenance: Record<string, string | number | null>[];
}

export const detectorName = (d: DetectorConfig): string =>
  d.kind === "probe" ? `probe:${d.head.kind}@L${d.layer}` : `finetune${d.config.layer === undefined ? "" : `@L${d.config.layer}`}`;

const textKey = (e: { user: string; response: string }): string => `${e.user}\u0000${e.response}`;

export async function evaluateDetector(opts: EvaluateOptions): Promise<DetectorResult> {
  const { engine, modelId, detector, test, seeds } = opts;
  if (seeds.length === 0) throw new Error("detector evaluation: needs at least one seed");
  if (new Set(seeds).size !== seeds.length) throw new Error(`detector evaluation: seeds must differ (got ${seeds.join(", ")})`);
  const labels = test.map((e) => e.label);
  const sets = seeds.map((s) => opts.trainingSet(s));
  const nTrain = sets[0].length;
  if (sets.some((s) => s.length !== nTrain)) throw new Error(`detector evaluation: training sets differ in size across seeds (${sets.map((s) => s.length).join(", ")})`);

  /**
   * Probe features as three cached blocks: the test set, the real training examples of all seeds (shared by
   * every data source with the same negatives), and the generated ones. Computed only if a run is missing.
   */
  let featureMap: Promise<Map<string, Float32Array>> | null = null;
  const features = (layer: number): Promise<Map<string, Float32Array>> => featureMap ??= (async () => {
    const map = new Map<string, Float32Array>();
    const block = async (items: readonly Example[], label: string) => {
      const unique = [...new Map(items.map((e) => [textKey(e), e])).values()].filter((e) => !map.has(textKey(e)));
      if (unique.length === 0) return;
      const rows = await responseFeatures({ engine, modelId, layer, items: unique, store: opts.store, label });
      unique.forEach((e, i) => map.set(textKey(e), rows[i]));
    };
    await block(test, "test features");
    await block(sets.flat().filter((e) => e.source === "real"), "real training features");
    await block(sets.flat().filter((e) => e.source !== "real"), "generated training features");
    return map;
  })();

  const run = async (train: Example[], seed: number): Promise<SeedRun> => {
    let scores: number[];
    if (detector.kind === "finetune") {
      const { tf } = await initTf({ quiet: true });
      scores = (await finetuneClassifier(tf, engine.model, train, test, detector.config, deriveSeed(seed, "detector"))).scores;
    } else {
      const map = await features(detector.layer);
      const head = trainHead(train.map((e) => map.get(textKey(e))!), train.map((e) => e.label), detector.head, deriveSeed(seed, "detector"));
      scores = Array.from(head.predict(test.map((e) => map.get(textKey(e))!)));
    }
    return { auroc: auroc(labels, scores), scores, provenance: train.map((e) => ({ source: e.source, ...e.provenance })) };
  };

  const perSeed: SeedRun[] = [];
  for (const [k, seed] of seeds.entries()) {
    const train = sets[k];
    const key = {
      train: train.map((e) => [e.user, e.response, e.label]),
      test: test.map((e) => [e.user, e.response, e.label]),
      detector, model: modelId, seed,
    };
    perSeed.push(opts.store ? await opts.store.json("detector", key, () => run(train, seed)) : await run(train, seed));
  }
  const ci = stratifiedAurocInterval(labels, perSeed.map((r) => r.scores), { seed: deriveSeed(seeds[0], "auroc-ci"), iterations: opts.bootstrapIterations });
  return {
    auroc: perSeed.reduce((s, r) => s + r.auroc, 0) / perSeed.length,
    auroc_ci: [ci.low, ci.high],
    aurocs: perSeed.map((r) => r.auroc),
    seeds: [...seeds],
    n_train: nTrain,
    n_test: test.length,
    detector: detectorName(detector),
    data: opts.data,
  };
}
