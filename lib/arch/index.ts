import type { ConfigJson } from "./config";
import { gemma2 } from "./gemma2";
import { gpt2 } from "./gpt2";
import { llama } from "./llama";
import { mistral } from "./mistral";
import { qwen2 } from "./qwen2";
import type { ArchName, ModelSpec } from "./spec";
import type { ArchTable } from "./table";

/** The registry of architecture tables. */
export const ARCH_TABLES: readonly ArchTable[] = [llama, qwen2, mistral, gemma2, gpt2];

export const ARCH_NAMES: readonly ArchName[] = ARCH_TABLES.map((t) => t.name);

const supported = (): string => ARCH_TABLES.flatMap((t) => t.hfArchitectures).join(", ");

/** The table for a config.json, chosen by `architectures[0]`. */
export function archForConfig(config: ConfigJson, file: string): ArchTable {
  const list = config.architectures;
  if (!Array.isArray(list) || typeof list[0] !== "string")
    throw new Error(`${file}: missing field 'architectures' (a list such as ["LlamaForCausalLM"]); supported: ${supported()}`);
  const table = ARCH_TABLES.find((t) => t.hfArchitectures.includes(list[0]));
  if (!table) throw new Error(`${file}: architecture '${list[0]}' is not supported; supported: ${supported()}`);
  return table;
}

export function archByName(name: string): ArchTable {
  const table = ARCH_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`unknown architecture '${name}' (known: ${ARCH_NAMES.join(", ")})`);
  return table;
}

/**
 * config.json for a spec, with `architectures`. Throws when the architecture's config cannot express the spec
 * exactly (reading the config back must give the same spec), since the checkpoint would load as another model.
 */
export function specToConfig(spec: ModelSpec): ConfigJson {
  const table = archByName(spec.arch);
  const config = { architectures: [spec.hfArchitecture], ...table.toConfig(spec) };
  const diff = differences(spec, table.parseConfig(config, `config.json written for a ${spec.arch} spec`), "");
  if (diff.length) throw new Error(`a ${spec.arch} config.json cannot express this spec (${diff.join("; ")})`);
  return config;
}

/** Paths where two JSON-like values differ; numbers equal to 1e-9 relative (config.json stores decimals). */
function differences(a: unknown, b: unknown, path: string): string[] {
  if (typeof a === "number" && typeof b === "number")
    return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) ? [] : [`${path}: ${a} is read back as ${b}`];
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return a === b ? [] : [`${path}: ${JSON.stringify(a)} is read back as ${JSON.stringify(b)}`];
}

export type { ArchTable, TensorRule } from "./table";
export type { ConfigJson } from "./config";
export { ropeInverseFrequencies } from "./rope";
export * from "./spec";
export { configText, eosField } from "./config";
