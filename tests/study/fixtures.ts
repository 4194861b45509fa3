import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run as makeRandom } from "../../lib/cli/commands/make-random";
import { loadConcept, type ConceptFileKey, type OptionalConceptFileKey } from "../../lib/world";

/**
 * Small inputs for study tests: a concept folder holding the first rows of a real concept's files (detector
 * and judge splits balanced per label), so every stage runs on real data in seconds; and a small random
 * checkpoint with make-random's BPE tokenizer and chat template.
 */
export interface TinySizes { detectorTrain: number; detectorTest: number; judgeTrain: number; pairs: number; ab: number; prompts: number }
export const TINY_SIZES: TinySizes = { detectorTrain: 120, detectorTest: 120, judgeTrain: 160, pairs: 24, ab: 24, prompts: 8 };

/** Copy the first rows of `from` into dir/<from>.json + dir/<from>/; returns the concept file's path. */
export function writeTinyConcept(dir: string, from: string, sizes: TinySizes = TINY_SIZES): string {
  const concept = loadConcept(from);
  const lines = (key: ConceptFileKey) => readFileSync(concept.paths[key], "utf8").split("\n").filter(Boolean);
  /** The first n/2 rows of each label, in file order. */
  const balanced = (key: ConceptFileKey, n: number) => {
    const rows = lines(key);
    const of = (label: number) => rows.filter((l) => JSON.parse(l).label === label).slice(0, n / 2);
    return [...of(1), ...of(0)];
  };
  const files: Partial<Record<ConceptFileKey | OptionalConceptFileKey, string[]>> = {
    pairs: lines("pairs").slice(0, sizes.pairs),
    ab: lines("ab").slice(0, sizes.ab),
    prompts: lines("prompts").slice(0, sizes.prompts),
    detector_train: balanced("detector_train", sizes.detectorTrain),
    detector_test: balanced("detector_test", sizes.detectorTest),
    judge_train: balanced("judge_train", sizes.judgeTrain),
    baseline: lines("baseline"),
    ...(concept.paths.judge_instructions ? { judge_instructions: readFileSync(concept.paths.judge_instructions, "utf8").split("\n").filter(Boolean) } : {}),
  };
  mkdirSync(join(dir, concept.name), { recursive: true });
  for (const [key, rows] of Object.entries(files)) writeFileSync(join(dir, concept.name, concept.files[key as ConceptFileKey | OptionalConceptFileKey]!), rows!.join("\n") + "\n");
  const file = join(dir, `${concept.name}.json`);
  writeFileSync(file, readFileSync(concept.path, "utf8"));
  return file;
}

/**
 * A 2-layer llama (hidden 64) with random weights and make-random's tokenizer. Its small BPE spells a rendered
 * contrast pair out in up to ~260 tokens, so the context is 1024 (the engine refuses sequences past it).
 */
export async function writeRandomModel(dir: string, seed = 1): Promise<string> {
  const code = await makeRandom(["--arch", "llama", "--out", dir, "--layers", "2", "--hidden", "64", "--max-positions", "1024", "--seed", String(seed)]);
  if (code !== 0) throw new Error(`make-random exited with ${code}`);
  return dir;
}
