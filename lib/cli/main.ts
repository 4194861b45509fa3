import { UsageError } from "./args";
import { SUMMARIES, type CommandName } from "./summaries";

/**
 * `steersynth <command> [options]`. Each command is one file in lib/cli/commands/<command>.ts exporting
 * `run(argv: string[]): Promise<number>` (the exit code); its one-line summary lives in ./summaries.
 */
export interface Command {
  run(argv: string[]): Promise<number>;
}

/**
 * Every command, loaded only when it runs. Literal import() calls (not a path built from a folder listing) let
 * the bundler (scripts/build-cli.mjs) split each command into its own chunk, so `--help` and a light command never
 * load onnxruntime or tfjs; tests/cli/registry.test.ts checks this table against the files in commands/.
 */
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  "build-data": () => import("./commands/build-data"),
  diversity: () => import("./commands/diversity"),
  extract: () => import("./commands/extract"),
  figures: () => import("./commands/figures"),
  generate: () => import("./commands/generate"),
  hidden: () => import("./commands/hidden"),
  inspect: () => import("./commands/inspect"),
  "make-random": () => import("./commands/make-random"),
  merge: () => import("./commands/merge"),
  score: () => import("./commands/score"),
  study: () => import("./commands/study"),
  train: () => import("./commands/train"),
  tune: () => import("./commands/tune"),
  "validate-judges": () => import("./commands/validate-judges"),
};

export function listCommands(): CommandName[] {
  return (Object.keys(COMMANDS) as CommandName[]).sort();
}

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = listCommands();
  if (!name || name === "--help" || name === "help") {
    const lines = names.map((n) => `  ${n.padEnd(12)} ${SUMMARIES[n]}`);
    console.log(`usage: steersynth <command> [options]   (steersynth <command> --help for its options)\n\n${lines.join("\n")}`);
    return name ? 0 : 1;
  }
  if (!isCommand(name)) {
    console.error(`steersynth: unknown command '${name}' (commands: ${names.join(", ")})`);
    return 2;
  }
  try {
    return await (await COMMANDS[name]()).run(rest);
  } catch (err) {
    if (err instanceof UsageError) { console.error(err.message); return 2; }
    console.error(`steersynth ${name}: ${(err as Error).message}`);
    if (process.env.STEERSYNTH_DEBUG) console.error((err as Error).stack);
    return 1;
  }
}
