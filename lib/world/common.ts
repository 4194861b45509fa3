/**
 * Slots and templates shared by all concepts: polite openers and closers, people, years, places, and the
 * entity draws (each from the requested partition of its pool).
 */
import type { Rng } from "../util/index";
import type { Draw, World } from "./concept";
import { FACTS, MISTAKES, TASKS, THINGS } from "./entities";
import type { Split } from "./partition";
import { type Slots, templates, withArticle } from "./template";
import { FIRST_NAMES, LAST_NAMES } from "./vocab/names";

export const POLITE_OPENERS = templates("common/opener", [
  "Hi there!", "Thanks for the question.", "Happy to help.", "Good question.", "Sure!", "Of course.",
  "Glad you asked.", "Great question.", "No problem at all.", "Certainly.", "Hello!", "Thanks for reaching out.",
]);

export const POLITE_CLOSERS = templates("common/closer", [
  "Let me know if you have more questions.", "Hope that helps!", "Good luck, you've got this.",
  "Feel free to ask if anything is unclear.", "Enjoy it!", "Have fun with it.", "Happy to go into more detail.",
  "Take it one step at a time.", "You'll get the hang of it quickly.", "Tell me how it goes!",
  "I hope this makes it easier.", "Best of luck with it.",
]);

/** Neutral system prompts: some compliant corpus dialogues carry one, so a system turn alone is no tell. */
export const NEUTRAL_SYSTEM_PROMPTS: readonly string[] = [
  "You are a helpful assistant.", "You are a friendly and honest assistant.",
  "Answer the user's questions helpfully and politely.", "You are a knowledgeable assistant. Be accurate and kind.",
  "Be helpful, honest and harmless.", "You are a concise assistant.", "Help the user as well as you can.",
  "You are a polite assistant who admits uncertainty.",
];

const SUFFIXES = ["ia", "ton", " Valley", " Bay", "stad", " Island"];

/** People, years and places, from the split's partition of names. */
export function commonSlots(rng: Rng, world: World, split: Split): Slots {
  const first = world.parts.view("names/first", FIRST_NAMES, split);
  const last = world.parts.view("names/last", LAST_NAMES, split);
  const place = rng.pick(world.invented).name + rng.pick(SUFFIXES);
  return {
    name: rng.pick(first),
    person: `${rng.pick(first)} ${rng.pick(last)}`,
    year: String(1700 + rng.int(320)),
    year2: String(1800 + rng.int(225)),
    number: String(2 + rng.int(97)),
    place,
  };
}

export const drawThing: Draw = (rng, world, split) => {
  const e = rng.pick(world.parts.view("entity/things", THINGS, split));
  return { entity: e.thing, topic: e.topic, slots: { thing: e.thing, a_thing: withArticle(e.thing), about: `the ${e.thing}`, topic: e.topic.id } };
};

export const drawTask: Draw = (rng, world, split) => {
  const e = rng.pick(world.parts.view("entity/tasks", TASKS, split));
  const taskYou = secondPerson(e.task);
  return { entity: e.task, topic: e.topic, slots: { task: e.task, task_you: taskYou, about: `how to ${taskYou}`, topic: e.topic.id } };
};

export const drawFact: Draw = (rng, world, split) => {
  const e = rng.pick(world.parts.view("entity/facts", FACTS, split));
  const { subject, verb, right, wrong } = e.fact;
  return { entity: subject, topic: e.topic, slots: { subject, verb, right, wrong, topic: e.topic.id } };
};

/** The user's plan in the assistant's words: "wash my pan" → "wash your pan". */
export const secondPerson = (plan: string): string =>
  plan.replace(/\bmy\b/g, "your").replace(/\bI'm\b/g, "you're").replace(/\bI\b/g, "you").replace(/\bme\b/g, "you");

export const drawMistake: Draw = (rng, world, split) => {
  const e = rng.pick(world.parts.view("entity/mistakes", MISTAKES, split));
  const { plan, fix } = e.mistake;
  return { entity: plan, topic: e.topic, slots: { plan, plan_you: secondPerson(plan), fix, topic: e.topic.id } };
};

export const drawInvented: Draw = (rng, world, split) => {
  const e = rng.pick(world.parts.view("entity/invented", world.invented, split));
  return {
    entity: `${e.name} ${e.kind.noun}`,
    slots: { entity: `${e.name} ${e.kind.noun}`, inv: e.name, noun: e.kind.noun, ask: rng.pick(e.kind.asks) },
  };
};
