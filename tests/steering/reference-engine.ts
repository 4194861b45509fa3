import type { ModelSpec, Weights } from "../../lib/arch/spec";
import { referenceForward } from "../../lib/engine/reference";
import type { Engine } from "../../lib/engine/types";
import type { TextTokenizer } from "../../lib/checkpoint/types";

/** An Engine over the plain reference forward (tests only: no ONNX, exact per-sample results). */
export function referenceEngine(spec: ModelSpec, weights: Weights, tokenizer: TextTokenizer | null = null): Engine {
  return {
    model: {
      dir: "/tmp/tiny-reference", spec, weights, tokenizer,
      generation: { eosTokenIds: spec.eosTokenIds, bosTokenId: spec.bosTokenId, padTokenId: spec.padTokenId },
      info: { dtype: "F32", parameters: 0, files: [] },
    },
    forward: async (ids, opts) => referenceForward(spec, weights, ids, opts),
    generate: async () => { throw new Error("referenceEngine: generate is not needed by these tests"); },
    dispose: async () => {},
  };
}
