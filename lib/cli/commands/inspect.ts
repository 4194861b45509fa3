import { loadModel, HfTokenizer, type LoadedModel } from "../../checkpoint/index";
import { parseArgs, usage, type OptionSpec } from "../args";
import { SUMMARIES } from "../summaries";

const summary = SUMMARIES["inspect"];

const OPTIONS: Record<string, OptionSpec> = {
  model: { type: "string", required: true, description: "checkpoint folder (Hugging Face layout)" },
  json: { type: "boolean", description: "print JSON instead of a table" },
  help: { type: "boolean", description: "show this help" },
};

/** The facts `inspect` reports, as one flat record. */
export function describeModel(m: LoadedModel): Record<string, string | number | boolean> {
  const s = m.spec;
  return {
    architecture: s.hfArchitecture,
    layers: s.nLayers,
    hidden: s.hidden,
    heads: s.nHeads,
    kvHeads: s.nKvHeads,
    headDim: s.headDim,
    intermediate: s.intermediate,
    vocab: s.vocabSize,
    maxPositions: s.maxPositions,
    dtype: m.info.dtype,
    parameters: m.info.parameters,
    tokenizer: m.tokenizer !== null,
    chatTemplate: m.tokenizer instanceof HfTokenizer && m.tokenizer.chatTemplate !== null,
    eosTokenIds: m.generation.eosTokenIds.join(","),
  };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("inspect", summary, OPTIONS)); return 0; }
  const a = parseArgs("inspect", argv, OPTIONS);
  const facts = describeModel(await loadModel(a.model as string));
  if (a.json) console.log(JSON.stringify(facts, null, 2));
  else {
    const width = Math.max(...Object.keys(facts).map((k) => k.length));
    for (const [k, v] of Object.entries(facts))
      console.log(`${k.padEnd(width)}  ${typeof v === "boolean" ? (v ? "yes" : "no") : typeof v === "number" ? v.toLocaleString("en-US") : v}`);
  }
  return 0;
}
