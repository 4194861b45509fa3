import { join } from "node:path";
import { loadModel, type LoadedModel } from "../../checkpoint/index";
import { createEngine, encodePrompts, type Engine, type EngineOptions } from "../../engine/index";
import { readGenerations, type GenerationRow, embedWith, sampleDiversity, setDiversity, pooledPerplexity, perplexityCoherence, type ScoredText, combinedScores, diversityAxis, parseDiversityAxis, conceptClassifierJudge, engineJudge, httpJudge, readRubric, COHERENCE_RUBRIC, type Judge, type JudgeItem } from "../../metrics/index";
import { writeJsonAtomic, repoRoot } from "../../util/index";
import { numberOpt, parseArgs, usage, UsageError, type OptionSpec } from "../args";
import { parseQ } from "./diversity";
import { SUMMARIES } from "../summaries";
import { PREPACK_OPTION, WEIGHTS_OPTION, weightsOpt } from "../weights";

const summary = SUMMARIES["score"];

const OPTIONS: Record<string, OptionSpec> = {
  input: { type: "string", required: true, description: "generations, JSON lines {\"text\", \"prompt\"?} (one configuration's responses)" },
  out: { type: "string", required: true, description: "output S.json: {judges, set: {...}, responses: [{...}, ...]}" },
  judge: { type: "string", description: "success judge: classifier | llm | http (needs --concept); without it no success field is written" },
  concept: { type: "string", description: "concept of data/concepts: its judge_train.jsonl (classifier) or its rubric (llm, http)" },
  coherence: { type: "string", description: "coherence judge: perplexity (needs --reference-model) | llm | http; without it no coherence field" },
  "reference-model": { type: "string", description: "unsteered reference checkpoint whose perplexity measures coherence" },
  "reference-ppl": { type: "string", description: "the reference model's perplexity on reference text (calibration; or --reference-text)" },
  "reference-text": { type: "string", description: "JSON lines {\"text\", \"prompt\"?} of reference responses; their pooled perplexity calibrates coherence" },
  "llm-model": { type: "string", description: "checkpoint folder of the local LLM judge (llm)" },
  "http-url": { type: "string", description: "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (http)" },
  "http-model": { type: "string", description: "model name sent to the endpoint (http)" },
  "http-key-env": { type: "string", description: "environment variable holding the API key (default OPENAI_API_KEY, optional)" },
  "http-rps": { type: "string", description: "requests per second at most (default 2)" },
  cache: { type: "string", description: "folder of cached HTTP judgements (default .cache/judgements)" },
  "diversity-axis": { type: "string", description: "set metric standing for diversity in the HM: distinct-1..4 | self-bleu | vendi-ngram | vendi-embedding | compression | embedding-distance (default distinct-2)" },
  q: { type: "string", description: "Vendi order (default 1; inf allowed)" },
  embedder: { type: "string", description: "engine:<modelDir>:<layer> or transformers:<dir>: adds embedding diversity" },
  weights: WEIGHTS_OPTION,
  "no-prepack": PREPACK_OPTION,
  help: { type: "boolean", description: "show this help" },
};

type Parsed = ReturnType<typeof parseArgs>;
const ROUTES = ["classifier", "llm", "http", "perplexity"] as const;

/** Engines opened for judging, closed at the end. */
class Engines {
  private readonly open = new Map<string, Promise<Engine>>();
  constructor(private readonly opts: EngineOptions) {}
  get(dir: string): Promise<Engine> {
    let e = this.open.get(dir);
    if (!e) { e = loadModel(dir).then((m) => createEngine(m, this.opts)); this.open.set(dir, e); }
    return e;
  }
  async close(): Promise<void> { for (const e of this.open.values()) await (await e).dispose(); }
}

const need = (a: Parsed, name: string, why: string): string => {
  const v = a[name];
  if (typeof v !== "string") throw new UsageError(`score: ${why} needs --${name}`);
  return v;
};

/** An LLM judge (local or HTTP) with a rubric. */
async function llmJudge(route: "llm" | "http", rubric: string, a: Parsed, engines: Engines): Promise<Judge> {
  if (route === "llm") return engineJudge(await engines.get(need(a, "llm-model", "an llm judge")), rubric);
  return httpJudge({
    baseUrl: need(a, "http-url", "an http judge"), model: need(a, "http-model", "an http judge"), rubric,
    apiKeyEnv: a["http-key-env"] as string | undefined, requestsPerSecond: numberOpt("score", "http-rps", a["http-rps"], 2),
    cacheDir: (a.cache as string | undefined) ?? join(repoRoot(), ".cache", "judgements"),
  });
}

async function successJudge(route: string, a: Parsed, engines: Engines): Promise<Judge> {
  const concept = need(a, "concept", `--judge ${route}`);
  if (route === "classifier") return conceptClassifierJudge(concept);
  if (route === "llm" || route === "http") return llmJudge(route, readRubric(concept), a, engines);
  throw new UsageError(`score: --judge must be classifier, llm or http, got '${route}'`);
}

