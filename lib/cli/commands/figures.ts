import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { analysisFigures, exportFigures, type ExportFormat, assertResultRows, studyFigures } from "../../plot/index";
import { loadResultRows, resultsFile, type Analysis } from "../../study/index";
import { repoRoot } from "../../util/index";
import { parseArgs, usage, UsageError } from "../args";
import { SUMMARIES } from "../summaries";

const summary = SUMMARIES["figures"];

const OPTIONS = {
  results: { type: "string", description: "the study's results folder or a results.parquet/.arrow/.csv file (default results/default)" },
  out: { type: "string", description: "output folder (default figures/<study name>)" },
  formats: { type: "string", description: "comma-separated html,png,svg (default all three; png/svg need Chromium)" },
  help: { type: "boolean", description: "show this help" },
} as const;

const FORMATS: readonly ExportFormat[] = ["html", "png", "svg"];

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs("figures", argv, OPTIONS);
  if (a.help) { console.log(usage("figures", summary, OPTIONS)); return 0; }
  const path = resolve(String(a.results ?? join(repoRoot(), "results", "default")));
  const formats = String(a.formats ?? "html,png,svg").split(",").map((f) => f.trim()) as ExportFormat[];
  for (const f of formats) if (!FORMATS.includes(f)) throw new UsageError(`figures: --formats takes ${FORMATS.join(", ")} (got '${f}')`);
  const { file } = resultsFile(path);
  const rows = await loadResultRows(file);
  assertResultRows(rows, `${file} row`);
  // figures/<study name>: the results folder's name (a file's parent folder).
  const study = basename(file === path ? dirname(file) : path);
  const out = resolve(String(a.out ?? join(repoRoot(), "figures", study)));
  // The study writes analysis.json beside its results (trends and correlations with CIs); its figures join in.
  const analysisFile = join(dirname(file), "analysis.json");
  const extra = existsSync(analysisFile) ? analysisFigures(JSON.parse(readFileSync(analysisFile, "utf8")) as Analysis) : [];
  const files = await exportFigures([...studyFigures(rows), ...extra], out, { formats });
  console.log(`${files.length} files written to ${out}`);
  return 0;
}
