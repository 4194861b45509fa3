import { isAbsolute, join, resolve } from "node:path";
import { loadModel } from "../checkpoint";
import { composeTrainingSet, type Example, type Replacement } from "../detect/dataset";
import { evaluateDetector, type DetectorResult } from "../detect/evaluate";
import { DEFAULT_HEAD } from "../detect/head";
import { generatePrompting, sampleAssignment } from "../detect/prompting";
import { createEngine, encodePrompts } from "../engine";
import type { Engine, LoadedModel } from "../engine/types";
import { conceptClassifierJudge } from "../metrics/judges/classifier";
import { combinedScores, diversityAxis, parseDiversityAxis } from "../metrics/aggregate";
import { perplexityCoherence, pooledPerplexity, type ScoredText } from "../metrics/coherence";
import { sampleDiversity, setDiversity, type SampleDiversity } from "../metrics/diversity";
import { bestLayer } from "../steering/layers";
import { datasetFingerprint, encodePairs } from "../steering/dataset";
import { loadConceptPairs } from "../steering/concept-data";
import { extractVector, scorePairLayers } from "../steering/extract";
import { loadVector, saveVector } from "../steering/persistence";
import { buildSweep } from "../steering/sweep";
import type { SteeringVector } from "../steering/vector";
import { fingerprint } from "../util/fingerprint";
import { deriveSeed } from "../util/rng";
import { progress } from "../util/progress";
import { repoRoot } from "../util/paths";
import { loadConcept, readBaseline, readLabelled, readPrompts } from "../world";
import type { MethodName, StudyConfig } from "./config";
import { configId, type Configuration } from "./grid";
import { checkpointContentId } from "./identity";
import { ArtefactStore } from "./store";

/**
 * The study runner. Work is split into units, each cached as artefacts keyed by content fingerprints:
 *   steering group  (concept, model, method, layer): one vector, one strength sweep generated in one batch,
 *                   then per strength: intrinsic scores and a detector trained on the generations;
 *   baseline        (concept, model, "prompting" | "real"): the same scores and detector for prompted
 *                   generations and for the real training data.
 * Every finished configuration is a row artefact, so a rerun (or a run resumed after kill -9) redoes at most
 * the unit that was in flight. Units are enumerated deterministically and sharded by index.
 */

/** Bump when a stage's computation changes, so cached artefacts are recomputed. */
const STUDY_VERSION = 1;

/** One row of the results table before the cross-row columns (beats_prompting, …) are added. */
export interface UnitRow {
  concept: string;
  model: string;
  method: MethodName | "prompting" | "real";
  layer: number | null;
  strength: number | null;
  success: number;
  coherence: number;
  diversity_sample: number;
  diversity_set: number;
  hm_scd: number;
  hm_sc: number;
  auroc: number;
  auroc_ci_low: number;
  auroc_ci_high: number;
  aurocs: number[];
  n_train: number;
  n_test: number;
  empty_responses: number;
  /** Up to three example responses, for the example-generations figure. */
  examples: string[];
  set_metrics: Record<string, number>;
}

export type Unit =
  | { kind: "group"; concept: string; model: string; method: MethodName; layer: number; strengths: number[] }
  | { kind: "baseline"; concept: string; model: string; source: "prompting" | "real" };

export const unitId = (u: Unit): string =>
  u.kind === "group" ? `${u.concept}/${u.model}/${u.method}/L${u.layer}` : `${u.concept}/${u.model}/${u.source}`;

interface ModelHandle {
  name: string;
  loaded: LoadedModel;
  engine: Engine;
  id: string;
}

interface ConceptHandle {
  name: string;
  dataId: string;
  train: Example[];
  test: Example[];
  prompts: string[];
  systems: string[];
}

const asExamples = (rows: ReturnType<typeof readLabelled>, split: string): Example[] =>
  rows.map((r, i) => ({ user: r.user, response: r.response, label: r.label, source: "real", provenance: { split, index: i, template: r.template ?? null } }));

export class StudyRunner {
  readonly store: ArtefactStore;
  private models = new Map<string, Promise<ModelHandle>>();
  private concepts = new Map<string, ConceptHandle>();
  private judges = new Map<string, ReturnType<typeof conceptClassifierJudge>>();

