import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { BYTE_TO_CHAR, GPT2_SPLIT, trainBpe } from "../../lib/checkpoint/bpe";
import { CHATML_SPECIAL_TOKENS, chatTokenizerConfig, defaultChatTemplate } from "../../lib/checkpoint/chat-template";
import { SAMPLE_ENGLISH } from "../../lib/checkpoint/sample-text";
import { HfTokenizer, loadTokenizer } from "../../lib/checkpoint/tokenizer";
import { createRng } from "../../lib/util/rng";
import { setProgressMode } from "../../lib/util/progress";

setProgressMode("off");
const root = mkdtempSync(join(tmpdir(), "tok-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const specials = [...CHATML_SPECIAL_TOKENS];
const json = trainBpe([SAMPLE_ENGLISH], { vocabSize: 700, specialTokens: specials });
const tok = new HfTokenizer(json, chatTokenizerConfig(json, { maxLength: 128 }), defaultChatTemplate);
const model = json.model as { vocab: Record<string, number>; merges: string[] };

/** Byte-level symbols of a pre-token. */
const symbols = (word: string) => Array.from(new TextEncoder().encode(word), (b) => BYTE_TO_CHAR[b]);

/**
 * Reference trainer: recount every pair of every word occurrence from scratch at each step, merge the most
 * frequent (ties: lowest ids), as the incremental trainer should.
 */
function naiveMerges(texts: string[], vocabSize: number, specialTokens: string[]): string[] {
  const tokens = [...specialTokens, ...BYTE_TO_CHAR];
  const id = new Map(tokens.map((t, i) => [t, i]));
  let words = texts.flatMap((t) => [...t.matchAll(GPT2_SPLIT)].map((m) => symbols(m[0]).map((s) => id.get(s)!)));
  const merges: string[] = [];
  while (tokens.length < vocabSize) {
    const counts = new Map<string, number>();
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) counts.set(`${w[i]},${w[i + 1]}`, (counts.get(`${w[i]},${w[i + 1]}`) ?? 0) + 1);
    let best: [number, number] | null = null, bestCount = 0;
    for (const [k, c] of counts) {
      const [a, b] = k.split(",").map(Number);
      if (c > bestCount || (c === bestCount && best && (a < best[0] || (a === best[0] && b < best[1])))) { best = [a, b]; bestCount = c; }
    }
    if (!best) break;
    const [a, b] = best;
    const text = tokens[a] + tokens[b];
    if (!id.has(text)) { id.set(text, tokens.length); tokens.push(text); }
    merges.push(`${tokens[a]} ${tokens[b]}`);
    const m = id.get(text)!;
    words = words.map((w) => {
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) { out.push(m); i++; } else out.push(w[i]);
      }
      return out;
    });
  }
  return merges;
}

/** Reference encoder: per pre-token, repeatedly apply the lowest-ranked merge present. */
function naiveEncode(text: string, merges: string[], vocab: Record<string, number>): number[] {
  const rank = new Map(merges.map((m, i) => [m, i]));
  return [...text.matchAll(GPT2_SPLIT)].flatMap((match) => {
    let parts = symbols(match[0]);
    for (;;) {
      let best = -1, bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = rank.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
    }
    return parts.map((p) => vocab[p]);
  });
}

