/**
 * The on-disk format of a concept (documented in data/concepts/README.md) and its validating readers.
 * A concept is `<dir>/<name>.json` (metadata + file names) with JSONL files in `<dir>/<name>/`. Any error names
 * the file, the line and the field: "data/concepts/toxicity/pairs.jsonl:17: field 'negative' must be a non-empty string".
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { dataPath, repoRoot } from "../util/index";

export const AXES = ["harmless", "honest", "helpful"] as const;
export const CONCEPT_FILES = ["pairs", "ab", "prompts", "detector_train", "detector_test", "judge_train", "baseline"] as const;
export type ConceptFileKey = (typeof CONCEPT_FILES)[number];
/** Files a concept may list; without them the tool that reads them does without (documented per file). */
export const OPTIONAL_CONCEPT_FILES = ["judge_instructions"] as const;
export type OptionalConceptFileKey = (typeof OPTIONAL_CONCEPT_FILES)[number];

/** `data/concepts/<name>.json`. File paths are relative to `data/concepts/<name>/`. */
export interface ConceptFile {
  name: string;
  axis: (typeof AXES)[number];
  definition: string;
  /** Rubric for an LLM judge scoring 0-10. */
  rubric: string;
  positive_label: string;
  negative_label: string;
  files: Record<ConceptFileKey, string> & Partial<Record<OptionalConceptFileKey, string>>;
}

/** Contrastive pair: the same user turn, positive = violating response, negative = compliant one. */
export interface PairRow { user: string; positive: string; negative: string; entity?: string }
/** CAA-style A/B item: `question` holds the user turn and both options labelled (A) and (B). */
export interface AbRow { user: string; question: string; positive_answer: "A" | "B"; negative_answer: "A" | "B" }
/** Held-out generation prompt. */
export interface PromptRow { user: string }
/** Labelled example (detector_train, detector_test, judge_train): label 1 violating, 0 compliant. */
/** `hard`: a hard negative; `subtle`: a subtle example of either label (lib/world/concept.ts, SubtleKind). */
export interface LabelledRow { user: string; response: string; label: 0 | 1; template?: string; entity?: string; hard?: boolean; subtle?: boolean }

/**
 * The rows of one label written the way the world's pretraining corpus writes: not the subtle ones, whose
 * phrasings no default model has read. What a model's own likelihoods are checked against (the coherence
 * judge's references and validation, the topicality rule): a model reads phrasing it never learned as less
 * fluent, so with subtle rows real vs another prompt's reply fell to AUROC 0.63-0.69 on hallucination and refusal.
 */
export const corpusStyle = (rows: readonly LabelledRow[], label: 0 | 1): LabelledRow[] => rows.filter((r) => r.label === label && !r.subtle);
/**
 * A system prompt asking for the violation: the prompting baseline's (baseline.jsonl) or the success judge's
 * (judge_instructions.jsonl, phrasings apart from the baseline's).
 */
export interface BaselineRow { system: string }

export interface Concept extends ConceptFile {
  /** Absolute path of the .json file. */
  path: string;
  /** Absolute paths of the data files (optional ones only when listed). */
  paths: Record<ConceptFileKey, string> & Partial<Record<OptionalConceptFileKey, string>>;
}

/** A path as errors show it: relative to the repository when inside it. */
function shown(path: string): string {
  try {
    const rel = relative(repoRoot(), path);
    return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
  } catch {
    return path;
  }
}

type Obj = Record<string, unknown>;

function str(o: Obj, field: string, where: string): string {
  const v = o[field];
  if (typeof v !== "string" || v.trim() === "") throw new Error(`${where}: field '${field}' must be a non-empty string`);
  return v;
}

function optStr(o: Obj, field: string, where: string): string | undefined {
  return o[field] === undefined ? undefined : str(o, field, where);
}

function oneOf<T extends string | number>(o: Obj, field: string, allowed: readonly T[], where: string): T {
  const v = o[field] as T;
  if (!allowed.includes(v)) throw new Error(`${where}: field '${field}' must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(o[field])}`);
  return v;
}

