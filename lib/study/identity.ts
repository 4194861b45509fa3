import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { WeightFormat } from "../engine/index";

/**
 * A checkpoint's content identity: sha256 over its files (config, weights, tokenizer), name-sorted. Study
 * artefacts are keyed by it, so a cache survives clones and moves and is invalidated when any file changes.
 * Reports written beside the weights (`*_report.json`: training, behaviour, steering) are measurements *of* the
 * checkpoint, not part of it: rewriting one must not orphan the judges shipped with it (keyed by this id).
 * A quantized engine computes other numbers, so its artefacts get their own identity (`<id>+int8`); fp32 keeps the
 * checkpoint's.
 */
export function checkpointContentId(dir: string, weights: WeightFormat = "fp32"): string {
  const h = createHash("sha256");
  const files = readdirSync(dir).filter((f) => /\.(json|safetensors|model|txt)$/.test(f) && !f.endsWith("_report.json")).sort();
  if (!files.some((f) => f.endsWith(".safetensors"))) throw new Error(`${dir}: no .safetensors files to identify the checkpoint by`);
  for (const f of files) {
    h.update(`${f}\u0000`);
    h.update(readFileSync(join(dir, f)));
  }
  const id = h.digest("hex").slice(0, 16);
  return weights === "fp32" ? id : `${id}+${weights}`;
}