describe("byte-level BPE training", () => {
  it("honours the vocabulary size exactly (special tokens first, then the 256 bytes, then merges)", () => {
    expect(Object.keys(model.vocab).length).toBe(700);
    expect(tok.vocabSize).toBe(700);
    expect(model.merges.length).toBeGreaterThanOrEqual(700 - 259);
    specials.forEach((s, i) => expect(tok.tokenId(s)).toBe(i));
    // Frequent English words become single tokens ("Ġ" is the byte-level space).
    expect(tok.encode(" the")).toEqual([model.vocab["Ġthe"]]);
  });

  it("learns the same merges as a from-scratch reference trainer", () => {
    const text = SAMPLE_ENGLISH.slice(0, 1500);
    const fast = trainBpe([text], { vocabSize: 420, specialTokens: ["<s>"] });
    expect((fast.model as { merges: string[] }).merges).toEqual(naiveMerges([text], 420, ["<s>"]));
  });

  it("round-trips arbitrary text, unicode included, and encodes as a reference BPE does", () => {
    const rng = createRng(11);
    const pieces = ["the ", "  ", "\n\n", "\t", "naïve ", "日本語 ", "🍞🥖 ", "It's ", "x=42; ", "\u00a0", "ÅΩ≈ç√ ", "\u0000", "don't "];
    const texts = [
      SAMPLE_ENGLISH.slice(0, 400),
      "Hello wörld — naïve café 🍞! It's 42.\r\n  trailing   ",
      Array.from({ length: 60 }, () => rng.pick(pieces)).join(""),
      // Random code points across the planes, skipping the surrogate range (not characters on their own).
      String.fromCodePoint(...Array.from({ length: 50 }, () => { const c = 0x20 + rng.int(0x2ff00); return c >= 0xd800 && c < 0xe000 ? c + 0x800 : c; })),
    ];
    for (const t of texts) {
      const ids = tok.encode(t, { addSpecialTokens: false });
      expect(tok.decode(ids)).toBe(t);
      expect(ids).toEqual(naiveEncode(t, model.merges, model.vocab));
    }
  });

  it("keeps special tokens whole and can skip them when decoding", () => {
    const ids = tok.encode("<|im_start|>user\nhi<|im_end|>");
    expect(ids[0]).toBe(1);
    expect(ids[ids.length - 1]).toBe(2);
    expect(tok.decode(ids)).toBe("<|im_start|>user\nhi<|im_end|>");
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe("user\nhi");
    expect(tok.decode([])).toBe("");
  });

  it("says when the text is too small for the vocabulary, or returns the smaller one when allowed", () => {
    expect(() => trainBpe(["tiny text"], { vocabSize: 300, specialTokens: [] })).toThrow(/support only 2\d\d tokens; vocabSize 300 needs more text/);
    const small = trainBpe(["tiny text"], { vocabSize: 300, specialTokens: [], exact: false });
    expect(Object.keys((small.model as { vocab: object }).vocab).length).toBeLessThan(300);
    expect(() => trainBpe(["x"], { vocabSize: 100, specialTokens: [] })).toThrow(/vocabSize must be an integer ≥ 256/);
  });
});

describe("chat template", () => {
  it("renders ChatML", () => {
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Hi" },
      { role: "assistant" as const, content: "Hello!" },
      { role: "user" as const, content: "Bye" },
    ];
    const want = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n";
    expect(tok.applyChatTemplate(messages)).toBe(want);
    expect(tok.applyChatTemplate(messages, { addGenerationPrompt: true })).toBe(want + "<|im_start|>assistant\n");
  });

  it("passes special tokens to the template and picks the 'default' of a template list", () => {
    const dir = join(root, "listed");
    mkdirSync(dir);
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({
      eos_token: { content: "<|im_end|>", special: true }, bos_token: "<|endoftext|>",
      chat_template: [{ name: "tool_use", template: "TOOLS" }, { name: "default", template: "{{ bos_token }}{{ messages[0]['content'] }}{{ eos_token }}" }],
    }));
    expect(loadTokenizer(dir).applyChatTemplate([{ role: "user", content: "q" }])).toBe("<|endoftext|>q<|im_end|>");
    // transformers ≥ 4.50 writes the template to chat_template.jinja, which then takes precedence.
    writeFileSync(join(dir, "chat_template.jinja"), "[{{ messages | length }}]");
    expect(loadTokenizer(dir).applyChatTemplate([{ role: "user", content: "q" }])).toBe("[1]");
  });
});

describe("loading tokenizers", () => {
  it("reads only local files", () => {
    const dir = join(root, "local");
    mkdirSync(dir);
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(chatTokenizerConfig(json, { maxLength: 64 })));
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(() => { throw new Error("network used"); });
    try {
      const t = loadTokenizer(dir);
      expect(t.decode(t.encode("local only"))).toBe("local only");
      expect(t.applyChatTemplate([{ role: "user", content: "x" }])).toBe("<|im_start|>user\nx<|im_end|>\n");
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
    expect(() => loadTokenizer(join(root, "none"))).toThrow(/none: no tokenizer\.json \(only local tokenizer files are read\)/);
  });

  it("rejects a tokenizer_config.json or tokenizer.json that is not an object (null, a list), naming it (found by tests/fuzz)", () => {
    const dir = join(root, "not-object");
    mkdirSync(dir);
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));
    for (const v of ["null", "[1]", "3"]) {
      writeFileSync(join(dir, "tokenizer_config.json"), v);
      expect(() => loadTokenizer(dir)).toThrow(`${join(dir, "tokenizer_config.json")}: expected a JSON object`);
    }
    writeFileSync(join(dir, "tokenizer_config.json"), "{}");
    writeFileSync(join(dir, "tokenizer.json"), "null");
    expect(() => loadTokenizer(dir)).toThrow(`${join(dir, "tokenizer.json")}: expected a JSON object`);
  });

  it("reports a missing chat template clearly", () => {
    const bare = new HfTokenizer(json, {}, null);
    expect(() => bare.applyChatTemplate([{ role: "user", content: "x" }])).toThrow(/no chat template/);
  });
});
