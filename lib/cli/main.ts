import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../util/index";
import { UsageError } from "./args";

/**
 * `steersynth <command> [options]`. Each command is one file in lib/cli/commands/<command>.ts exporting
 * `summary: string` and `run(argv: string[]): Promise<number>` (the exit code).
 */
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commandsDir = (): string => join(repoRoot(), "lib", "cli", "commands");

export function listCommands(): string[] {
  return readdirSync(commandsDir()).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = listCommands();
  if (!name || name === "--help" || name === "help") {
    const lines = await Promise.all(names.map(async (n) => `  ${n.padEnd(12)} ${(await load(n)).summary}`));
    console.log(`usage: steersynth <command> [options]   (steersynth <command> --help for its options)\n\n${lines.join("\n")}`);
    return name ? 0 : 1;
  }
  if (!names.includes(name)) {
    console.error(`steersynth: unknown command '${name}' (commands: ${names.join(", ")})`);
    return 2;
  }
  try {
    return await (await load(name)).run(rest);
  } catch (err) {
    if (err instanceof UsageError) { console.error(err.message); return 2; }
    console.error(`steersynth ${name}: ${(err as Error).message}`);
    if (process.env.STEERSYNTH_DEBUG) console.error((err as Error).stack);
    return 1;
  }
}

const load = async (name: string): Promise<Command> =>
  (await import(pathToFileURL(join(commandsDir(), `${name}.ts`)).href)) as Command;
