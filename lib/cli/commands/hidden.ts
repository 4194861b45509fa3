import { existsSync, readFileSync } from "node:fs";
import { loadModel, writeSafetensors } from "../../checkpoint/index";
import { createEngine } from "../../engine/index";
import { readVectorFile, steerBatch } from "../../steering/index";
import { numberOpt, parseArgs, usage, UsageError, type OptionSpec } from "../args";
import { SUMMARIES } from "../summaries";
import { PREPACK_OPTION, WEIGHTS_OPTION, weightsOpt } from "../weights";

const summary = SUMMARIES["hidden"];

const OPTIONS: Record<string, OptionSpec> = {
  model: { type: "string", required: true, description: "checkpoint folder (Hugging Face layout)" },
  ids: { type: "string", required: true, description: "JSON file: a list of equal-length token-id lists" },
  out: { type: "string", required: true, description: "output .safetensors: resid_post [L, B, T, H] and logits [B, T, V], float32" },
  vector: { type: "string", description: "steering vectors: .safetensors with float32 direction.<layer> [H] (0-based layers); a steersynth vector's provenance decides its site (resid_post, or attn_out heads for iti)" },
  alpha: { type: "string", description: "strength: alpha × direction.<layer> is added to layer's output (default 1)" },
  positions: { type: "string", description: "where the vector is added: all (the only choice here; default)" },
  weights: WEIGHTS_OPTION,
  "no-prepack": PREPACK_OPTION,
  help: { type: "boolean", description: "show this help" },
};

/** IDS.json: a non-empty list of equal-length, non-empty lists of integer token ids. */
export function readIdsFile(file: string, command: string, equalLengths: boolean): number[][] {
  if (!existsSync(file)) throw new UsageError(`${command}: ${file}: no such file`);
  let ids: unknown;
  try {
    ids = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((s) => Array.isArray(s) && s.length > 0 && s.every((x) => Number.isInteger(x) && x >= 0)))
    throw new Error(`${file}: expected a non-empty JSON list of non-empty lists of non-negative integer token ids`);
  const seqs = ids as number[][];
  if (equalLengths) {
    const bad = seqs.findIndex((s) => s.length !== seqs[0].length);
    if (bad >= 0) throw new Error(`${file}: sequences must all have the same length (sequence 0 has ${seqs[0].length} tokens, sequence ${bad} has ${seqs[bad].length})`);
  }
  return seqs;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("hidden", summary, OPTIONS)); return 0; }
  const a = parseArgs("hidden", argv, OPTIONS);
  if (a.positions !== undefined && a.positions !== "all") throw new UsageError(`hidden: --positions must be 'all', got '${a.positions}'`);
  if (a.vector === undefined && a.alpha !== undefined) throw new UsageError("hidden: --alpha needs --vector");
  const ids = readIdsFile(a.ids as string, "hidden", true);
  const model = await loadModel(a.model as string);
  const { spec } = model;
  const steering = a.vector === undefined ? undefined
    : steerBatch({ terms: [{ vector: readVectorFile(a.vector as string, spec), strength: numberOpt("hidden", "alpha", a.alpha, 1) }], window: "all" }, spec, ids.length);
  const engine = await createEngine(model, weightsOpt("hidden", a));
  try {
    const out = await engine.forward(ids, { capture: { sites: ["resid_post"] }, steering });
    const B = ids.length, T = out.seqLen, H = spec.hidden;
    const resid = new Float32Array(spec.nLayers * B * T * H); // [L, B, T, H]
    for (let l = 0; l < spec.nLayers; l++) resid.set(out.captures.get(`${l}.resid_post`)!, l * B * T * H);
    writeSafetensors(a.out as string, {
      resid_post: { shape: [spec.nLayers, B, T, H], data: resid },
      logits: { shape: [B, T, spec.vocabSize], data: out.logits },
    });
    console.log(`wrote resid_post [${spec.nLayers}, ${B}, ${T}, ${H}] and logits [${B}, ${T}, ${spec.vocabSize}] to ${a.out}`);
    return 0;
  } finally {
    await engine.dispose();
  }
}