/** Prompt + response ids under the reference model: the prompt as a chat user turn, or BOS alone when absent. */
function scoredText(model: LoadedModel, row: GenerationRow, where: string): ScoredText {
  const tok = model.tokenizer!;
  const bos = model.generation.bosTokenId;
  let promptIds: number[];
  if (row.prompt !== undefined) promptIds = encodePrompts(model, [row.prompt], { chat: true })[0];
  else if (bos !== null) promptIds = [bos];
  else throw new Error(`${where}: no "prompt" and the reference model has no BOS token to condition on`);
  return { promptIds, responseIds: tok.encode(row.text, { addSpecialTokens: false }) };
}

/**
 * Perplexity coherence per response. An empty response gets coherence 0 (it says nothing; perplexity is
 * undefined for zero tokens) — stated here and in the README rather than left as NaN.
 */
async function perplexityScores(rows: GenerationRow[], a: Parsed, engines: Engines): Promise<{ scores: number[]; pplRef: number }> {
  const engine = await engines.get(need(a, "reference-model", "--coherence perplexity"));
  if (!engine.model.tokenizer) throw new Error(`${engine.model.dir}: the reference model has no tokenizer`);
  if ((a["reference-ppl"] === undefined) === (a["reference-text"] === undefined))
    throw new UsageError("score: --coherence perplexity needs exactly one of --reference-ppl and --reference-text");
  const pplRef = a["reference-text"] !== undefined
    ? await pooledPerplexity(engine, readGenerations(a["reference-text"] as string).map((r, i) => scoredText(engine.model, r, `${a["reference-text"]}:${i + 1}`)))
    : numberOpt("score", "reference-ppl", a["reference-ppl"]);
  const items = rows.map((r, i) => scoredText(engine.model, r, `${a.input}:${i + 1}`));
  const nonEmpty = items.map((it, i) => i).filter((i) => items[i].responseIds.length > 0);
  const got = await perplexityCoherence(engine, nonEmpty.map((i) => items[i]), pplRef);
  const scores = new Array<number>(rows.length).fill(0);
  nonEmpty.forEach((i, k) => { scores[i] = got[k]; });
  return { scores, pplRef };
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("score", summary, OPTIONS)); return 0; }
  const a = parseArgs("score", argv, OPTIONS);
  for (const name of ["judge", "coherence"] as const) {
    const v = a[name];
    if (v !== undefined && !ROUTES.includes(v as never)) throw new UsageError(`score: --${name} must be one of ${ROUTES.join(", ")}, got '${v}'`);
  }
  if (a.judge === "perplexity") throw new UsageError("score: perplexity measures coherence, not success (use --coherence perplexity)");
  if (a.coherence === "classifier") throw new UsageError("score: --coherence must be perplexity, llm or http");
  const axisName = (a["diversity-axis"] as string | undefined) ?? "distinct-2";
  const axis = parseDiversityAxis(axisName);
  const engineOpts = weightsOpt("score", a);
  const rows = readGenerations(a.input as string);
  const items: JudgeItem[] = rows.map((r) => ({ response: r.text, ...(r.prompt !== undefined ? { user: r.prompt } : {}) }));
  const engines = new Engines(engineOpts);
  try {
    const judges: Record<string, string | number> = {};
    let success: number[] | undefined, coherence: number[] | undefined;
    if (a.judge !== undefined) {
      const judge = await successJudge(a.judge as string, a, engines);
      success = await judge.score(items);
      judges.success = judge.id;
    }
    if (a.coherence === "perplexity") {
      const r = await perplexityScores(rows, a, engines);
      coherence = r.scores;
      judges.coherence = `perplexity:${a["reference-model"]}`;
      judges.reference_perplexity = r.pplRef;
    } else if (a.coherence !== undefined) {
      const judge = await llmJudge(a.coherence as "llm" | "http", COHERENCE_RUBRIC, a, engines);
      coherence = await judge.score(items);
      judges.coherence = judge.id;
    }
    const embeddings = a.embedder !== undefined ? await embedWith(a.embedder as string, rows.map((r) => r.text)) : undefined;
    const div = setDiversity(rows.map((r) => r.text), { q: parseQ("score", a.q), embeddings });
    const set: Record<string, number | string> = { ...div, diversity_axis: axisName, diversity: diversityAxis(div, axis) };
    if (success) set.success = mean(success);
    if (coherence) set.coherence = mean(coherence);
    if (success && coherence) {
      const { hm3, hm2 } = combinedScores({ success: mean(success), coherence: mean(coherence), diversity: set.diversity as number });
      Object.assign(set, { hm3, hm2 });
    }
    const responses = rows.map((r, i) => ({
      index: i,
      ...(success ? { success: success[i] } : {}),
      ...(coherence ? { coherence: coherence[i] } : {}),
      ...sampleDiversity(r.text),
    }));
    writeJsonAtomic(a.out as string, { judges, set, responses });
    console.log(`score: ${rows.length} responses → ${a.out}` + (set.hm3 !== undefined ? ` (HM3 ${(set.hm3 as number).toFixed(3)})` : ""));
    return 0;
  } finally {
    await engines.close();
  }
}
