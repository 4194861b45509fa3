import { createRng } from "../lib/util/rng";
import { encodeTexts } from "../lib/metrics/diversity";
import { corpusDistinctN } from "../lib/metrics/distinct";
import { selfBleu } from "../lib/metrics/bleu";
import { setCompressionRatio } from "../lib/metrics/compression";
import { ngramFeatures, vendiFromFeatures } from "../lib/metrics/vendi";
import { setProgressMode } from "../lib/util/progress";

/**
 * Set-level diversity timing: 2,000 synthetic responses of ~50 tokens (words drawn from a Zipf(1.1) vocabulary
 * of 5,000 words, with punctuation), against the 10 s target for all set-level metrics together.
 */
const N = 2000, TARGET_S = 10;

function syntheticResponses(seed: number): string[] {
  const rng = createRng(seed);
  const V = 5000;
  const cdf = new Float64Array(V);
  let z = 0;
  for (let r = 0; r < V; r++) { z += 1 / (r + 1) ** 1.1; cdf[r] = z; }
  const word = (): string => {
    const u = rng.next() * z;
    let lo = 0, hi = V - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] < u) lo = mid + 1; else hi = mid; }
    return `w${lo}`;
  };
  return Array.from({ length: N }, () => {
    const len = 40 + rng.int(21);
    const toks: string[] = [];
    for (let i = 0; i < len; i++) toks.push(rng.next() < 0.1 ? rng.pick([".", ",", "!", "?"]) : word());
    return toks.join(" ");
  });
}

export async function run(): Promise<void> {
  setProgressMode("off");
  const texts = syntheticResponses(1);
  const rows: [string, number][] = [];
  const time = <T>(name: string, f: () => T): T => {
    const t0 = performance.now();
    const out = f();
    rows.push([name, (performance.now() - t0) / 1000]);
    return out;
  };
  const seqs = time("tokenize", () => encodeTexts(texts));
  const tokens = seqs.reduce((s, x) => s + x.length, 0);
  time("corpus distinct-1..4", () => [1, 2, 3, 4].map((n) => corpusDistinctN(seqs, n)));
  time("self-BLEU", () => selfBleu(seqs));
  time("gzip ratio", () => setCompressionRatio(texts));
  const features = time("vendi n-gram features", () => ngramFeatures(seqs));
  time("vendi n-gram kernel + eigen", () => vendiFromFeatures(features));
  const total = rows.reduce((s, [, t]) => s + t, 0);
  console.log(`metrics: set-level diversity of ${N} synthetic responses (${(tokens / N).toFixed(1)} tokens each)`);
  for (const [name, t] of rows) console.log(`  ${name.padEnd(30)} ${t.toFixed(2)} s`);
  console.log(`  ${"total".padEnd(30)} ${total.toFixed(2)} s  (${(total / TARGET_S).toFixed(2)}× the ${TARGET_S} s target)`);
  setProgressMode(null);
}
