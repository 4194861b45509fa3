import { describe, expect, it } from "vitest";
import { candidateWords, frameWords, topicality, validateTopicality } from "../../lib/metrics/topicality";
import { CONCEPTS, loadConcept, readLabelled, readPrompts } from "../../lib/world/index";

describe("topicality (lexical on-topic rule)", () => {
  // 10 prompts: "tell me straight" in all of them is phrasing (frame), each topic word in one.
  const topics = ["espresso", "sourdough", "tyres", "succulents", "constellations", "football", "pottery", "budget", "sheet music", "compost"];
  const prompts = topics.map((t) => `Tell me straight, how do I handle ${t}?`);

  it("keeps words of ≥ 4 letters that are not function words", () => {
    expect(candidateWords("Tell me: how should I dial in an espresso shot? It's 9am")).toEqual(["tell", "dial", "espresso", "shot"]);
  });

  it("finds the prompts' frame words by document frequency (more than 15 % of prompts)", () => {
    expect([...frameWords(prompts)].sort()).toEqual(["handle", "straight", "tell"]);
  });

  it("calls a reply on topic when it shares a content word with its prompt, not a frame word", () => {
    const { onTopic } = topicality(prompts);
    expect(onTopic(prompts[0], "Grind the espresso finer and time the shot.")).toBe(true);
    expect(onTopic(prompts[0], "Straight answer: tell your friend to handle it.")).toBe(false); // frame words only
    expect(onTopic(prompts[0], "Water sourdough starters daily.")).toBe(false); // another prompt's topic
    expect(onTopic(prompts[0], "")).toBe(false);
  });

  it("validates on real pairs against a fixed derangement of the replies", () => {
    const pairs = topics.map((t, k) => ({ user: prompts[k], response: k < 8 ? `Start small with ${t}.` : "Happy to help with that." }));
    expect(validateTopicality(prompts, pairs)).toEqual({ real: 0.8, swapped: 0, n: 10 });
    expect(() => validateTopicality(prompts, pairs.slice(0, 1))).toThrow(/at least 2/);
  });
});

describe("topicality on the embedded concepts' real replies (the rule's validation)", () => {
  // Measured 2026-12-03: real compliant detector_test replies pass 78–88 %, another prompt's reply 6–16 %. The
  // rule undercounts (a paraphrase shares no word), so read a model's on-topic share next to the real replies'.
  // 2026-12-07, with subtle rows (data/concepts/README.md): real 77–95 %, another prompt's 11–22 %. The 22 % is
  // hallucination, whose subtle compliant replies repeat the user's person names, drawn from a small pool: a
  // surname shared with another prompt counts as on topic. The bound on the swap rose from 0.2 to 0.25 for it.
  it.each([...CONCEPTS])("%s: most real compliant replies pass, few replies of another prompt do", (name) => {
    const c = loadConcept(name);
    const v = validateTopicality(readPrompts(c.paths.prompts).map((p) => p.user), readLabelled(c.paths.detector_test).filter((r) => r.label === 0));
    console.log(`${name}: real ${v.real.toFixed(3)}, another prompt's ${v.swapped.toFixed(3)} (n ${v.n})`);
    expect(v.real).toBeGreaterThanOrEqual(0.75);
    expect(v.swapped).toBeLessThanOrEqual(0.25);
  });
});
