import { existsSync, readFileSync, rmSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { loadModel } from "../checkpoint/index";
import { composeTrainingSet, realExamples, type Example, type Replacement } from "../detect/dataset";
import { defaultProbeLayer } from "../detect/features";
import { evaluateDetector, type DetectorConfig } from "../detect/evaluate";
import { DEFAULT_FINETUNE } from "../detect/finetune";
import { DEFAULT_HEAD } from "../detect/head";
import { generatePrompting, sampleAssignment } from "../detect/prompting";
import { createEngine, encodePrompts } from "../engine/index";
import type { Engine, LoadedModel } from "../engine/types";
import { conceptClassifierJudge, type ConceptClassifier } from "../metrics/judges/classifier";
import { loadConceptPairs } from "../steering/concept-data";
import { datasetFingerprint, encodePairs } from "../steering/dataset";
import { chooseLayer } from "../steering/choose-layer";
import { extractVector } from "../steering/extract";
import { loadVector, provenancePath, saveVector } from "../steering/persistence";
import { buildSweep } from "../steering/sweep";
import type { SteeringVector } from "../steering/vector";
import { fingerprint } from "../util/fingerprint";
import { repoRoot } from "../util/paths";
import { progress } from "../util/progress";
import { deriveSeed } from "../util/rng";
import { loadConcept, readBaseline, readLabelled, readPrompts } from "../world/index";
import type { MethodName, StudyConfig } from "./config";
import { configId, enumerateUnits, unitId, unitRows, type Unit } from "./grid";
import { checkpointContentId } from "./identity";
import { intrinsicScores, referencePerplexity, type IntrinsicScores } from "./intrinsic";
import { ArtefactStore } from "./store";
import { DEFAULT_TUNE_RANGES, tuneSteering } from "./tune";

/**
 * The study runner. Work is split into units (lib/study/grid), each stage's output an artefact keyed by content
 * fingerprints (lib/study/store):
 *   layer-choice  (model, concept data): the "auto" layer;
 *   vector        (model, concept data, method, layer, read);
 *   generations   a steering group's whole strength sweep, or a baseline's prompted generations;
 *   row           one configuration's intrinsic scores + detector result (its detector runs are artefacts too);
 * so a rerun skips finished work and a run killed at any point (even kill -9) redoes at most the row in
 * flight: a group's generations are stored before its rows, and a resumed group reads them back instead of
 * regenerating a smaller sweep.
 */

/** Bump when a stage's computation changes, so cached artefacts are recomputed. */
const STUDY_VERSION = 5;

/** One row of the results table before the cross-row columns (beats_prompting, …) are added. */
export interface UnitRow extends Omit<IntrinsicScores, "set_metrics"> {
  concept: string;
  model: string;
  method: MethodName | "prompting" | "real";
  layer: number | null;
  strength: number | null;
  /** null when the configuration produced too few usable generations to train a detector (see detector_note). */
  auroc: number | null;
  auroc_ci_low: number | null;
  auroc_ci_high: number | null;
  /** Test AUROC per detector seed (the paired test against prompting uses them); empty without a detector. */
  aurocs: number[];
  detector_note: string | null;
  n_train: number;
  n_test: number;
  /** Up to three example responses, for the example-generations figure. */
  examples: string[];
  /** Steered rows: a grid strength, the tuned one (lib/study/tune), or both; null for baselines. */
  origin: "grid" | "tuned" | "grid+tuned" | null;
  set_metrics: Record<string, number>;
}

interface ModelHandle {
  name: string;
  loaded: LoadedModel;
  engine: Engine;
  id: string;
}

interface ConceptHandle {
  /** The concept's own name (results, seeds, provenance). */
  name: string;
  /** The config's entry: a concept name or a path to a concept .json. */
  source: string;
  dataId: string;
  train: Example[];
  test: Example[];
  prompts: string[];
  systems: string[];
}

/** Generated texts of one group (cells in sweep order) or of the prompting baseline. */
interface StoredGenerations {
  prompts: string[];
  seeds: number[];
  texts: string[];
  /** Per text: the strength (groups) or the system prompt (prompting). */
  strengths?: number[];
  systems?: string[];
}


export class StudyRunner {
  readonly store: ArtefactStore;
  private models = new Map<string, Promise<ModelHandle>>();
  private concepts = new Map<string, ConceptHandle>();
  private judges = new Map<string, ConceptClassifier>();
  /** Wall-clock seconds spent per stage in this process (cached work costs nothing). */
  readonly seconds: Record<string, number> = {};

  constructor(readonly cfg: StudyConfig, readonly outDir: string) {
    this.store = new ArtefactStore(join(outDir, "artefacts"));
    this.store.sweep();
  }

  private async timed<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.seconds[stage] = (this.seconds[stage] ?? 0) + (performance.now() - t0) / 1000;
    }
  }

  async dispose(): Promise<void> {
    for (const m of this.models.values()) await (await m).engine.dispose();
  }

  private model(name: string): Promise<ModelHandle> {
    let h = this.models.get(name);
    if (!h) {
      const at = this.cfg.models.findIndex((x) => x.name === name);
      if (at < 0) throw new Error(`study: no model named '${name}'`);
      const m = this.cfg.models[at];
      const dir = isAbsolute(m.path) ? m.path : resolve(repoRoot(), m.path);
      if (!existsSync(join(dir, "config.json")))
        throw new Error(`${this.cfg.file}: models[${at}].path: no checkpoint at ${dir} (expected a folder with config.json; the default models are built by \`npm run setup\`)`);
      h = (async () => {
        const loaded = await this.timed("load models", () => loadModel(dir));
        if (m.layers !== "auto")
          m.layers.forEach((l, j) => {
            if (l >= loaded.spec.nLayers) throw new Error(`${this.cfg.file}: models[${at}].layers[${j}]: layer ${l} does not exist (${name} has layers 0..${loaded.spec.nLayers - 1})`);
          });
        return { name, loaded, engine: await this.timed("load models", () => createEngine(loaded)), id: checkpointContentId(dir) };
      })();
      this.models.set(name, h);
    }
    return h;
  }

  private concept(name: string): ConceptHandle {
    let c = this.concepts.get(name);
    if (!c) {
      const meta = loadConcept(name);
      const train = realExamples(readLabelled(meta.paths.detector_train), "detector_train");
      const test = realExamples(readLabelled(meta.paths.detector_test), "detector_test");
      const prompts = readPrompts(meta.paths.prompts).map((p) => p.user);
      const systems = readBaseline(meta.paths.baseline).map((b) => b.system);
      const pairs = [loadConceptPairs(name, "mean"), loadConceptPairs(name, "answer")];
      c = { name: meta.name, source: name, train, test, prompts, systems, dataId: fingerprint([meta.name, train, test, prompts, systems, pairs, readFileSync(meta.paths.judge_train)]) };
      this.concepts.set(name, c);
    }
    return c;
  }

  /** Layers to steer for (concept, model): explicit, or "auto" = steering/choose-layer's choice (cached). */
  private async layersFor(concept: string, model: string): Promise<number[]> {
    const m = this.cfg.models.find((x) => x.name === model)!;
    if (m.layers !== "auto") return m.layers;
    const h = await this.model(model);
    const c = this.concept(concept);
    const layer = await this.store.json("layer-choice", { v: STUDY_VERSION, model: h.id, data: c.dataId, seed: this.cfg.seed }, () => this.timed("layer choice", async () => {
      const pairs = loadConceptPairs(concept, "mean");
      return (await chooseLayer(h.engine, encodePairs(h.loaded.tokenizer, pairs), { read: "mean", seed: this.cfg.seed })).layer;
    }));
    return [layer];
  }

  /** All units, in the fixed order of lib/study/grid (resolving "auto" layers first). */
  async units(): Promise<Unit[]> {
    const layers = new Map<string, number[]>();
    for (const concept of this.cfg.concepts)
      for (const m of this.cfg.models) layers.set(`${concept}\u0000${m.name}`, await this.layersFor(concept, m.name));
    return enumerateUnits(this.cfg, (concept, model) => layers.get(`${concept}\u0000${model}`)!);
  }

  /** Run one unit (cached rows are reused); returns its rows in strength order. */
  async runUnit(u: Unit, onRow: () => void = () => {}): Promise<UnitRow[]> {
    const rows = u.kind === "group" ? await this.runGroup(u, onRow) : [await this.runBaseline(u)];
    if (u.kind === "baseline") onRow();
    return rows;
  }

  private judge(concept: string): ConceptClassifier {
    let j = this.judges.get(concept);
    if (!j) {
      const t0 = performance.now();
      this.judges.set(concept, (j = conceptClassifierJudge(concept)));
      this.seconds["judge training"] = (this.seconds["judge training"] ?? 0) + (performance.now() - t0) / 1000;
    }
    return j;
  }

  /** Everything a row's scores depend on besides its texts. */
  private scoringKey(h: ModelHandle, c: ConceptHandle) {
    const { samples, judges, diversity, detector, seed } = this.cfg;
    return { v: STUDY_VERSION, model: h.id, data: c.dataId, samples, judges, diversity, detector, seed };
  }

  private generationKey(h: ModelHandle, c: ConceptHandle, what: unknown) {
    const { samples, sampling, seed } = this.cfg;
    return { v: STUDY_VERSION, model: h.id, data: c.dataId, samples, sampling, seed, what };
  }

  private async vector(h: ModelHandle, c: ConceptHandle, method: MethodName, layer: number): Promise<SteeringVector> {
    const read = this.cfg.methods[method]!.read;
    const file = await this.store.file("vector", { v: STUDY_VERSION, model: h.id, data: c.dataId, method, layer, read, seed: this.cfg.seed }, "safetensors", (tmp) => this.timed("vectors", async () => {
      const pairs = loadConceptPairs(c.source, read);
      const v = await extractVector(h.engine, encodePairs(h.loaded.tokenizer, pairs), {
        method, layers: [layer], read, dataset: datasetFingerprint(pairs), modelName: h.name, seed: this.cfg.seed,
      });
      saveVector(tmp, v);
      rmSync(provenancePath(tmp), { force: true }); // the .safetensors metadata carries the same provenance
    }));
    return loadVector(file, h.loaded.spec);
  }

  /**
   * The strength lib/study/tune picks for a group toward the config's objective (an artefact "tuning"): searched
   * over the grid's span (or the method's default range), on prompts the detector's generations do not use.
   */
  private async tunedStrength(h: ModelHandle, c: ConceptHandle, u: Extract<Unit, { kind: "group" }>): Promise<number> {
    const { tuning, samples, sampling, seed, diversity } = this.cfg;
    const read = this.cfg.methods[u.method]!.read;
    const range: [number, number] = u.strengths.length >= 2 ? [Math.min(...u.strengths), Math.max(...u.strengths)] : DEFAULT_TUNE_RANGES[u.method];
    const unused = c.prompts.slice(generatedPerConfiguration(samples));
    const prompts = unused.length >= tuning.samplesPerPoint ? unused : c.prompts;
    const key = { v: STUDY_VERSION, model: h.id, data: c.dataId, method: u.method, layer: u.layer, read, tuning, range, sampling, seed, diversity, judges: this.cfg.judges };
    const result = await this.store.json("tuning", key, async () => {
      const vector = await this.vector(h, c, u.method, u.layer);
      const pplRef = await this.referencePerplexity(h, c);
      return this.timed("tuning", () => tuneSteering({
        engine: h.engine, judge: this.judge(c.source), vector, layers: [u.layer], prompts, objective: tuning.objective, budget: tuning.budget,
        range, points: tuning.points, samplesPerPoint: tuning.samplesPerPoint, seed: deriveSeed(seed, "tuning", c.name, u.method, u.layer),
        sampling: this.samplingOptions(), window: u.method === "actadd" ? "prompt" : sampling.window, pplRef, diversity,
      }));
    });
    return result.strength;
  }

  private async runGroup(u: Extract<Unit, { kind: "group" }>, onRow: () => void): Promise<UnitRow[]> {
    const h = await this.model(u.model);
    const c = this.concept(u.concept);
    const read = this.cfg.methods[u.method]!.read;
    const tuned = u.tuned ? await this.tunedStrength(h, c, u) : null;
    const strengths = tuned === null || u.strengths.includes(tuned) ? u.strengths : [...u.strengths, tuned];
    const origin = (s: number): UnitRow["origin"] => (s !== tuned ? "grid" : u.strengths.includes(s) ? "grid+tuned" : "tuned");
    const genKey = this.generationKey(h, c, { method: u.method, layer: u.layer, read, strengths });
    const rowKey = (strength: number) => ({ ...this.scoringKey(h, c), generations: genKey, strength, origin: origin(strength) });
    const rows: UnitRow[] = [];
    let gens: StoredGenerations | null = null;
    for (const strength of strengths) {
      rows.push(await this.store.json("row", rowKey(strength), async () => {
        gens ??= await this.store.json("generations", genKey, () => this.generateSweep(h, c, u, strengths));
        const cells = gens.texts.flatMap((_, i) => (gens!.strengths![i] === strength ? [i] : []));
        const id = configId({ concept: c.name, model: u.model, method: u.method, layer: u.layer, strength });
        const replacement: Replacement = {
          source: "steered",
          items: cells.map((i, k) => ({ user: gens!.prompts[i], text: gens!.texts[i], provenance: { config: id, sample: k, seed: gens!.seeds[i] } })),
        };
        return { ...(await this.scoreAndDetect(h, c, { method: u.method, layer: u.layer, strength }, replacement)), origin: origin(strength) };
      }));
      onRow();
    }
    if (strengths.length === u.strengths.length && u.tuned) onRow(); // the tuned strength shared a grid row
    return rows;
  }

  /** The group's whole strength sweep in one batch: every prompt at every strength, common per-sample seeds. */
  private async generateSweep(h: ModelHandle, c: ConceptHandle, u: Extract<Unit, { kind: "group" }>, strengths: readonly number[]): Promise<StoredGenerations> {
    const vector = await this.vector(h, c, u.method, u.layer);
    const { prompts, seeds } = sampleAssignment(c.name, c.prompts, generatedPerConfiguration(this.cfg.samples), this.cfg.seed);
    const ids = encodePrompts(h.loaded, prompts, { chat: true });
    // ActAdd injects at the prompt positions (Turner et al.); the other methods steer per the config's window.
    const window = u.method === "actadd" ? "prompt" : this.cfg.sampling.window;
    const sweep = buildSweep(ids, strengths, { terms: [{ vector, layers: [u.layer] }], window });
    const out = await this.timed("generation", () => h.engine.generate(sweep.ids, {
      ...this.samplingOptions(), batchSize: 64, seeds: sweep.cells.map((cell) => seeds[cell.prompt]), steering: sweep.steering,
    }));
    return {
      prompts: sweep.cells.map((cell) => prompts[cell.prompt]),
      seeds: sweep.cells.map((cell) => seeds[cell.prompt]),
      texts: out.map((g) => g.text ?? ""),
      strengths: sweep.cells.map((cell) => cell.strength),
    };
  }

  /** The sampling settings shared by steered and prompted generation (the steering window is the group's). */
  private samplingOptions() {
    const { maxNewTokens, temperature, topP, topK } = this.cfg.sampling;
    return { maxNewTokens, temperature, topP, topK };
  }

  private async runBaseline(u: Extract<Unit, { kind: "baseline" }>): Promise<UnitRow> {
    const h = await this.model(u.model);
    const c = this.concept(u.concept);
    const where = { method: u.source, layer: null, strength: null };
    if (u.source === "real") return this.store.json("row", { ...this.scoringKey(h, c), baseline: "real" }, () => this.scoreAndDetect(h, c, where, null));
    const genKey = this.generationKey(h, c, { baseline: "prompting" });
    return this.store.json("row", { ...this.scoringKey(h, c), generations: genKey }, async () => {
      const g = await this.store.json<StoredGenerations>("generations", genKey, async () => {
        const p = await this.timed("generation", () => generatePrompting({ engine: h.engine, concept: c.name, prompts: c.prompts, systems: c.systems, samples: generatedPerConfiguration(this.cfg.samples), seed: this.cfg.seed, sampling: this.samplingOptions() }));
        return { prompts: p.prompts, seeds: p.items.map((x) => x.provenance.seed as number), texts: p.texts, systems: p.items.map((x) => x.provenance.system as string) };
      });
      const replacement: Replacement = {
        source: "prompting",
        items: g.texts.map((text, k) => ({ user: g.prompts[k], text, provenance: { config: `${c.name}__${h.name}__prompting`, sample: k, seed: g.seeds[k], system: g.systems![k] } })),
      };
      return this.scoreAndDetect(h, c, where, replacement);
    });
  }

  /** Perplexity of the unsteered model on real compliant responses: the coherence calibration's reference. */
  private referencePerplexity(h: ModelHandle, c: ConceptHandle): Promise<number> {
    return this.store.json("reference-ppl", { v: STUDY_VERSION, model: h.id, data: c.dataId }, () => this.timed("intrinsic scores", () => {
      const refs = c.test.filter((e) => e.label === 0).slice(0, 200);
      return referencePerplexity(h.engine, refs.map((e) => e.user), refs.map((e) => e.response));
    }));
  }

  private detector(h: ModelHandle): DetectorConfig {
    const d = this.cfg.detector;
    if (d.layer !== null && d.layer >= h.loaded.spec.nLayers)
      throw new Error(`${this.cfg.file}: detector.layer: layer ${d.layer} does not exist (${h.name} has layers 0..${h.loaded.spec.nLayers - 1})`);
    const layer = d.layer ?? defaultProbeLayer(h.loaded.spec.nLayers);
    return d.kind === "probe"
      ? { kind: "probe", layer, head: { ...DEFAULT_HEAD, kind: d.head } }
      : { kind: "finetune", config: { ...DEFAULT_FINETUNE, ...(d.layer !== null ? { layer: d.layer } : {}) } };
  }

  /**
   * Scores and detector of one row. `replacement` = the generated violating examples (null: the real ones; their
   * intrinsic scores are those of the real violating examples the first detector seed trains on).
   */
  private async scoreAndDetect(h: ModelHandle, c: ConceptHandle, where: Pick<UnitRow, "method" | "layer" | "strength">, replacement: Replacement | null): Promise<UnitRow> {
    const cfg = this.cfg;
    const seeds = Array.from({ length: cfg.detector.seeds }, (_, i) => deriveSeed(cfg.seed, "detector", i));
    const { positives, negatives } = cfg.detector;
    const trainingSet = (seed: number) => composeTrainingSet(c.train, { positives, negatives, seed, ...(replacement ? { replacement } : {}) });
    // Intrinsic scores: the first `samples` generations, empty ones included (they count in empty_responses); for
    // real data, `samples` real violating examples (a seeded draw), so set diversity compares sets of one size.
    const scored = replacement
      ? { prompts: replacement.items.slice(0, cfg.samples).map((x) => x.user), texts: replacement.items.slice(0, cfg.samples).map((x) => x.text) }
      : (() => {
          const real = composeTrainingSet(c.train, { positives: cfg.samples, negatives, seed: seeds[0] }).filter((e) => e.label === 1);
          return { prompts: real.map((e) => e.user), texts: real.map((e) => e.response) };
        })();
    const judge = this.judge(c.source), pplRef = await this.referencePerplexity(h, c);
    const s = await this.timed("intrinsic scores", () => intrinsicScores(h.engine, judge, scored.prompts, scored.texts, pplRef, cfg.diversity));
    const usable = replacement ? replacement.items.filter((x) => x.text.trim().length > 0).length : positives;
    const det = usable < positives ? null : await this.timed("detectors", () => evaluateDetector({
      engine: h.engine, modelId: h.id, detector: this.detector(h), trainingSet, test: c.test, seeds,
      bootstrapIterations: cfg.detector.bootstrap, data: where.method, store: this.store,
    }));
    return {
      concept: c.name, model: h.name, ...where,
      success: s.success, coherence: s.coherence, diversity_sample: s.diversity_sample, diversity_set: s.diversity_set, hm_scd: s.hm_scd, hm_sc: s.hm_sc,
      auroc: det?.auroc ?? null, auroc_ci_low: det?.auroc_ci[0] ?? null, auroc_ci_high: det?.auroc_ci[1] ?? null, aurocs: det?.aurocs ?? [],
      detector_note: det ? null : `only ${usable} of ${replacement!.items.length} generations are non-empty; ${positives} are needed`,
      n_train: det?.n_train ?? 0, n_test: det?.n_test ?? c.test.length,
      empty_responses: s.empty_responses,
      examples: scored.texts.slice(0, 3),
      set_metrics: { ...s.set_metrics },
      origin: null,
    };
  }
}

/** Run units with a progress bar counting rows (its ETA weighs a group by its strengths); rows in unit order. */
export async function runUnits(runner: StudyRunner, units: readonly Unit[]): Promise<UnitRow[][]> {
  const out: UnitRow[][] = [];
  const bar = progress(`study ${runner.cfg.name}`, units.reduce((s, u) => s + unitRows(u), 0));
  try {
    for (const u of units) {
      bar.label(unitId(u));
      out.push(await runner.runUnit(u, () => bar.tick()));
    }
  } finally {
    bar.done();
  }
  return out;
}

/**
 * Generations made per configuration: `samples` plus a 25 % reserve. Intrinsic scores use the first `samples`
 * (empty responses included); the detector takes `samples` non-empty ones from all of them, so a few empty
 * generations do not cost a configuration its detector. With fewer non-empty generations than `samples`, the
 * row has no detector (AUROC empty, reason in detector_note): never a silently smaller training set.
 */
export const generatedPerConfiguration = (samples: number): number => samples + Math.ceil(samples / 4);
