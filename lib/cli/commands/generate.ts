import { existsSync, readFileSync } from "node:fs";
import { loadModel } from "../../checkpoint/index";
import { createEngine, encodePrompts, validateSampling } from "../../engine/index";
import { readVectorFile, steerBatch } from "../../steering/index";
import { writeJsonlAtomic } from "../../util/index";
import { intOpt, numberOpt, parseArgs, seedOpt, usage, UsageError, type OptionSpec } from "../args";
import { readIdsFile } from "./hidden";
import { SUMMARIES } from "../summaries";
import { PREPACK_OPTION, WEIGHTS_OPTION, weightsOpt } from "../weights";

const summary = SUMMARIES["generate"];

const OPTIONS: Record<string, OptionSpec> = {
  model: { type: "string", required: true, description: "checkpoint folder (Hugging Face layout)" },
  prompts: { type: "string", description: "JSON lines, each {\"prompt\": text} (needs the checkpoint's tokenizer)" },
  ids: { type: "string", description: "JSON file: a list of token-id lists (instead of --prompts)" },
  out: { type: "string", required: true, description: "output JSON lines, one per prompt in input order: {ids, text}" },
  "max-new-tokens": { type: "string", required: true, description: "tokens to generate per prompt at most" },
  temperature: { type: "string", description: "sampling temperature; 0 = greedy (default: 0, or 1 when --top-p/--top-k are given)" },
  "top-p": { type: "string", description: "nucleus sampling mass (default 1: off)" },
  "top-k": { type: "string", description: "keep the k most likely tokens (default 0: off)" },
  seed: { type: "string", description: "base seed; prompt i samples with a seed derived from (seed, i) (default 0)" },
  "batch-size": { type: "string", description: "prompts run together (default: all); results never depend on it" },
  vector: { type: "string", description: "steering vectors: .safetensors with float32 direction.<layer> [H] (0-based layers); a steersynth vector's provenance decides its site (resid_post, or attn_out heads for iti)" },
  alpha: { type: "string", description: "strength: alpha × direction.<layer> is added to layer's output (default 1)" },
  positions: { type: "string", description: "where the vector is added: all (prompt and generated tokens; default) or generated" },
  chat: { type: "boolean", description: "render each text prompt as a user turn through the chat template" },
  weights: WEIGHTS_OPTION,
  "no-prepack": PREPACK_OPTION,
  help: { type: "boolean", description: "show this help" },
};

function readPromptsFile(file: string): string[] {
  if (!existsSync(file)) throw new UsageError(`generate: ${file}: no such file`);
  const prompts = readFileSync(file, "utf8").split("\n").map((line, i) => ({ line, i })).filter(({ line }) => line.trim() !== "").map(({ line, i }) => {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    const prompt = (row as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt !== "string") throw new Error(`${file}:${i + 1}: expected an object with a string field "prompt"`);
    return prompt;
  });
  if (prompts.length === 0) throw new Error(`${file}: no prompts (expected JSON lines, each {"prompt": text})`);
  return prompts;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("generate", summary, OPTIONS)); return 0; }
  const a = parseArgs("generate", argv, OPTIONS);
  if ((a.prompts === undefined) === (a.ids === undefined)) throw new UsageError("generate: give exactly one of --prompts and --ids");
  if (a.chat && a.ids !== undefined) throw new UsageError("generate: --chat applies to text prompts (--prompts), not --ids");
  const positions = (a.positions as string | undefined) ?? "all";
  if (positions !== "all" && positions !== "generated") throw new UsageError(`generate: --positions must be 'all' or 'generated', got '${positions}'`);
  if (a.vector === undefined && (a.alpha !== undefined || a.positions !== undefined)) throw new UsageError("generate: --alpha and --positions need --vector");
  const int = (name: string, min: number): number | undefined => (a[name] === undefined ? undefined : intOpt("generate", name, a[name], undefined, min));
  const maxNewTokens = intOpt("generate", "max-new-tokens", a["max-new-tokens"], undefined, 0);
  const batchSize = int("batch-size", 1);
  const seed = seedOpt("generate", a.seed, 0);
  // No --temperature: greedy, unless --top-p/--top-k ask for sampling (then temperature 1, as --help says).
  const sampling = {
    temperature: a.temperature !== undefined ? numberOpt("generate", "temperature", a.temperature) : a["top-p"] !== undefined || a["top-k"] !== undefined ? 1 : 0,
    topP: a["top-p"] === undefined ? undefined : numberOpt("generate", "top-p", a["top-p"]),
    topK: int("top-k", 0),
  };
  try {
    validateSampling(sampling);
  } catch (e) {
    throw new UsageError(`generate: ${(e as Error).message} (--temperature, --top-p, --top-k)`);
  }

  const model = await loadModel(a.model as string);
  const prompts = a.ids !== undefined ? readIdsFile(a.ids as string, "generate", false) : encodePrompts(model, readPromptsFile(a.prompts as string), { chat: Boolean(a.chat) });
  const steering = a.vector === undefined ? undefined
    : steerBatch({ terms: [{ vector: readVectorFile(a.vector as string, model.spec), strength: numberOpt("generate", "alpha", a.alpha, 1) }], window: positions as "all" | "generated" }, model.spec, prompts.length);
  const engine = await createEngine(model, weightsOpt("generate", a));
  try {
    const generations = await engine.generate(prompts, {
      maxNewTokens,
      ...sampling,
      seed,
      batchSize,
      steering,
    });
    writeJsonlAtomic(a.out as string, generations.map((g) => (g.text === undefined ? { ids: g.ids } : { ids: g.ids, text: g.text })));
    console.log(`wrote ${generations.length} generations to ${a.out}`);
    return 0;
  } finally {
    await engine.dispose();
  }
}
