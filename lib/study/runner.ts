import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../checkpoint/index";
import { realExamples, type Replacement } from "../detect/index";
import { createEngine } from "../engine/index";
import { mergeValidations, type JudgeValidation } from "../metrics/index";
import { loadConceptPairs } from "../steering/index";
import { deriveSeed, fingerprint, repoRoot, progress } from "../util/index";
import { loadConcept, readBaseline, readLabelled, readPrompts } from "../world/index";
import type { StudyConfig } from "./config";
import { configId, enumerateUnits, unitId, unitRows, type Unit } from "./grid";
import { checkpointContentId } from "./identity";
import { checkStudyInputs, modelDir } from "./preflight";
import { detectStage } from "./stages/detect";
import { extractStage } from "./stages/extract";
import { promptingGenerations } from "./stages/generate-prompting";
import { generateSteered } from "./stages/generate-steered";
import { STUDY_VERSION, type ConceptHandle, type ModelHandle, type SamplingSettings, type StoredGenerations } from "./stages/handles";
import { chooseLayers } from "./stages/layers";
import { promptingReplacement, steeredReplacement, textsToScore } from "./stages/replacement";
import { resultRow, type UnitRow } from "./stages/row";
import { judgesStage, judgeValidationStage, type StudyJudges } from "./stages/judges";
import { scoreStage } from "./stages/score";
import { ArtefactStore } from "./store";
import { tuneRange, tuneSteering } from "./tune";

/**
 * The study runner: it loads models and concepts once, walks the units of lib/study/grid and composes the
 * stages of lib/study/stages, each a function of its inputs and the artefact store (every output an artefact
 * keyed by content fingerprints, lib/study/store):
 *   layers    (model, concept data) → the "auto" layer            `layer-choice`
 *   extract   (model, concept data, method, layer, read) → vector `vector` (+ its .json provenance)
 *   generate  a group's whole strength sweep | a baseline's (prompting, unsteered)      `generations`
 *   judges    success + coherence judges, their validation        `coherence-reference`, `judge-validation`, judges/
 *   score     intrinsic scores                                    (in `row`)
 *   detect    detector runs per seed                              `features`, `detector`
 *   row       one configuration's row                             `row`
 * so a rerun skips finished work and a run killed at any point (even kill -9) redoes at most the row in
 * flight: a group's generations are stored before its rows, and a resumed group reads them back instead of
 * regenerating a smaller sweep.
 */
export class StudyRunner {
  readonly store: ArtefactStore;
  private models = new Map<string, Promise<ModelHandle>>();
  private concepts = new Map<string, ConceptHandle>();
  private judges = new Map<string, Promise<StudyJudges>>();
  /** Wall-clock seconds spent per stage in this process (cached work costs next to nothing). */
  readonly seconds: Record<string, number> = {};

