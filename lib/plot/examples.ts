import { distinct } from "./results";

/** Example generations at low / mid / high steering strength, as rows for showTable (or a plotly table). */

export interface GenerationExample {
  concept: string;
  model: string;
  method: string;
  layer: number;
  strength: number;
  text: string;
}

export type StrengthLevel = "low" | "mid" | "high";
const LEVELS: readonly StrengthLevel[] = ["low", "mid", "high"];
export interface ExampleRow { concept: string; model: string; method: string; layer: number; level: StrengthLevel; strength: number; text: string }

/**
 * Per (concept, model, method, layer): the first generation at the lowest, the middle (lower median of the distinct
 * strengths) and the highest strength, in the input's order. With fewer than three distinct strengths the levels
 * collapse (one strength → "high" only; two → "low" and "high"). Texts longer than maxChars are cut with "…".
 */
export function exampleGenerationRows(gens: readonly GenerationExample[], opts: { maxChars?: number } = {}): ExampleRow[] {
  const maxChars = opts.maxChars ?? 200;
  const key = (g: GenerationExample) => JSON.stringify([g.concept, g.model, g.method, g.layer]);
  const clip = (t: string) => (t.length > maxChars ? `${t.slice(0, maxChars - 1)}…` : t);
  const rows: ExampleRow[] = [];
  for (const k of distinct(gens.map(key))) {
    const group = gens.filter((g) => key(g) === k);
    const strengths = distinct(group.map((g) => g.strength)).sort((a, b) => a - b);
    // Collapsed levels keep the more telling names: "high" first, then "low", then "mid".
    const preference: [StrengthLevel, number][] = [["high", strengths[strengths.length - 1]], ["low", strengths[0]], ["mid", strengths[Math.floor((strengths.length - 1) / 2)]]];
    const used = new Set<number>();
    const picked = preference.filter(([, s]) => (used.has(s) ? false : (used.add(s), true))).sort(([a], [b]) => LEVELS.indexOf(a) - LEVELS.indexOf(b));
    for (const [level, strength] of picked) {
      const g = group.find((x) => x.strength === strength) as GenerationExample;
      rows.push({ concept: g.concept, model: g.model, method: g.method, layer: g.layer, level, strength, text: clip(g.text) });
    }
  }
  return rows;
}

/** The part of a results row that carries example responses: `examples` is a JSON array of strings (results.csv). */
export interface RowWithExamples { concept: string; model: string; method: string; layer: number | null; strength: number | null; examples: string }

/** Unpack the results table's `examples` column into generations (steered rows only; baselines have no strength). */
export function generationsFromResults(rows: readonly RowWithExamples[]): GenerationExample[] {
  const out: GenerationExample[] = [];
  rows.forEach((r, i) => {
    if (r.layer === null || r.strength === null) return;
    let texts: unknown;
    try {
      texts = JSON.parse(r.examples);
    } catch {
      throw new Error(`results[${i}].examples: expected a JSON array of strings, got ${JSON.stringify(String(r.examples).slice(0, 60))}`);
    }
    if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string")) throw new Error(`results[${i}].examples: expected a JSON array of strings`);
    for (const text of texts) out.push({ concept: r.concept, model: r.model, method: r.method, layer: r.layer, strength: r.strength, text });
  });
  return out;
}
