import type { ConfigJson } from "./config";
import { expectedShapes, type ArchName, type ModelSpec } from "./spec";

/**
 * An architecture as data: how its config.json becomes a ModelSpec (and back), and how each tensor of its
 * Hugging Face checkpoint maps onto canonical weights (lib/arch/spec.ts) and back. Loader and writer are
 * generic over these tables; adding an architecture means adding a table.
 */
export interface ArchTable {
  name: ArchName;
  /** config.json `architectures[0]` strings this table reads; the first is written. */
  hfArchitectures: readonly string[];
  /** config.json `model_type`. */
  modelType: string;
  parseConfig(json: ConfigJson, file: string): ModelSpec;
  /** config.json contents for a spec (without `architectures` / `torch_dtype`, which the writer adds). */
  toConfig(spec: ModelSpec): ConfigJson;
  /** One rule per Hugging Face tensor, in checkpoint order. */
  tensorRules(spec: ModelSpec): TensorRule[];
  /** Maps alternative spellings of a tensor name onto the one the rules use (GPT-2's optional prefix). */
  normalizeName?(hfName: string): string;
  /** Tensors a checkpoint may hold that are not parameters (buffers); they are skipped on load. */
  ignored: readonly RegExp[];
}

/**
 * One Hugging Face tensor ↔ one or more canonical tensors (several for a fused projection). Data are flat
 * row-major float32 arrays; shapes are given so the loader can check them before reading any data.
 */
export interface TensorRule {
  hf: string;
  hfShape: number[];
  canonical: readonly string[];
  toCanonical(hf: Float32Array): Float32Array[];
  toHf(parts: readonly Float32Array[]): Float32Array;
}

/** Transpose a row-major [rows, cols] matrix. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** Rule builders bound to a spec's canonical shapes. */
export function ruleBuilder(spec: ModelSpec) {
  const shapes = expectedShapes(spec);
  const shapeOf = (name: string): number[] => {
    const s = shapes.get(name);
    if (!s) throw new Error(`architecture table bug: canonical tensor '${name}' is not expected for this spec`);
    return s;
  };
  return {
    /** Stored as is. */
    same: (hf: string, canonical: string): TensorRule => ({
      hf, hfShape: shapeOf(canonical), canonical: [canonical],
      toCanonical: (t) => [t],
      toHf: ([t]) => t,
    }),
    /** Gemma's RMSNorm computes x·(1+w): the effective weight is the stored one plus 1. */
    plusOne: (hf: string, canonical: string): TensorRule => ({
      hf, hfShape: shapeOf(canonical), canonical: [canonical],
      toCanonical: (t) => [t.map((x) => x + 1)],
      toHf: ([t]) => t.map((x) => x - 1),
    }),
    /** GPT-2's Conv1D stores weights as [in, out]; canonical matrices are [out, in] like a Linear. */
    conv1d: (hf: string, canonical: string): TensorRule => {
      const [out, inp] = shapeOf(canonical);
      return {
        hf, hfShape: [inp, out], canonical: [canonical],
        toCanonical: (t) => [transpose(t, inp, out)],
        toHf: ([t]) => transpose(t, out, inp),
      };
    },
    /** A Conv1D whose output columns concatenate several projections (GPT-2's c_attn = [q | k | v]). */
    fusedConv1d: (hf: string, canonical: readonly string[]): TensorRule => {
      const parts = canonical.map(shapeOf);
      const inp = parts[0][1];
      const total = parts.reduce((a, [o]) => a + o, 0);
      return {
        hf, hfShape: [inp, total], canonical,
        toCanonical: (t) => {
          let col = 0;
          return parts.map(([out]) => {
            const m = new Float32Array(out * inp); // [out, in]
            for (let o = 0; o < out; o++)
              for (let i = 0; i < inp; i++) m[o * inp + i] = t[i * total + col + o];
            col += out;
            return m;
          });
        },
        toHf: (ts) => {
          const t = new Float32Array(inp * total);
          let col = 0;
          ts.forEach((m, p) => {
            const out = parts[p][0];
            for (let o = 0; o < out; o++)
              for (let i = 0; i < inp; i++) t[i * total + col + o] = m[o * inp + i];
            col += out;
          });
          return t;
        },
      };
    },
    /** A bias vector that concatenates several projections' biases. */
    fusedBias: (hf: string, canonical: readonly string[]): TensorRule => {
      const sizes = canonical.map((c) => shapeOf(c)[0]);
      const total = sizes.reduce((a, b) => a + b, 0);
      return {
        hf, hfShape: [total], canonical,
        toCanonical: (t) => {
          let at = 0;
          return sizes.map((n) => t.slice(at, (at += n)));
        },
        toHf: (ts) => {
          const t = new Float32Array(total);
          let at = 0;
          ts.forEach((b) => { t.set(b, at); at += b.length; });
          return t;
        },
      };
    },
  };
}
