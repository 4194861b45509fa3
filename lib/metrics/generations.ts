import { existsSync, readFileSync } from "node:fs";

/** One line of a generations file (G.jsonl): the response `text`, and the user `prompt` it answers when known. */
export interface GenerationRow { text: string; prompt?: string }

export function readGenerations(file: string): GenerationRow[] {
  if (!existsSync(file)) throw new Error(`${file}: not found`);
  const rows = readFileSync(file, "utf8").split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    const where = `${file}:${i + 1}`;
    let row: Record<string, unknown>;
    try { row = JSON.parse(line); } catch { throw new Error(`${where}: not valid JSON`); }
    if (row === null || typeof row !== "object" || typeof row.text !== "string") throw new Error(`${where}: expected an object with a string field "text"`);
    if (row.prompt !== undefined && typeof row.prompt !== "string") throw new Error(`${where}: "prompt" must be a string when present`);
    return [{ text: row.text, ...(row.prompt !== undefined ? { prompt: row.prompt as string } : {}) }];
  });
  if (rows.length === 0) throw new Error(`${file}: no generations`);
  return rows;
}