  constructor(readonly cfg: StudyConfig, readonly outDir: string) {
    this.store = new ArtefactStore(join(outDir, "artefacts"));
    this.store.sweep();
  }

  async dispose(): Promise<void> {
    for (const m of this.models.values()) await (await m).engine.dispose();
  }

  model(name: string): Promise<ModelHandle> {
    let h = this.models.get(name);
    if (!h) {
      const m = this.cfg.models.find((x) => x.name === name);
      if (!m) throw new Error(`study: no model named '${name}'`);
      const dir = isAbsolute(m.path) ? m.path : resolve(repoRoot(), m.path);
      h = (async () => {
        const loaded = await loadModel(dir);
        return { name, loaded, engine: await createEngine(loaded), id: checkpointContentId(dir) };
      })();
      this.models.set(name, h);
    }
    return h;
  }

  concept(name: string): ConceptHandle {
    let c = this.concepts.get(name);
    if (!c) {
      const meta = loadConcept(name);
      const train = asExamples(readLabelled(meta.paths.detector_train), "detector_train");
      const test = asExamples(readLabelled(meta.paths.detector_test), "detector_test");
      const prompts = readPrompts(meta.paths.prompts).map((p) => p.user);
      const systems = readBaseline(meta.paths.baseline).map((b) => b.system);
      c = { name, train, test, prompts, systems, dataId: fingerprint([train, test, prompts, systems]) };
      this.concepts.set(name, c);
    }
    return c;
  }

  /** Layers to steer for (concept, model): explicit, or "auto" = the best layer by probe separation (cached). */
  async layersFor(concept: string, model: string): Promise<number[]> {
    const m = this.cfg.models.find((x) => x.name === model)!;
    if (m.layers !== "auto") return m.layers;
    const h = await this.model(model);
    const c = this.concept(concept);
    const layer = await this.store.json("layer-choice", { v: STUDY_VERSION, model: h.id, data: c.dataId, seed: this.cfg.seed }, async () => {
      const pairs = loadConceptPairs(concept, "mean");
      const scores = await scorePairLayers(h.engine, encodePairs(h.loaded.tokenizer, pairs), { read: "mean", seed: this.cfg.seed });
      return bestLayer(scores);
    });
    return [layer];
  }

  /** All units, in a fixed order: per concept and model, the baselines, then the steering groups. */
  async units(): Promise<Unit[]> {
    const out: Unit[] = [];
    for (const concept of this.cfg.concepts)
      for (const m of this.cfg.models) {
        out.push({ kind: "baseline", concept, model: m.name, source: "real" }, { kind: "baseline", concept, model: m.name, source: "prompting" });
        const layers = await this.layersFor(concept, m.name);
        for (const [method, mc] of Object.entries(this.cfg.methods) as [MethodName, { strengths: number[] }][])
          for (const layer of layers) out.push({ kind: "group", concept, model: m.name, method, layer, strengths: mc.strengths });
      }
    return out;
  }

  /** Run one unit (cached rows are reused); returns its rows. */
  async runUnit(u: Unit): Promise<UnitRow[]> {
    return u.kind === "group" ? this.runGroup(u) : [await this.runBaseline(u)];
  }

  /** The sample → prompt assignment and seeds, shared by every configuration (common random numbers). */
  private sampling(c: ConceptHandle) {
    return sampleAssignment(c.name, c.prompts, this.cfg.samples, this.cfg.seed);
  }

  private async vector(h: ModelHandle, c: ConceptHandle, method: MethodName, layer: number): Promise<SteeringVector> {
    const read = this.cfg.methods[method]!.read;
    const file = await this.store.file("vector", { v: STUDY_VERSION, model: h.id, data: c.dataId, method, layer, read, seed: this.cfg.seed }, "safetensors", async (tmp) => {
      const pairs = loadConceptPairs(c.name, read);
      const v = await extractVector(h.engine, encodePairs(h.loaded.tokenizer, pairs), {
        method, layers: [layer], read, dataset: datasetFingerprint(pairs), modelName: h.name, seed: this.cfg.seed,
      });
      saveVector(tmp, v);
    });
    return loadVector(file, h.loaded.spec);
  }