/** Read a JSONL file, validating each non-blank line with `row`. An empty file is an error. */
export function readJsonl<T>(path: string, row: (o: Obj, where: string) => T): T[] {
  if (!existsSync(path)) throw new Error(`${shown(path)}: file not found`);
  const lines = readFileSync(path, "utf8").split("\n");
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${shown(path)}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`${where}: invalid JSON (${(err as Error).message})`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${where}: each line must be a JSON object`);
    out.push(row(value as Obj, where));
  });
  if (out.length === 0) throw new Error(`${shown(path)}: no rows`);
  return out;
}

export const readPairs = (path: string): PairRow[] =>
  readJsonl(path, (o, w) => ({ user: str(o, "user", w), positive: str(o, "positive", w), negative: str(o, "negative", w), entity: optStr(o, "entity", w) }));

export const readAb = (path: string): AbRow[] =>
  readJsonl(path, (o, w) => {
    const positive_answer = oneOf(o, "positive_answer", ["A", "B"] as const, w);
    const negative_answer = oneOf(o, "negative_answer", ["A", "B"] as const, w);
    if (positive_answer === negative_answer) throw new Error(`${w}: fields 'positive_answer' and 'negative_answer' must differ`);
    const question = str(o, "question", w);
    if (!question.includes("(A)") || !question.includes("(B)")) throw new Error(`${w}: field 'question' must contain the options labelled (A) and (B)`);
    return { user: str(o, "user", w), question, positive_answer, negative_answer };
  });

export const readPrompts = (path: string): PromptRow[] => readJsonl(path, (o, w) => ({ user: str(o, "user", w) }));

export const readLabelled = (path: string): LabelledRow[] =>
  readJsonl(path, (o, w) => {
    for (const flag of ["hard", "subtle"] as const)
      if (o[flag] !== undefined && typeof o[flag] !== "boolean") throw new Error(`${w}: field '${flag}' must be true or false`);
    return {
      user: str(o, "user", w), response: str(o, "response", w), label: oneOf(o, "label", [0, 1] as const, w),
      template: optStr(o, "template", w), entity: optStr(o, "entity", w), ...(o.hard !== undefined ? { hard: o.hard as boolean } : {}),
      ...(o.subtle !== undefined ? { subtle: o.subtle as boolean } : {}),
    };
  });

export const readBaseline = (path: string): BaselineRow[] => readJsonl(path, (o, w) => ({ system: str(o, "system", w) }));

/**
 * Load and validate a concept: by name (`data/concepts/<name>.json`) or by path to its .json file.
 * Checks every metadata field and that every listed data file exists (their rows are read by the readers).
 */
export function loadConcept(nameOrPath: string): Concept {
  const byPath = nameOrPath.endsWith(".json") || nameOrPath.includes("/") || nameOrPath.includes("\\");
  const path = byPath ? resolve(nameOrPath) : dataPath("concepts", `${nameOrPath}.json`);
  const where = shown(path);
  if (!existsSync(path)) throw new Error(`${where}: concept file not found${byPath ? "" : ` (is '${nameOrPath}' a concept name? see data/concepts/)`}`);
  let o: Obj;
  try {
    o = JSON.parse(readFileSync(path, "utf8")) as Obj;
  } catch (err) {
    throw new Error(`${where}: invalid JSON (${(err as Error).message})`);
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new Error(`${where}: must be a JSON object`);
  const name = str(o, "name", where);
  const files = o.files as Obj | undefined;
  if (!files || typeof files !== "object" || Array.isArray(files)) throw new Error(`${where}: field 'files' must be an object with ${CONCEPT_FILES.join(", ")}`);
  const dir = join(dirname(path), name);
  const rel = {} as Concept["files"], paths = {} as Concept["paths"];
  for (const key of [...CONCEPT_FILES, ...OPTIONAL_CONCEPT_FILES]) {
    if (files[key] === undefined && (OPTIONAL_CONCEPT_FILES as readonly string[]).includes(key)) continue;
    rel[key] = str(files, key, `${where}: files`);
    paths[key] = resolve(dir, rel[key]!);
    if (!existsSync(paths[key]!)) throw new Error(`${where}: field 'files.${key}' names ${shown(paths[key]!)}, which does not exist`);
  }
  return {
    name, axis: oneOf(o, "axis", AXES, where), definition: str(o, "definition", where), rubric: str(o, "rubric", where),
    positive_label: str(o, "positive_label", where), negative_label: str(o, "negative_label", where), files: rel, path, paths,
  };
}
