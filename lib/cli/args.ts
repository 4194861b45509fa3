/**
 * A small, strict argument parser: `--name value`, `--flag`, `--name=value`. Unknown options are errors
 * (a typo must not silently fall back to a default).
 */
export interface OptionSpec {
  /** "string" takes a value; "boolean" is a flag. */
  type: "string" | "boolean";
  required?: boolean;
  description: string;
}

export type Parsed = Record<string, string | boolean | undefined>;

export class UsageError extends Error {}

export function parseArgs(command: string, argv: readonly string[], spec: Record<string, OptionSpec>): Parsed {
  const out: Parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UsageError(`${command}: unexpected argument '${arg}'`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const opt = spec[name];
    if (!opt) throw new UsageError(`${command}: unknown option --${name} (known: ${Object.keys(spec).map((k) => "--" + k).join(", ")})`);
    if (opt.type === "boolean") {
      if (eq >= 0) throw new UsageError(`${command}: --${name} is a flag and takes no value`);
      out[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`${command}: --${name} needs a value`);
    out[name] = value;
  }
  for (const [name, opt] of Object.entries(spec))
    if (opt.required && out[name] === undefined) throw new UsageError(`${command}: missing required option --${name}`);
  return out;
}

export function usage(command: string, summary: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(([n, o]) => `  --${n}${o.type === "string" ? " <value>" : ""}${o.required ? " (required)" : ""}\n      ${o.description}`);
  return `steersynth ${command}: ${summary}\n${lines.join("\n")}`;
}

/** Parse a number option with a clear error. */
export function numberOpt(command: string, name: string, value: string | boolean | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${command}: missing required option --${name}`);
    return fallback;
  }
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${command}: --${name} must be a number, got '${value}'`);
  return n;
}
