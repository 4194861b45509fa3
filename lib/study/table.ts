import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { inspect } from "node:util";
import * as aq from "arquero";
import { ColumnTable } from "arquero";
import { COLUMN_TYPES, CONTRACT_COLUMNS, fitsColumn, RESULT_COLUMNS, type ColumnType } from "./columns";
import { readParquet } from "./parquet";
import type { ResultRow } from "./results";

/**
 * The results table for analysis: `await loadResults("results/default")` returns an arquero table, so the verbs
 * are arquero's (filter, derive, groupby, rollup, orderby, join, ...; every verb keeps this class). In a tslab
 * cell the table's last expression prints as a text table; `showTable(t.objects())` (lib/plot) displays it as HTML.
 */
export class ResultsTable extends ColumnTable {
  [inspect.custom](): string {
    const limit = 20;
    const more = this.numRows() > limit ? `\n… ${this.numRows() - limit} more rows` : "";
    return `ResultsTable: ${this.numRows()} rows × ${this.numCols()} columns\n${this.toMarkdown({ limit })}${more}`;
  }
}

export type ResultsFormat = "parquet" | "arrow" | "csv";
const FORMAT_OF: Record<string, ResultsFormat> = { ".parquet": "parquet", ".arrow": "arrow", ".feather": "arrow", ".csv": "csv" };
/** In a results folder the first present wins: Parquet and Arrow store the types, CSV has to parse them. */
const FOLDER_ORDER: ResultsFormat[] = ["parquet", "arrow", "csv"];

/** The results file a path names: a .parquet/.arrow/.csv file, or a results folder (results.parquet, else .arrow, else .csv). */
export function resultsFile(path: string): { file: string; format: ResultsFormat } {
  if (!existsSync(path)) throw new Error(`${path}: no such results file or folder (run \`npm run study\` or \`steersynth merge\`)`);
  if (statSync(path).isDirectory()) {
    const format = FOLDER_ORDER.find((f) => existsSync(join(path, `results.${f}`)));
    if (!format) throw new Error(`${path}: no results yet, none of ${FOLDER_ORDER.map((f) => `results.${f}`).join(", ")} (run \`npm run study\` or \`steersynth merge\`)`);
    return { file: join(path, `results.${format}`), format };
  }
  const format = FORMAT_OF[extname(path).toLowerCase()];
  if (!format) throw new Error(`${path}: not a results file (expected .parquet, .arrow or .csv)`);
  return { file: path, format };
}

/** A CSV cell parsed by its column's type (empty cells never reach it: arquero reads them as null). */
const csvParser = (name: string, type: ColumnType["type"]) => (s: string): unknown => {
  if (type === "string") return s;
  if (type === "boolean") {
    if (s === "true" || s === "false") return s === "true";
    throw new Error(`column ${name}: '${s}' is not true/false`);
  }
  return Number(s);
};

/** results.csv with the schema's types instead of arquero's guesses (which turn a one-seed aurocs into a number). */
function fromResultsCsv(text: string): ColumnTable {
  const t = aq.fromCSV(text, { parse: Object.fromEntries(RESULT_COLUMNS.map((c) => [c, csvParser(c, COLUMN_TYPES[c].type)])) });
  // CSV cannot tell "" from a missing value: a string column that is never null reads back as "".
  const blank = RESULT_COLUMNS.filter((c) => t.columnNames().includes(c) && COLUMN_TYPES[c].type === "string" && !COLUMN_TYPES[c].nullable);
  return aq.table({ ...t.data(), ...Object.fromEntries(blank.map((c) => [c, Array.from(t.array(c), (v) => v ?? "")])) }, t.columnNames());
}

/** The columns' values must have the schema's types (columns beyond the schema are kept as read). */
function checkTypes(t: ColumnTable, file: string): void {
  const missing = CONTRACT_COLUMNS.filter((c) => !t.columnNames().includes(c));
  if (missing.length) throw new Error(`${file}: missing columns ${missing.join(", ")}`);
  for (const name of RESULT_COLUMNS.filter((c) => t.columnNames().includes(c))) {
    const column = COLUMN_TYPES[name];
    const values = t.array(name);
    for (let i = 0; i < values.length; i++)
      if (!fitsColumn(column, values[i])) throw new Error(`${file}: row ${i + 1} column ${name} = ${JSON.stringify(values[i])}, expected ${column.type}${column.nullable ? " or empty" : ""}`);
  }
}

/** Read results.parquet, results.arrow or results.csv (a file, or a results folder) into a typed ResultsTable. */
export async function loadResults(path: string): Promise<ResultsTable> {
  const { file, format } = resultsFile(path);
  let t: ColumnTable;
  try {
    if (format === "parquet") t = aq.from(await readParquet(file));
    else if (format === "arrow") t = aq.fromArrow(readFileSync(file));
    else t = fromResultsCsv(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read it as ${format}: ${(err as Error).message}`);
  }
  checkTypes(t, file);
  return new ResultsTable(t.data(), t.columnNames());
}

/** The results as typed rows (what summarize and the figure builders take). */
export async function loadResultRows(path: string): Promise<ResultRow[]> {
  return (await loadResults(path)).objects() as unknown as ResultRow[];
}
