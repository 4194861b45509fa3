import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatMessage, TextTokenizer } from "./types";

/**
 * A checkpoint's tokenizer (tokenizer.json through @huggingface/tokenizers) and chat template (Jinja through
 * @huggingface/jinja). Only local files are read: there is no hub lookup anywhere in this module.
 */
export type TokenizerConfig = Record<string, unknown>;

/** Special-token fields of tokenizer_config.json that chat templates may reference. */
const SPECIAL_TOKEN_FIELDS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] as const;

/** A special token field's text: tokenizer_config writes either "<s>" or an AddedToken object {content: "<s>", ...}. */
export function specialTokenText(config: TokenizerConfig, field: string): string | null {
  const v = config[field];
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return null;
}

/**
 * The chat template: `chat_template` is a string, or a list of {name, template} of which transformers uses
 * the one named "default".
 */
export function chatTemplateOf(config: TokenizerConfig, file: string): string | null {
  const t = config.chat_template;
  if (t === undefined || t === null) return null;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const named = t as { name?: unknown; template?: unknown }[];
    const found = named.find((x) => x && x.name === "default");
    if (!found || typeof found.template !== "string")
      throw new Error(`${file}: chat_template is a list without an entry named "default" (names: ${named.map((x) => JSON.stringify(x?.name)).join(", ")})`);
    return found.template;
  }
  throw new Error(`${file}: chat_template must be a string or a list of {name, template}, got ${typeof t}`);
}

export class HfTokenizer implements TextTokenizer {
  private readonly tok: Tokenizer;
  private readonly template: Template | null;
  private readonly specials: Record<string, string>;
  readonly vocabSize: number;

  /**
   * @param json the parsed tokenizer.json
   * @param config the parsed tokenizer_config.json ({} when absent)
   * @param chatTemplate the template text (null: applyChatTemplate throws)
   */
  constructor(json: object, readonly config: TokenizerConfig, readonly chatTemplate: string | null) {
    this.tok = new Tokenizer(json, config);
    this.template = chatTemplate === null ? null : new Template(chatTemplate);
    this.specials = {};
    for (const f of SPECIAL_TOKEN_FIELDS) {
      const text = specialTokenText(config, f);
      if (text !== null) this.specials[f] = text;
    }
    let max = -1;
    for (const id of this.tok.get_vocab(true).values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
  }

  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    return this.tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids;
  }

  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    // The library rejects an empty list; the empty sequence decodes to the empty string.
    if (ids.length === 0) return "";
    return this.tok.decode([...ids], { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  /** The id of a token string (special tokens included), or null. */
  tokenId(token: string): number | null {
    return this.tok.token_to_id(token) ?? null;
  }

  applyChatTemplate(messages: readonly ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    if (this.template === null) throw new Error("this tokenizer has no chat template (tokenizer_config.json chat_template / chat_template.jinja)");
    return this.template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: opts.addGenerationPrompt ?? false,
      ...this.specials,
      additional_special_tokens: this.config.additional_special_tokens ?? [],
    });
  }
}

const readJson = (file: string): Record<string, unknown> => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
};

/**
 * Load a tokenizer from a checkpoint folder: tokenizer.json (required), tokenizer_config.json (optional) and
 * the chat template from chat_template.jinja (what transformers ≥ 4.50 writes) or tokenizer_config.json.
 */
export function loadTokenizer(dir: string): HfTokenizer {
  const tokFile = join(dir, "tokenizer.json");
  if (!existsSync(tokFile)) throw new Error(`${dir}: no tokenizer.json (only local tokenizer files are read)`);
  const cfgFile = join(dir, "tokenizer_config.json");
  const config = existsSync(cfgFile) ? readJson(cfgFile) : {};
  const jinjaFile = join(dir, "chat_template.jinja");
  const template = existsSync(jinjaFile) ? readFileSync(jinjaFile, "utf8") : chatTemplateOf(config, cfgFile);
  try {
    return new HfTokenizer(readJson(tokFile), config, template);
  } catch (e) {
    throw new Error(`${tokFile}: cannot build the tokenizer (${(e as Error).message})`);
  }
}
