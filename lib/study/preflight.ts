import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { readConfig } from "../checkpoint/index";
import { repoRoot } from "../util/index";
import { loadConcept } from "../world/index";
import type { StudyConfig } from "./config";

/**
 * Everything a study config names, checked before any work (and before `--list`): every concept loads, every
 * model path is a checkpoint, and every explicit layer (models[i].layers, detector.layer) exists in each model.
 * Only config.json files are read, so this takes milliseconds. Errors name the config file and the field.
 */
export function checkStudyInputs(cfg: StudyConfig): void {
  cfg.concepts.forEach((c, i) => {
    try {
      loadConcept(c);
    } catch (e) {
      throw new Error(`${cfg.file}: concepts[${i}]: ${(e as Error).message}`);
    }
  });
  cfg.models.forEach((m, i) => {
    const dir = modelDir(m.path);
    if (!existsSync(join(dir, "config.json")))
      throw new Error(`${cfg.file}: models[${i}].path: no checkpoint at ${dir} (expected a folder with config.json; the default models are built by \`npm run setup\`)`);
    const { nLayers } = readConfig(dir).spec;
    const check = (layer: number, field: string) => {
      if (layer >= nLayers) throw new Error(`${cfg.file}: ${field}: layer ${layer} does not exist (${m.name} has layers 0..${nLayers - 1})`);
    };
    if (m.layers !== "auto") m.layers.forEach((l, j) => check(l, `models[${i}].layers[${j}]`));
    if (cfg.detector.layer !== null) check(cfg.detector.layer, "detector.layer");
  });
}

/** A model path of the config: relative to the repository root, or absolute. */
export const modelDir = (path: string): string => (isAbsolute(path) ? path : resolve(repoRoot(), path));
