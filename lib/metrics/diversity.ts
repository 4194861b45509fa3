import { tokenize } from "./tokenize";
import { Vocabulary, ORDERS } from "./ngrams";
import { corpusDistinctN, distinctN, ngramEntropy, repetitionRate } from "./distinct";
import { compressionRatio, setCompressionRatio } from "./compression";
import { selfBleu } from "./bleu";
import { vendiEmbedding, vendiNgram } from "./vendi";
import { meanPairwiseCosineDistance } from "./cosine";

/**
 * The diversity metrics of one response (sample level) and of one configuration's set of responses (set level),
 * as the named fields of the `diversity` command's D.json (an external contract: fields may be added, never
 * renamed).
 */
export interface SampleDiversity {
  tokens: number;
  distinct_1: number; distinct_2: number; distinct_3: number; distinct_4: number;
  entropy_1: number; entropy_2: number; entropy_3: number; entropy_4: number;
  repetition_rate: number;
  compression_ratio: number;
}

export interface SetDiversity {
  responses: number;
  distinct_1: number; distinct_2: number; distinct_3: number; distinct_4: number;
  self_bleu: number;
  compression_ratio: number;
  vendi_ngram: number;
  /** Present when embeddings were given. */
  vendi_embedding?: number;
  mean_pairwise_cosine_distance?: number;
}

export interface SetDiversityOptions {
  /** Vendi order (default 1). */
  q?: number;
  /** One embedding per response, in the same order (from an Embedder). */
  embeddings?: Float32Array[];
}

/** Token id sequences of texts under one shared vocabulary. */
export function encodeTexts(texts: readonly string[]): number[][] {
  const vocab = new Vocabulary();
  return texts.map((t) => vocab.encode(tokenize(t)));
}

export function sampleDiversity(text: string): SampleDiversity {
  const [ids] = encodeTexts([text]);
  const [d1, d2, d3, d4] = ORDERS.map((n) => distinctN(ids, n));
  const [e1, e2, e3, e4] = ORDERS.map((n) => ngramEntropy(ids, n));
  return {
    tokens: ids.length,
    distinct_1: d1, distinct_2: d2, distinct_3: d3, distinct_4: d4,
    entropy_1: e1, entropy_2: e2, entropy_3: e3, entropy_4: e4,
    repetition_rate: repetitionRate(ids),
    compression_ratio: compressionRatio(text),
  };
}

/** Set-level metrics; needs at least 2 responses (Self-BLEU compares each response with the others). */
export function setDiversity(texts: readonly string[], opts: SetDiversityOptions = {}): SetDiversity {
  if (texts.length < 2) throw new Error(`set diversity needs at least 2 responses, got ${texts.length}`);
  const seqs = encodeTexts(texts);
  const [d1, d2, d3, d4] = ORDERS.map((n) => corpusDistinctN(seqs, n));
  const out: SetDiversity = {
    responses: texts.length,
    distinct_1: d1, distinct_2: d2, distinct_3: d3, distinct_4: d4,
    self_bleu: selfBleu(seqs),
    compression_ratio: setCompressionRatio(texts),
    vendi_ngram: vendiNgram(seqs, opts.q),
  };
  if (opts.embeddings) {
    if (opts.embeddings.length !== texts.length) throw new Error(`set diversity: ${opts.embeddings.length} embeddings for ${texts.length} responses`);
    out.vendi_embedding = vendiEmbedding(opts.embeddings, opts.q);
    out.mean_pairwise_cosine_distance = meanPairwiseCosineDistance(opts.embeddings);
  }
  return out;
}
