import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTokenizer } from "../../lib/checkpoint/tokenizer";
import { repoRoot } from "../../lib/util/paths";

/**
 * Decoding follows transformers' clean_up_tokenization_spaces rules, checked against Python transformers
 * (tests/fixtures/tokenizer-cleanup, written by scripts/dev/make_cleanup_fixtures.py): the flag defaults to
 * false when tokenizer_config.json omits it, and transformers 5 ignores `true` for BPE models.
 */
const root = join(repoRoot(), "tests", "fixtures", "tokenizer-cleanup");
const expected = JSON.parse(readFileSync(join(root, "expected.json"), "utf8")) as { transformers: string; cases: { folder: string; ids: number[]; decoded: string }[] };

describe(`decode equals transformers ${expected.transformers} for WordPiece and BPE, flag absent / true / false`, () => {
  it.each(expected.cases)("$folder: $decoded", ({ folder, ids, decoded }) => {
    expect(loadTokenizer(join(root, folder)).decode(ids)).toBe(decoded);
  });
});
