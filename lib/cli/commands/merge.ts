import { resolve } from "node:path";
import { mergeShards, summarize } from "../../study/index";
import { parseArgs, usage } from "../args";
import { SUMMARIES } from "../summaries";

const summary = SUMMARIES["merge"];

const OPTIONS = {
  dir: { type: "string", required: true, description: "the study's results folder (results/<name>)" },
  help: { type: "boolean", description: "show this help" },
} as const;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("merge", summary, OPTIONS)); return 0; }
  const args = parseArgs("merge", argv, OPTIONS);
  const rows = mergeShards(resolve(String(args.dir)));
  console.log(`${summarize(rows)}\n\nmerged ${rows.length} rows into ${resolve(String(args.dir), "results.csv")}`);
  return 0;
}
