import { MAX_SEED } from "../util/index";

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
    // Own keys only: an inherited name (--toString, --constructor, --__proto__) is not an option.
    const opt = Object.hasOwn(spec, name) ? spec[name] : undefined;
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

/** An integer option ≥ `min` (a count, a size, a layer): "1.5", "-5" and "1e400" are errors, not rounded or clamped. */
export function intOpt(command: string, name: string, value: string | boolean | undefined, fallback: number | undefined, min: number): number {
  const n = numberOpt(command, name, value, fallback);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${command}: --${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** A seed: an integer in [0, MAX_SEED] (seeds are 32-bit; a larger value would silently alias a smaller one). */
export function seedOpt(command: string, value: string | boolean | undefined, fallback: number, name = "seed"): number {
  const n = numberOpt(command, name, value, fallback);
  if (!Number.isInteger(n) || n < 0 || n > MAX_SEED) throw new UsageError(`${command}: --${name} must be an integer in [0, ${MAX_SEED}], got '${value}'`);
  return n;
}