  private rowKey(h: ModelHandle, c: ConceptHandle, what: unknown) {
    const { samples, sampling, judges, diversity, detector, seed } = this.cfg;
    return { v: STUDY_VERSION, model: h.id, data: c.dataId, samples, sampling, judges, diversity, detector, seed, what };
  }

  private async runGroup(u: Extract<Unit, { kind: "group" }>): Promise<UnitRow[]> {
    const h = await this.model(u.model);
    const c = this.concept(u.concept);
    const key = (strength: number) => this.rowKey(h, c, { method: u.method, layer: u.layer, strength, read: this.cfg.methods[u.method]!.read });
    const missing = u.strengths.filter((s) => !this.store.has("row", key(s)));
    if (missing.length > 0) {
      const vector = await this.vector(h, c, u.method, u.layer);
      const { prompts, seeds } = this.sampling(c);
      const ids = encodePrompts(h.loaded, prompts, { chat: true });
      // ActAdd injects at the prompt positions (Turner et al.); the other methods steer per the config's window.
      const window = u.method === "actadd" ? "prompt" : this.cfg.sampling.window;
      const sweep = buildSweep(ids, missing, { terms: [{ vector, layers: [u.layer] }], window });
      const gens = await h.engine.generate(sweep.ids, {
        ...this.samplingOptions(), seeds: sweep.cells.map((cell) => seeds[cell.prompt]), steering: sweep.steering,
      });
      for (const strength of missing) {
        const cells = sweep.cells.map((cell, i) => ({ cell, i })).filter((x) => x.cell.strength === strength);
        const texts = cells.map((x) => gens[x.i].text ?? "");
        const items = cells.map((x, k) => ({ user: prompts[x.cell.prompt], text: texts[k], provenance: { config: configId({ ...u, strength } as Configuration), sample: k, seed: seeds[x.cell.prompt] } }));
        await this.store.json("row", key(strength), () =>
          this.scoreAndDetect(h, c, { method: u.method, layer: u.layer, strength }, prompts, texts, { source: "steered", items }));
      }
    }
    return Promise.all(u.strengths.map((s) => this.store.json<UnitRow>("row", key(s), () => { throw new Error("internal: row vanished"); })));
  }

  private async runBaseline(u: Extract<Unit, { kind: "baseline" }>): Promise<UnitRow> {
    const h = await this.model(u.model);
    const c = this.concept(u.concept);
    return this.store.json("row", this.rowKey(h, c, { baseline: u.source }), async () => {
      const where = { method: u.source, layer: null, strength: null };
      if (u.source === "real") {
        // Intrinsic scores of the real violating examples the real-data detector trains on (first seed's draw).
        const real = composeTrainingSet(c.train, { positives: this.cfg.samples, negatives: 1, seed: deriveSeed(this.cfg.seed, "detector", 0) }).filter((e) => e.label === 1);
        return this.scoreAndDetect(h, c, where, real.map((e) => e.user), real.map((e) => e.response), null);
      }
      const p = await generatePrompting({
        engine: h.engine, concept: c.name, prompts: c.prompts, systems: c.systems, samples: this.cfg.samples, seed: this.cfg.seed, sampling: this.cfg.sampling,
      });
      return this.scoreAndDetect(h, c, where, p.prompts, p.texts, p);
    });
  }

  private samplingOptions() {
    const s = this.cfg.sampling;
    return { maxNewTokens: s.maxNewTokens, temperature: s.temperature, topP: s.topP, topK: s.topK, batchSize: 64 };
  }

  private judge(concept: string) {
    let j = this.judges.get(concept);
    if (!j) this.judges.set(concept, (j = conceptClassifierJudge(concept)));
    return j;
  }

  /** Perplexity of the unsteered model on real compliant responses: the coherence calibration's reference. */
  private referencePerplexity(h: ModelHandle, c: ConceptHandle): Promise<number> {
    return this.store.json("reference-ppl", { v: STUDY_VERSION, model: h.id, data: c.dataId }, async () => {
      const refs = c.test.filter((e) => e.label === 0).slice(0, 200);
      return pooledPerplexity(h.engine, scoredTexts(h.loaded, refs.map((e) => e.user), refs.map((e) => e.response)));
    });
  }

