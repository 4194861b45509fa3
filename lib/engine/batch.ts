import type { ModelSpec } from "../arch/index";

/**
 * Ragged token sequences → one left-padded batch. Left padding keeps every sample's newest token at the
 * last index, so "last logits" and the KV cache's appended column are the same index for all samples.
 */
export interface PaddedBatch {
  B: number;
  T: number;
  /** pad[b] padding tokens precede sample b's tokens. */
  pad: number[];
  inputIds: BigInt64Array; // [B, T]
  attentionMask: BigInt64Array; // [B, T]
  /** Positions count from 0 at each sample's first real token; padding gets 0. */
  positionIds: BigInt64Array; // [B, T]
}

/** Checks every id is an integer token of the vocabulary and every sequence is non-empty. */
export function validateIds(spec: ModelSpec, ids: readonly (readonly number[])[], what = "ids"): void {
  if (ids.length === 0) throw new Error(`${what}: the batch is empty`);
  ids.forEach((seq, b) => {
    if (!Array.isArray(seq) || seq.length === 0) throw new Error(`${what}[${b}]: expected a non-empty list of token ids`);
    seq.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= spec.vocabSize)
        throw new Error(`${what}[${b}][${t}] is ${id}, expected an integer token id in [0, ${spec.vocabSize})`);
    });
  });
}

export function leftPad(ids: readonly (readonly number[])[], padId: number): PaddedBatch {
  const B = ids.length, T = Math.max(...ids.map((s) => s.length));
  const pad = ids.map((s) => T - s.length);
  const inputIds = new BigInt64Array(B * T).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(B * T);
  const positionIds = new BigInt64Array(B * T);
  ids.forEach((seq, b) => {
    seq.forEach((id, t) => {
      const i = b * T + pad[b] + t;
      inputIds[i] = BigInt(id);
      attentionMask[i] = 1n;
      positionIds[i] = BigInt(t);
    });
  });
  return { B, T, pad, inputIds, attentionMask, positionIds };
}
