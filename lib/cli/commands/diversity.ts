import { readGenerations, embedWith, sampleDiversity, setDiversity } from "../../metrics/index";
import { writeJsonAtomic } from "../../util/index";
import { numberOpt, parseArgs, usage, type OptionSpec } from "../args";
import { SUMMARIES } from "../summaries";

const summary = SUMMARIES["diversity"];

const OPTIONS: Record<string, OptionSpec> = {
  input: { type: "string", required: true, description: "generations, JSON lines with at least {\"text\"} (one configuration's responses)" },
  out: { type: "string", required: true, description: "output D.json: {set: {...}, samples: [{...}, ...]} (samples in input order)" },
  q: { type: "string", description: "Vendi order: 1 (Shannon, default), any q ≥ 0, or inf" },
  embedder: { type: "string", description: "adds vendi_embedding and mean_pairwise_cosine_distance: engine:<modelDir>:<layer> or transformers:<dir>" },
  help: { type: "boolean", description: "show this help" },
};

export const parseQ = (command: string, value: string | boolean | undefined): number =>
  value === "inf" ? Infinity : numberOpt(command, "q", value, 1);

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("diversity", summary, OPTIONS)); return 0; }
  const a = parseArgs("diversity", argv, OPTIONS);
  const texts = readGenerations(a.input as string).map((r) => r.text);
  if (texts.length < 2) throw new Error(`${a.input}: set diversity compares responses with each other and needs at least 2 lines, got ${texts.length}`);
  const embeddings = a.embedder !== undefined ? await embedWith(a.embedder as string, texts) : undefined;
  const set = setDiversity(texts, { q: parseQ("diversity", a.q), embeddings });
  writeJsonAtomic(a.out as string, { set, samples: texts.map(sampleDiversity) });
  console.log(`diversity: ${texts.length} responses → ${a.out} (distinct-2 ${set.distinct_2.toFixed(3)}, self-BLEU ${set.self_bleu.toFixed(3)}, Vendi ${set.vendi_ngram.toFixed(2)})`);
  return 0;
}