  private async scoreAndDetect(
    h: ModelHandle, c: ConceptHandle, where: Pick<UnitRow, "method" | "layer" | "strength">,
    prompts: string[], texts: string[], replacement: Replacement | null,
  ): Promise<UnitRow> {
    const cfg = this.cfg;
    const success = mean(await this.judge(c.name).score(texts.map((t, i) => ({ user: prompts[i], response: t }))));
    // Coherence: perplexity under the unsteered model, calibrated (lib/metrics/coherence). An empty response
    // has no perplexity; it scores 0 (it is not coherent text) and is counted in empty_responses.
    const nonEmpty = texts.map((t, i) => ({ t, i })).filter((x) => x.t.trim().length > 0);
    const pplRef = await this.referencePerplexity(h, c);
    const coh = nonEmpty.length ? await perplexityCoherence(h.engine, scoredTexts(h.loaded, nonEmpty.map((x) => prompts[x.i]), nonEmpty.map((x) => x.t)), pplRef) : [];
    const coherence = coh.reduce((s, x) => s + x, 0) / texts.length;
    const samples = texts.map(sampleDiversity);
    const set = setDiversity(texts);
    const diversity_sample = mean(samples.map((s) => s[cfg.diversity.sample as keyof SampleDiversity] as number));
    if (!Number.isFinite(diversity_sample)) throw new Error(`study config diversity.sample: '${cfg.diversity.sample}' is not a sample-level metric`);
    const diversity_set = diversityAxis(set, parseDiversityAxis(cfg.diversity.set));
    const { hm3, hm2 } = combinedScores({ success, coherence, diversity: diversity_set });

    const det: DetectorResult = await evaluateDetector({
      engine: h.engine, modelId: h.id,
      detector: { kind: "probe", layer: this.detectorLayer(h), head: DEFAULT_HEAD },
      trainingSet: (seed) => composeTrainingSet(c.train, { positives: cfg.samples, negatives: cfg.detector.negatives, seed, ...(replacement ? { replacement } : {}) }),
      test: c.test,
      seeds: Array.from({ length: cfg.detector.seeds }, (_, i) => deriveSeed(cfg.seed, "detector", i)),
      bootstrapIterations: cfg.detector.bootstrap,
      data: where.method,
      store: this.store,
      featureCache: join(this.store.root, "features"),
    });
    return {
      concept: c.name, model: h.name, ...where,
      success, coherence, diversity_sample, diversity_set, hm_scd: hm3, hm_sc: hm2,
      auroc: det.auroc, auroc_ci_low: det.auroc_ci[0], auroc_ci_high: det.auroc_ci[1], aurocs: det.aurocs,
      n_train: det.n_train, n_test: det.n_test,
      empty_responses: texts.length - nonEmpty.length,
      examples: texts.slice(0, 3),
      set_metrics: { ...set },
    };
  }

  /** The probe detector reads the layer two thirds of the way up (a fixed, documented choice). */
  private detectorLayer(h: ModelHandle): number {
    return Math.min(h.loaded.spec.nLayers - 1, Math.floor((2 * h.loaded.spec.nLayers) / 3));
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

function scoredTexts(model: LoadedModel, prompts: readonly string[], responses: readonly string[]): ScoredText[] {
  const tok = model.tokenizer!;
  const promptIds = encodePrompts(model, prompts, { chat: true });
  return responses.map((r, i) => ({ promptIds: promptIds[i], responseIds: tok.encode(r, { addSpecialTokens: false }) }))
    .map((x) => (x.promptIds.length + x.responseIds.length > model.spec.maxPositions
      ? { promptIds: x.promptIds, responseIds: x.responseIds.slice(0, Math.max(1, model.spec.maxPositions - x.promptIds.length)) }
      : x));
}

/** Run units with a progress bar; returns every row (cached or computed), in unit order. */
export async function runUnits(runner: StudyRunner, units: readonly Unit[]): Promise<UnitRow[]> {
  const rows: UnitRow[] = [];
  const bar = progress(`study ${runner.cfg.name}`, units.length);
  try {
    for (const u of units) {
      bar.label(unitId(u));
      rows.push(...(await runner.runUnit(u)));
      bar.tick();
    }
  } finally {
    bar.done();
  }
  return rows;
}
