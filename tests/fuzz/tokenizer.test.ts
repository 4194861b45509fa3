import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { trainBpe } from "../../lib/checkpoint/bpe";
import { CHATML_SPECIAL_TOKENS, chatTokenizerConfig } from "../../lib/checkpoint/chat-template";
import { SAMPLE_ENGLISH } from "../../lib/checkpoint/sample-text";
import { loadTokenizer } from "../../lib/checkpoint/tokenizer";
import { fuzzParams, jsonValue, mutatedObject, outcome } from "./harness";

/**
 * Tokenizer loading with a corrupted tokenizer.json, tokenizer_config.json or chat template: a tokenizer whose
 * encode gives ids in its vocabulary and whose decode and chat template give strings, or a clear error.
 */
const dir = mkdtempSync(join(tmpdir(), "fuzz-tok-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, "t"));
const tokJson = trainBpe([SAMPLE_ENGLISH.slice(0, 4000)], { vocabSize: 300, specialTokens: [...CHATML_SPECIAL_TOKENS], exact: false }) as unknown as Record<string, unknown>;
const tokConfig = chatTokenizerConfig(tokJson as never, { maxLength: 64 }) as Record<string, unknown>;

function check(files: { tokenizer?: string; config?: string; jinja?: string }): void {
  const t = join(dir, "t");
  rmSync(t, { recursive: true, force: true });
  mkdirSync(t);
  writeFileSync(join(t, "tokenizer.json"), files.tokenizer ?? JSON.stringify(tokJson));
  writeFileSync(join(t, "tokenizer_config.json"), files.config ?? JSON.stringify(tokConfig));
  if (files.jinja !== undefined) writeFileSync(join(t, "chat_template.jinja"), files.jinja);
  const loaded = outcome(() => loadTokenizer(t), t);
  if (!loaded.ok) return;
  const tok = loaded.value;
  const used = outcome(() => {
    const ids = tok.encode("Hello there, how are you?");
    for (const id of ids) expect(Number.isInteger(id) && id >= 0 && id < tok.vocabSize).toBe(true);
    expect(typeof tok.decode(ids)).toBe("string");
    return ids;
  }, t);
  if (!used.ok) return;
  const chat = outcome(() => tok.applyChatTemplate([{ role: "user", content: "hi" }], { addGenerationPrompt: true }), t);
  if (chat.ok) expect(typeof chat.value).toBe("string");
}

describe("fuzz: tokenizer files", () => {
  it("tokenizer.json: a top-level or model field replaced or deleted, or the text cut", () => {
    const text = JSON.stringify(tokJson);
    const model = tokJson.model as Record<string, unknown>;
    fc.assert(fc.property(fc.oneof(
      mutatedObject(tokJson).map((o) => JSON.stringify(o)),
      mutatedObject(model).map((m) => JSON.stringify({ ...tokJson, model: m })),
      fc.nat(text.length).map((n) => text.slice(0, n)),
    ), (tokenizer) => check({ tokenizer })), fuzzParams(400));
  });

  it("tokenizer_config.json: a field replaced or deleted, or any JSON", () => {
    fc.assert(fc.property(fc.oneof(
      mutatedObject(tokConfig).map((o) => JSON.stringify(o)),
      jsonValue().map((v) => JSON.stringify(v)),
    ), (config) => check({ config })), fuzzParams(400));
  });

  it("chat_template.jinja: random text and cut templates", () => {
    const template = String(tokConfig.chat_template);
    fc.assert(fc.property(fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.nat(template.length).map((n) => template.slice(0, n)),
      fc.constantFrom("{{ ", "{% for %}", "{{ messages[0].content.foo.bar }}", "{{ raise_exception('no') }}", "{% if %}{% endif %}"),
    ), (jinja) => check({ jinja })), fuzzParams(400));
  });
});
