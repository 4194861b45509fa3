import { resolve } from "node:path";
import { dataPath } from "../../util/index";
import { buildConceptData, CONCEPTS, DEFAULT_SEED } from "../../world/index";
import { parseArgs, seedOpt, usage } from "../args";
import { SUMMARIES } from "../summaries";

const summary = SUMMARIES["build-data"];

const SPEC = {
  seed: { type: "string", description: `world seed (default ${DEFAULT_SEED}, the seed of the committed files)` },
  out: { type: "string", description: "output folder (default data/concepts)" },
  concept: { type: "string", description: `only this concept (one of ${CONCEPTS.join(", ")}; default all)` },
  help: { type: "boolean", description: "show this help" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs("build-data", argv, SPEC);
  if (args.help) { console.log(usage("build-data", summary, SPEC)); return 0; }
  const seed = seedOpt("build-data", args.seed, DEFAULT_SEED);
  const outDir = typeof args.out === "string" ? resolve(args.out) : dataPath("concepts");
  const written = buildConceptData({ seed, outDir, concepts: typeof args.concept === "string" ? [args.concept] : undefined });
  console.log(`build-data: wrote ${written.length} files to ${outDir} (seed ${seed})`);
  return 0;
}
