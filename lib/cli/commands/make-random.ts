import { ARCH_NAMES, type ArchName } from "../../arch/index";
import { CHATML_SPECIAL_TOKENS, CHATML_TOKENS, chatTokenizerConfig, trainBpe, randomWeights, smallSpec, type SmallSpecOverrides, SAMPLE_ENGLISH, saveModel } from "../../checkpoint/index";
import { numberOpt, parseArgs, usage, UsageError, type OptionSpec } from "../args";

export const summary = "write a small random Hugging Face checkpoint (weights, BPE tokenizer, chat template)";

const OPTIONS: Record<string, OptionSpec> = {
  arch: { type: "string", required: true, description: `architecture: ${ARCH_NAMES.join(", ")}` },
  out: { type: "string", required: true, description: "output folder (replaced atomically if it exists)" },
  layers: { type: "string", description: "number of layers (default 2)" },
  hidden: { type: "string", description: "hidden size (default 64)" },
  heads: { type: "string", description: "attention heads (default 4)" },
  "kv-heads": { type: "string", description: "key/value heads (default heads/2; GPT-2: heads)" },
  intermediate: { type: "string", description: "MLP width (default 2×hidden; GPT-2: 4×hidden)" },
  vocab: { type: "string", description: "vocabulary size (default 512); the BPE tokenizer is trained to this size" },
  "max-positions": { type: "string", description: "maximum sequence length (default 256)" },
  seed: { type: "string", description: "seed of the random weights (default 0)" },
  dtype: { type: "string", description: "stored dtype: F32 (default), F16, BF16" },
  "shard-bytes": { type: "string", description: "split weights into shards of at most this many bytes" },
  help: { type: "boolean", description: "show this help" },
};

const int = (name: string, v: string | boolean | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = numberOpt("make-random", name, v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`make-random: --${name} must be a positive integer, got '${v}'`);
  return n;
};

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("make-random", summary, OPTIONS)); return 0; }
  const a = parseArgs("make-random", argv, OPTIONS);
  const arch = a.arch as string;
  if (!(ARCH_NAMES as readonly string[]).includes(arch)) throw new UsageError(`make-random: --arch must be one of ${ARCH_NAMES.join(", ")}, got '${arch}'`);
  const dtype = (a.dtype as string | undefined) ?? "F32";
  if (dtype !== "F32" && dtype !== "F16" && dtype !== "BF16") throw new UsageError(`make-random: --dtype must be F32, F16 or BF16, got '${dtype}'`);
  const vocab = int("vocab", a.vocab) ?? 512;

  // The built-in text supports about 1,450 tokens; a larger --vocab leaves the rows above unused by the tokenizer.
  const tokenizerJson = trainBpe([SAMPLE_ENGLISH], { vocabSize: vocab, specialTokens: [...CHATML_SPECIAL_TOKENS], exact: false });
  const tokenizerSize = Object.keys((tokenizerJson.model as { vocab: object }).vocab).length;
  const id = (t: string) => CHATML_SPECIAL_TOKENS.indexOf(t);
  const overrides: SmallSpecOverrides = {
    vocabSize: vocab,
    eosTokenIds: [id(CHATML_TOKENS.end), id(CHATML_TOKENS.endOfText)],
    bosTokenId: null,
    padTokenId: id(CHATML_TOKENS.endOfText),
  };
  const dims: [string, keyof SmallSpecOverrides][] = [
    ["layers", "nLayers"], ["hidden", "hidden"], ["heads", "nHeads"], ["kv-heads", "nKvHeads"],
    ["intermediate", "intermediate"], ["max-positions", "maxPositions"],
  ];
  for (const [opt, field] of dims) {
    const v = int(opt, a[opt]);
    if (v !== undefined) (overrides as Record<string, number>)[field] = v;
  }
  const spec = smallSpec(arch as ArchName, overrides);
  const seed = numberOpt("make-random", "seed", a.seed, 0);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`make-random: --seed must be an integer ≥ 0, got '${a.seed}'`);
  saveModel(a.out as string, {
    spec,
    weights: randomWeights(spec, seed),
    tokenizer: { json: tokenizerJson, config: chatTokenizerConfig(tokenizerJson, { maxLength: spec.maxPositions }) },
  }, { dtype, maxShardBytes: int("shard-bytes", a["shard-bytes"]) });
  console.log(`wrote ${spec.hfArchitecture} (${spec.nLayers} layers, hidden ${spec.hidden}, vocab ${spec.vocabSize}, tokenizer ${tokenizerSize} tokens, ${dtype}) to ${a.out}`);
  return 0;
}
