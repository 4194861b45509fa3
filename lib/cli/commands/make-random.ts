import { ARCH_NAMES, type ArchName } from "../../arch/index";
import { CHATML_SPECIAL_TOKENS, CHATML_TOKENS, chatTokenizerConfig, trainBpe, randomWeights, smallSpec, type SmallSpecOverrides, SAMPLE_ENGLISH, saveModel } from "../../checkpoint/index";
import { intOpt, parseArgs, seedOpt, usage, UsageError, type OptionSpec } from "../args";
import { SUMMARIES } from "../summaries";

const summary = SUMMARIES["make-random"];

const OPTIONS: Record<string, OptionSpec> = {
  arch: { type: "string", required: true, description: `architecture: ${ARCH_NAMES.join(", ")}` },
  out: { type: "string", required: true, description: "output folder; an existing checkpoint folder (or an empty one) is replaced atomically, anything else is refused without --force" },
  force: { type: "boolean", description: "replace --out whatever it holds (a file, or a folder with other files: they are deleted)" },
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

const int = (name: string, v: string | boolean | undefined): number | undefined =>
  v === undefined ? undefined : intOpt("make-random", name, v, undefined, 1);

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
  const seed = seedOpt("make-random", a.seed, 0);
  saveModel(a.out as string, {
    spec,
    weights: randomWeights(spec, seed),
    tokenizer: { json: tokenizerJson, config: chatTokenizerConfig(tokenizerJson, { maxLength: spec.maxPositions }) },
  }, { dtype, maxShardBytes: int("shard-bytes", a["shard-bytes"]), force: Boolean(a.force) });
  console.log(`wrote ${spec.hfArchitecture} (${spec.nLayers} layers, hidden ${spec.hidden}, vocab ${spec.vocabSize}, tokenizer ${tokenizerSize} tokens, ${dtype}) to ${a.out}`);
  return 0;
}
