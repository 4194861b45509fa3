import type { Engine } from "../../engine/index";
import { progress } from "../../util/index";
import { judgePrompt } from "./prompt";
import { expectedScore, scoreTokens } from "./score-tokens";
import type { Judge } from "./types";

/**
 * An LLM judge run on a local checkpoint through the engine: the rubric prompt as one user turn of the model's
 * chat template (with the generation prompt), one forward pass, and the probability-weighted score over the
 * tokens "0".."10" at the next position (see score-tokens.ts). Deterministic: nothing is sampled.
 */
export function engineJudge(engine: Engine, rubric: string, opts: { id?: string; batchSize?: number } = {}): Judge {
  const tokenizer = engine.model.tokenizer;
  if (!tokenizer) throw new Error(`LLM judge: the model at ${engine.model.dir} has no tokenizer`);
  const tokens = scoreTokens(tokenizer);
  const batchSize = opts.batchSize ?? 8;
  return {
    id: opts.id ?? `llm:${engine.model.dir}`,
    async score(items) {
      const prompts = items.map((it) =>
        tokenizer.encode(tokenizer.applyChatTemplate([{ role: "user", content: judgePrompt(rubric, it) }], { addGenerationPrompt: true }), { addSpecialTokens: false }));
      const out: number[] = [];
      const bar = progress("LLM judge", items.length);
      try {
        for (let i = 0; i < prompts.length; i += batchSize) {
          const batch = prompts.slice(i, i + batchSize);
          const res = await engine.forward(batch, { logits: "last" }); // logits [B, V]
          const V = res.logits.length / batch.length;
          batch.forEach((_, b) => out.push(expectedScore(res.logits.subarray(b * V, (b + 1) * V), tokens)));
          bar.tick(batch.length);
        }
      } finally {
        bar.done();
      }
      return out;
    },
  };
}
