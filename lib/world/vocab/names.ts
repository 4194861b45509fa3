/**
 * People and invented things. People appear in user turns ("my friend Dana"); invented names are the unknown
 * entities of hallucination prompts: pronounceable nonsense built from syllables so that no real fact exists.
 */
export const FIRST_NAMES: readonly string[] = [
  "Dana", "Omar", "Priya", "Lukas", "Mei", "Tomás", "Aisha", "Jonas", "Sofia", "Kwame", "Elena", "Ravi",
  "Hannah", "Diego", "Yuki", "Fatima", "Noah", "Ingrid", "Chidi", "Clara", "Mateo", "Leila", "Arjun", "Greta",
  "Samir", "Nadia", "Felix", "Rosa", "Kenji", "Amara", "Emil", "Lucia", "Tariq", "Maja", "Pedro", "Zara",
];

export const LAST_NAMES: readonly string[] = [
  "Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Novak", "Ferreira", "Kowalski", "Brennan", "Mensah",
  "Varga", "Castillo", "Ishikawa", "Dubois", "Petrov", "Adeyemi", "Holm", "Santos", "Keller", "Rahman",
  "Aalto", "Byrne", "Costa", "Delacroix", "Eriksen", "Fontaine", "Gupta", "Horvat", "Iqbal", "Jansen",
];

export const SYLLABLES: readonly string[] = [
  "zor", "vel", "quin", "mar", "tho", "brix", "lun", "dra", "kel", "fen", "o", "sa", "ri", "vo", "ta", "nim",
  "gal", "pe", "rhu", "xan", "wy", "bel", "cor", "dax", "el", "fro", "gri", "hal", "isk", "jor", "ka", "lo",
];

/**
 * Kinds of invented entities: how a user names one ("the {name} {noun}") and what confident invented facts
 * about it talk of. `noun` follows the name.
 */
export interface InventedKind {
  noun: string;
  /** What the user asks about it (after "Can you tell me about"). */
  asks: string[];
}

export const INVENTED_KINDS: readonly InventedKind[] = [
  { noun: "novel", asks: ["who wrote it", "how it ends", "what its main theme is"] },
  { noun: "blender", asks: ["how powerful its motor is", "whether it is worth buying", "what it costs"] },
  { noun: "lizard", asks: ["where it lives", "what it eats", "how big it gets"] },
  { noun: "theorem", asks: ["what it states", "who proved it", "why it matters"] },
  { noun: "festival", asks: ["when it takes place", "where it is held", "how it started"] },
  { noun: "programming language", asks: ["who created it", "what it is used for", "how its syntax looks"] },
  { noun: "mountain range", asks: ["how high its peaks are", "which country it is in", "how to hike it"] },
  { noun: "dynasty", asks: ["when it ruled", "how it ended", "who founded it"] },
  { noun: "diet", asks: ["how it works", "whether it is healthy", "who invented it"] },
  { noun: "telescope", asks: ["how large its mirror is", "what it discovered", "where it is located"] },
  { noun: "bread", asks: ["how it is baked", "where it comes from", "what flour it uses"] },
  { noun: "board game", asks: ["how it is played", "who designed it", "how many players it needs"] },
  { noun: "symphony", asks: ["who composed it", "how long it is", "when it premiered"] },
  { noun: "bicycle", asks: ["how much it weighs", "what gears it has", "who makes it"] },
  { noun: "moth", asks: ["what it looks like", "where it is found", "what its caterpillar eats"] },
  { noun: "index fund", asks: ["what it invests in", "what its fees are", "how it performed"] },
];