  constructor(readonly cfg: StudyConfig, readonly outDir: string) {
    checkStudyInputs(cfg); // every concept, model path and explicit layer, before any work (and before --list)
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
      const dir = modelDir(this.cfg.models[at].path); // path and layers were checked by checkStudyInputs
      const { weights } = this.cfg.models[at];
      h = (async () => {
        const loaded = await this.timed("load models", () => loadModel(dir));
        const id = checkpointContentId(dir, weights);
        return { name, loaded, engine: await this.timed("load models", () => createEngine(loaded, { weights })), id };
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
      c = { name: meta.name, source: name, train, test, prompts, systems, dataId: fingerprint([meta.name, train, test, prompts, systems, pairs, readFileSync(meta.paths.judge_train), meta.paths.judge_instructions ? readFileSync(meta.paths.judge_instructions) : null]) };
      this.concepts.set(name, c);
    }
    return c;
  }

  /** All units, in the fixed order of lib/study/grid (resolving "auto" layers first: stage 1). */
  async units(): Promise<Unit[]> {
    const layers = new Map<string, number[]>();
    for (const concept of this.cfg.concepts)
      for (const m of this.cfg.models) {
        const h = m.layers === "auto" ? await this.model(m.name) : null;
        const chosen = h ? await this.timed("layer choice", () => chooseLayers(this.store, m, h, this.concept(concept), this.cfg.seed)) : (m.layers as number[]);
        layers.set(`${concept}\u0000${m.name}`, chosen);
      }
    return enumerateUnits(this.cfg, (concept, model) => layers.get(`${concept}\u0000${model}`)!);
  }

  /** Run one unit (cached rows are reused); returns its rows in strength order. */
  async runUnit(u: Unit, onRow: () => void = () => {}): Promise<UnitRow[]> {
    const rows = u.kind === "group" ? await this.runGroup(u, onRow) : [await this.runBaseline(u)];
    if (u.kind === "baseline") onRow();
    return rows;
  }

  /** Stage 0: the (concept, model)'s success and coherence judges, made once per process. */
  private judgesFor(h: ModelHandle, c: ConceptHandle): Promise<StudyJudges> {
    const key = `${c.source}\u0000${h.name}`;
    let j = this.judges.get(key);
    if (!j) this.judges.set(key, (j = this.timed("judge training", () => judgesStage(this.store, this.cfg, h, c, join(this.outDir, "artefacts", "judges")))));
    return j;
  }

  /**
   * Stage 0 for the whole grid, run before any unit: every (concept, model)'s judges validated on held-out
   * labelled data (lib/metrics/judges/validate). Rows below target stay in the output with passes = false.
   */
  async validateJudges(): Promise<JudgeValidation> {
    const parts: JudgeValidation[] = [];
    for (const concept of this.cfg.concepts)
      for (const m of this.cfg.models) {
        const h = await this.model(m.name), c = this.concept(concept);
        const judges = await this.judgesFor(h, c);
        parts.push(await this.timed("judge validation", () => judgeValidationStage(this.store, this.cfg, h, c, judges, this.scoringKey(h, c))));
      }
    return mergeValidations(parts);
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

  /** The sampling settings shared by steered and prompted generation (the steering window is the method's). */
  private sampling(): SamplingSettings {
    const { maxNewTokens, temperature, topP, topK } = this.cfg.sampling;
    return { maxNewTokens, temperature, topP, topK };
  }

  /**
   * The strength lib/study/tune picks for a group toward the config's objective (an artefact "tuning"): searched
   * from the grid's span (or the method's default range), on prompts the detector's generations do not use.
   */
  private async tunedStrength(h: ModelHandle, c: ConceptHandle, u: Extract<Unit, { kind: "group" }>): Promise<number> {
    const { tuning, samples, sampling, seed, diversity } = this.cfg;
    const mc = this.cfg.methods[u.method]!;
    const range = tuneRange(u.method, u.strengths);
    const unused = c.prompts.slice(generatedPerConfiguration(samples));
    const prompts = unused.length >= tuning.samplesPerPoint ? unused : c.prompts;
    const key = { v: STUDY_VERSION, model: h.id, data: c.dataId, method: u.method, layer: u.layer, read: mc.read, tuning, range, sampling, seed, diversity, judges: this.cfg.judges };
    const result = await this.store.json("tuning", key, async () => {
      const vector = await this.timed("vectors", () => extractStage(this.store, h, c, u.method, mc, u.layer, seed));
      const judges = await this.judgesFor(h, c);
      return this.timed("tuning", () => tuneSteering({
        engine: h.engine, judge: judges.success, coherenceJudge: judges.coherence, vector, layers: [u.layer], prompts, objective: tuning.objective, budget: tuning.budget,
        range, points: tuning.points, samplesPerPoint: tuning.samplesPerPoint, seed: deriveSeed(seed, "tuning", c.name, u.method, u.layer ?? "all"),
        sampling: this.sampling(), window: mc.method.window ?? sampling.window, diversity,
      }));
    });
    return result.strength;
  }

  private async runGroup(u: Extract<Unit, { kind: "group" }>, onRow: () => void): Promise<UnitRow[]> {
    const h = await this.model(u.model);
    const c = this.concept(u.concept);
    const mc = this.cfg.methods[u.method]!;
    const tuned = u.tuned ? await this.tunedStrength(h, c, u) : null;
    const strengths = tuned === null || u.strengths.includes(tuned) ? u.strengths : [...u.strengths, tuned];
    const origin = (s: number): UnitRow["origin"] => (s !== tuned ? "grid" : u.strengths.includes(s) ? "grid+tuned" : "tuned");
    const genKey = this.generationKey(h, c, { method: u.method, layer: u.layer, read: mc.read, strengths });
    const rowKey = (strength: number) => ({ ...this.scoringKey(h, c), generations: genKey, strength, origin: origin(strength) });
    const rows: UnitRow[] = [];
    let gens: StoredGenerations | null = null;
    for (const strength of strengths) {
      rows.push(await this.store.json("row", rowKey(strength), async () => {
        gens ??= await this.store.json("generations", genKey, async () => {
          const vector = await this.timed("vectors", () => extractStage(this.store, h, c, u.method, mc, u.layer, this.cfg.seed));
          return this.timed("generation", () => generateSteered({
            engine: h.engine, concept: c.name, prompts: c.prompts, samples: generatedPerConfiguration(this.cfg.samples), seed: this.cfg.seed,
            sampling: this.sampling(), vector, strengths, window: mc.method.window ?? this.cfg.sampling.window,
          }));
        });
        const id = configId({ concept: c.name, model: u.model, method: u.method, layer: u.layer, strength });
        return { ...(await this.scoreAndDetect(h, c, { method: u.method, layer: u.layer, strength }, steeredReplacement(gens, strength, id))), origin: origin(strength) };
      }));
      onRow();
    }
    if (strengths.length === u.strengths.length && u.tuned) onRow(); // the tuned strength shared a grid row
    return rows;
  }

  private async runBaseline(u: Extract<Unit, { kind: "baseline" }>): Promise<UnitRow> {
    const h = await this.model(u.model);
    const c = this.concept(u.concept);
    const where = { method: u.source, layer: null, strength: null };
    if (u.source === "real") return this.store.json("row", { ...this.scoringKey(h, c), baseline: "real" }, () => this.scoreAndDetect(h, c, where, null));
    const genKey = this.generationKey(h, c, { baseline: u.source });
    const systems = u.source === "prompting" ? c.systems : null; // unsteered: no instruction, no steering
    return this.store.json("row", { ...this.scoringKey(h, c), generations: genKey }, async () => {
      const g = await this.store.json<StoredGenerations>("generations", genKey, () => this.timed("generation", () => promptingGenerations({
        engine: h.engine, concept: c.name, prompts: c.prompts, systems, samples: generatedPerConfiguration(this.cfg.samples), seed: this.cfg.seed, sampling: this.sampling(),
      })));
      return this.scoreAndDetect(h, c, where, promptingReplacement(g, `${c.name}__${h.name}__${u.source}`));
    });
  }

  /**
   * Stages 4–6 of one row. `replacement` = the generated violating examples (null: the real ones; their
   * intrinsic scores are those of the real violating examples the first detector seed trains on).
   */
  private async scoreAndDetect(h: ModelHandle, c: ConceptHandle, where: Pick<UnitRow, "method" | "layer" | "strength">, replacement: Replacement | null): Promise<UnitRow> {
    const texts = textsToScore(this.cfg, c, replacement);
    const judges = await this.judgesFor(h, c);
    const scores = await this.timed("intrinsic scores", () => scoreStage(judges, texts, this.cfg));
    const det = await this.timed("detectors", () => detectStage(this.store, this.cfg, h, c, replacement, where.method));
    return resultRow({ concept: c.name, model: h.name, ...where }, scores, det, texts.texts, c.test.length);
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
 * (empty responses included); the detector takes `detector.positives` non-empty ones from all of them, so a few
 * empty generations do not cost a configuration its detector. With fewer non-empty generations than that, the
 * row has no detector (AUROC empty, reason in detector_note): never a silently smaller training set.
 */
export const generatedPerConfiguration = (samples: number): number => samples + Math.ceil(samples / 4);
