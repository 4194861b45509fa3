/**
 * Templates: text with `{slot}` holes, identified by a stable id so that datasets can record which template a
 * row came from (and tests can check that held-out splits share none).
 */
export interface Template {
  /** "<concept>/<group>/<index>", e.g. "toxicity/violating/7". */
  id: string;
  text: string;
}

export type Slots = Record<string, string>;

/** Number a group of template texts into Templates. */
export const templates = (prefix: string, texts: readonly string[]): Template[] =>
  texts.map((text, i) => ({ id: `${prefix}/${i}`, text }));

/** Fill every `{slot}`; a slot without a value is a bug in the world's data, so it throws. */
export function fill(text: string, slots: Slots, where: string): string {
  return text.replace(/\{([a-z0-9_]+)\}/g, (_, name: string) => {
    const v = slots[name];
    if (v === undefined) throw new Error(`template ${where}: no value for slot {${name}}`);
    return v;
  });
}

export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** "a" or "an" before a noun phrase (by its first letter; good enough for the world's vocabulary). */
export const withArticle = (noun: string): string => (/^[aeiou]/i.test(noun) ? "an " : "a ") + noun;

export const wordCount = (s: string): number => s.split(/\s+/).filter(Boolean).length;
