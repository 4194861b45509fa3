import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { transformersEmbedder } from "../../lib/metrics/embed";

/**
 * tests/metrics/fixtures/tinybert is a random 1-layer BERT exported to ONNX (made by its make.py). Reference
 * embeddings: the same graph run by onnx's ReferenceEvaluator (onnx 1.23, Python; independent of onnxruntime and
 * transformers.js), mean-pooled over each text's tokens and L2-normalised, printed by make.py and pasted here.
 */
const REFERENCE: Record<string, number[]> = {
  "the cat sat": [0.33970022201538086, -0.4116179347038269, -0.2629801034927368, 0.09535052627325058, -0.16445298492908478, 0.13214120268821716, 0.060259874910116196, 0.00782772246748209, 0.11849085986614227, 0.6234577298164368, -0.10302090644836426, -0.2100515514612198, -0.19368022680282593, 0.11328566819429398, -0.2600180506706238, 0.11530804634094238],
  "a dog ran in the park!": [0.32702913880348206, -0.33903905749320984, -0.22710905969142914, 0.07197954505681992, -0.13288524746894836, 0.15619999170303345, -0.14333301782608032, -0.05694669112563133, 0.1777268350124359, 0.646936297416687, -0.2593483328819275, -0.27866309881210327, -0.029237588867545128, 0.15027418732643127, -0.16410592198371887, 0.10052207857370377],
};

describe("transformers.js embedder (local files only)", () => {
  it("reproduces the graph's mean-pooled, normalised output, batched with padding (1e-5)", async () => {
    const embed = transformersEmbedder(join(process.cwd(), "tests/metrics/fixtures/tinybert"), { batchSize: 2 });
    const texts = Object.keys(REFERENCE);
    const got = await embed([...texts, texts[0]]);
    expect(got).toHaveLength(3);
    [...texts, texts[0]].forEach((t, i) => REFERENCE[t].forEach((v, k) => expect(got[i][k]).toBeCloseTo(v, 5)));
  });
  it("names a folder that is not a model", () => {
    expect(() => transformersEmbedder("/nonexistent/model")).toThrow(/config.json not found/);
  });
});
