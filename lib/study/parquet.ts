import { readFileSync } from "node:fs";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer, type BasicType } from "hyparquet-writer";
import { COLUMN_TYPES, RESULT_COLUMNS, type ColumnType } from "./columns";

/**
 * results.parquet: the results table as one Parquet row group (SNAPPY), written by hyparquet-writer and read by
 * hyparquet (pure JS, ~1 MB together; environment.md has the comparison with parquet-wasm and @dsnp/parquetjs).
 * Column types come from lib/study/columns, so pandas, polars, DuckDB and Spark see DOUBLE / INT32 / BOOLEAN /
 * UTF-8 strings, and nulls only where the schema allows them.
 */

const PARQUET_TYPE: Record<ColumnType["type"], BasicType> = { double: "DOUBLE", int32: "INT32", boolean: "BOOLEAN", string: "STRING" };

/** The rows as Parquet bytes; a value of the wrong type or a null in a non-nullable column is an error. */
export function resultsParquet(rows: readonly object[]): Uint8Array {
  const columnData = RESULT_COLUMNS.map((name) => {
    const { type, nullable } = COLUMN_TYPES[name];
    const data = rows.map((r, i) => {
      const v = (r as Record<string, unknown>)[name] ?? null;
      if (v === null && !nullable) throw new Error(`results.parquet: row ${i} has no ${name} (the column is not nullable)`);
      if (v !== null && !fits(type, v)) throw new Error(`results.parquet: row ${i} column ${name} = ${JSON.stringify(v)} is not ${type}`);
      return v;
    });
    return { name, data, type: PARQUET_TYPE[type], nullable };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: "steersynth" }));
}

function fits(type: ColumnType["type"], v: unknown): boolean {
  switch (type) {
    case "double": return typeof v === "number";
    case "int32": return Number.isInteger(v) && Math.abs(v as number) < 2 ** 31;
    case "boolean": return typeof v === "boolean";
    case "string": return typeof v === "string";
  }
}

/** A Parquet file's rows as objects (column order as stored) and its columns' physical types. */
export async function readParquet(file: string): Promise<{ rows: Record<string, unknown>[]; types: Record<string, string> }> {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const types = Object.fromEntries(parquetMetadata(buffer).schema.slice(1).map((e) => [e.name, String(e.type)]));
  return { rows: (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[], types };
}
