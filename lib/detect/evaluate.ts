import type { Engine } from "../engine/types";
import { auroc, bootstrap } from "../metrics/stats";
import type { ArtefactStore } from "../study/store";
import { initTf } from "../train/backend";
import { deriveSeed } from "../util/rng";
import type { Example } from "./dataset";
import { responseFeatures } from "./features";
import { finetuneClassifier, type FinetuneConfig } from "./finetune";
import { trainHead, type HeadConfig } from "./head";

/**
 * Train a detector (probe on frozen features, or fine-tuned model) once per seed and evaluate it on real held-out data.
 * - auroc: mean over seeds of each seed's test AUROC;
 * - auroc_ci: percentile bootstrap over test examples (resampled jointly for all seeds) of that mean, so the
 *   interval reflects the finite test set; the spread over seeds is visible in `aurocs`.
 * Each seed's run is cached in the artefact store under the fingerprint of (training data, test data,
 * detector config, model, seed): identical inputs reuse it, any change retrains.
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
  store: ArtefactStore | null;
  featureCache: string | null;
}

export const detectorName = (d: DetectorConfig): string =>
  d.kind === "probe" ? `probe:${d.head.kind}@L${d.layer}` : `finetune${d.config.layer === undefined ? "" : `@L${d.config.layer}`}`;

export async function evaluateDetector(opts: EvaluateOptions): Promise<DetectorResult> {
  const { engine, modelId, detector, test, seeds } = opts;
  if (seeds.length === 0) throw new Error("detector evaluation: needs at least one seed");
  const labels = test.map((e) => e.label);
  let testFeatures: Float32Array[] | null = null;
  /** One seed's test scores. */
  const scoresFor = async (train: Example[], seed: number): Promise<number[]> => {
    const { tf } = await initTf({ quiet: true });
    if (detector.kind === "finetune")
      return (await finetuneClassifier(tf, engine.model, train, test, detector.config, deriveSeed(seed, "detector"))).scores;
    const features = (items: readonly Example[], label: string) =>
      responseFeatures({ engine, modelId, layer: detector.layer, items, cacheDir: opts.featureCache, label });
    testFeatures ??= await features(test, "test features");
    const head = await trainHead(tf, await features(train, `train features (seed ${seed})`), train.map((e) => e.label), detector.head, deriveSeed(seed, "detector"));
    return Array.from(head.predict(testFeatures));
  };
  const perSeed: { auroc: number; scores: number[] }[] = [];
  let nTrain = 0;
  for (const seed of seeds) {
    const train = opts.trainingSet(seed);
    nTrain = train.length;
    const key = {
      train: train.map((e) => [e.user, e.response, e.label]),
      test: test.map((e) => [e.user, e.response, e.label]),
      detector, model: modelId, seed,
    };
    const compute = async () => {
      const scores = await scoresFor(train, seed);
      return { auroc: auroc(labels, scores), scores };
    };
    perSeed.push(opts.store ? await opts.store.json("detector", key, compute) : await compute());
  }
  const meanAuroc = (idx: number[]): number => {
    const ls = idx.map((i) => labels[i]);
    // A resample with a single class has no AUROC; it counts as chance (rare with hundreds of test items).
    if (!ls.includes(1) || !ls.includes(0)) return 0.5;
    return perSeed.reduce((s, r) => s + auroc(ls, idx.map((i) => r.scores[i])), 0) / perSeed.length;
  };
  const ci = bootstrap(test.map((_, i) => i), meanAuroc, { seed: deriveSeed(seeds[0], "auroc-ci"), iterations: opts.bootstrapIterations });
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
