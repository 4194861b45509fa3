import { describe, expect, it } from "vitest";
import { chatExamples, withoutSpecialTokens } from "../../lib/train/chat-data";
import { buildTokenizer, DEFAULT_RECIPES, recipeSpec } from "../../lib/train/default-models";
import { dialogue, renderChat, SPECIAL_TOKENS } from "../../lib/world/index";

const dialogues = [
  renderChat(dialogue("How do I make cold brew?", "Grind coarse, steep overnight, then strain.")),
  renderChat(dialogue("Is the moon made of cheese?", "No, it is rock and dust.", "Be brief.")),
  renderChat(dialogue("Plan a picnic for four.", "Pack sandwiches, fruit, water and a blanket.")),
];

describe("chat data and the shared tokenizer", () => {
  const tok = buildTokenizer({ train: dialogues, heldOut: [] }, 300);

  it("withoutSpecialTokens removes exactly the special tokens", () => {
    expect(withoutSpecialTokens(dialogues[0], SPECIAL_TOKENS)).toBe("user\nHow do I make cold brew?\nassistant\nGrind coarse, steep overnight, then strain.\n");
  });

  it("the tokenizer renders ChatML like lib/world and keeps special tokens whole; examples decode back to the text", () => {
    const msgs = dialogue("Hi?", "Hello.", "Be kind.");
    expect(tok.tokenizer.applyChatTemplate(msgs)).toBe(renderChat(msgs));
    for (const s of SPECIAL_TOKENS) expect(tok.tokenizer.encode(s, { addSpecialTokens: false })).toHaveLength(1);
    const ex = chatExamples(tok.tokenizer, dialogues);
    expect(ex.map((e) => tok.tokenizer.decode(e.ids))).toEqual(dialogues);
  });

  it("recipe specs take vocabulary, EOS (<|im_end|>) and pad (<|endoftext|>) from the tokenizer", () => {
    const spec = recipeSpec(DEFAULT_RECIPES[0], tok.tokenizer);
    expect(spec.vocabSize).toBe(300);
    expect(spec.eosTokenIds).toEqual([tok.tokenizer.tokenId("<|im_end|>")]);
    expect(spec.padTokenId).toBe(tok.tokenizer.tokenId("<|endoftext|>"));
  });
});
