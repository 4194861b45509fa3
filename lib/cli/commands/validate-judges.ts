import { join, resolve } from "node:path";
import { loadModel } from "../../checkpoint/index";
import { createEngine } from "../../engine/index";
import type { Engine } from "../../engine/index";
import {
  COHERENCE_RUBRIC, rememberLast, conceptClassifierJudge, conceptExchangeJudge, defaultCoherenceJudge, engineJudge, formatJudgesTable, httpJudge, mergeValidations,
  readRubric, validateConceptJudges, writeJudgesCsv, type Judge, type JudgeValidation,
} from "../../metrics/index";
import { exportFigures, reliabilityDiagram } from "../../plot/index";
import { checkpointContentId } from "../../study/index";
import { repoRoot, writeJsonAtomic } from "../../util/index";
import { numberOpt, parseArgs, usage, UsageError } from "../args";
import { SUMMARIES } from "../summaries";
import { PREPACK_OPTION, WEIGHTS_OPTION, weightsOpt } from "../weights";

const summary = SUMMARIES["validate-judges"];

const OPTIONS = {
  concept: { type: "string", required: true, description: "concept name(s), comma-separated (data/concepts/<name>.json)" },
  model: { type: "string", description: "checkpoint whose activations feed the exchange judge and whose likelihoods measure coherence (default data/models/llama-tiny)" },
  judge: { type: "string", description: "success judges, comma-separated: exchange (default) | classifier | llm | http" },
  coherence: { type: "string", description: "extra coherence judges, comma-separated: llm | http (the default coherence judge is always validated)" },
  "llm-model": { type: "string", description: "checkpoint of the local LLM judge (llm; default: --model)" },
  "http-url": { type: "string", description: "OpenAI-compatible base URL (http)" },
  "http-model": { type: "string", description: "model name sent to the endpoint (http)" },
  "http-key-env": { type: "string", description: "environment variable holding the API key (http, optional)" },
  "success-items": { type: "string", description: "at most this many detector_test rows (seeded, class-stratified; default all)" },
  "coherence-items": { type: "string", description: "real responses for the coherence validation (default 100)" },
  seed: { type: "string", description: "seed of splits, corruptions and bootstrap (default 20261128)" },
  out: { type: "string", required: true, description: "folder: judges.csv, judges.json (bins, misjudged examples), judges-reliability.html" },
  weights: WEIGHTS_OPTION,
  "no-prepack": PREPACK_OPTION,
  help: { type: "boolean", description: "show this help" },
} as const;

const list = (v: unknown, fallback: string): string[] => String(v ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);

export async function run(argv: string[]): Promise<number> {
  // --help before parsing: the required options must not be asked for first
  if (argv.includes("--help")) { console.log(usage("validate-judges", summary, OPTIONS)); return 0; }
  const a = parseArgs("validate-judges", argv, OPTIONS);
  const modelDir = resolve(String(a.model ?? join(repoRoot(), "data", "models", "llama-tiny")));
  const seed = numberOpt("validate-judges", "seed", a.seed, 20261128);
  const engineOpts = weightsOpt("validate-judges", a), weights = engineOpts.weights;
  const successRoutes = list(a.judge, "exchange"), coherenceRoutes = list(a.coherence, "");
  for (const r of successRoutes) if (!["exchange", "classifier", "llm", "http"].includes(r)) throw new UsageError(`validate-judges: --judge takes exchange, classifier, llm, http (got '${r}')`);
  for (const r of coherenceRoutes) if (!["llm", "http"].includes(r)) throw new UsageError(`validate-judges: --coherence takes llm, http (got '${r}')`);
  const http = (rubric: string): Judge => {
    if (typeof a["http-url"] !== "string" || typeof a["http-model"] !== "string") throw new UsageError("validate-judges: an http judge needs --http-url and --http-model");
    return httpJudge({ baseUrl: a["http-url"], model: a["http-model"], rubric, apiKeyEnv: a["http-key-env"] as string | undefined, cacheDir: join(repoRoot(), ".cache", "judgements") });
  };
  const engines: Engine[] = [];
  const open = async (dir: string): Promise<Engine> => { const e = await createEngine(await loadModel(dir), engineOpts); engines.push(e); return e; };
  try {
    const engine = await open(modelDir);
    const llmDir = a["llm-model"] !== undefined ? resolve(String(a["llm-model"])) : modelDir;
    const llm = successRoutes.includes("llm") || coherenceRoutes.includes("llm") ? (llmDir === modelDir ? engine : await open(llmDir)) : null;
    const modelName = modelDir.split(/[\\/]/).filter(Boolean).pop()!;
    const parts: JudgeValidation[] = [];
    for (const concept of list(a.concept, "")) {
      // The study's success judge: validated when asked for, and always the one that tells the default
      // coherence judge each text's class.
      const exchange = rememberLast(await conceptExchangeJudge(engine, concept, { seed, modelId: checkpointContentId(modelDir, weights), cacheDir: join(repoRoot(), ".cache", "judges") }));
      const success = await Promise.all(successRoutes.map(async (r): Promise<Judge> => {
        if (r === "exchange") return exchange;
        if (r === "classifier") return conceptClassifierJudge(concept);
        return r === "llm" ? engineJudge(llm!, readRubric(concept)) : http(readRubric(concept));
      }));
      const coherence = [
        await defaultCoherenceJudge(engine, concept, exchange),
        ...coherenceRoutes.map((r) => (r === "llm" ? engineJudge(llm!, COHERENCE_RUBRIC, { id: `llm-coherence:${llmDir}` }) : http(COHERENCE_RUBRIC))),
      ];
      parts.push(await validateConceptJudges({
        concept, model: modelName, success, coherence, seed,
        ...(a["success-items"] !== undefined ? { successItems: numberOpt("validate-judges", "success-items", a["success-items"]) } : {}),
        coherenceItems: numberOpt("validate-judges", "coherence-items", a["coherence-items"], 100),
      }));
    }
    const v = mergeValidations(parts);
    const out = resolve(String(a.out));
    writeJudgesCsv(join(out, "judges.csv"), v.rows);
    writeJsonAtomic(join(out, "judges.json"), v);
    await exportFigures([{ name: "judges-reliability", fig: reliabilityDiagram(v.rows, v.reliability) }], out, { formats: ["html"] });
    console.log(formatJudgesTable(v.rows));
    const failing = v.rows.filter((r) => !r.passes).length;
    console.log(`\n${v.rows.length} validations, ${failing} below target → ${join(out, "judges.csv")}`);
    return 0;
  } finally {
    for (const e of engines) await e.dispose();
  }
}
