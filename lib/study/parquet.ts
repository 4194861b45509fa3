import { readFileSync } from "node:fs";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer, type BasicType } from "hyparquet-writer";
import { COLUMN_TYPES, fitsColumn, RESULT_COLUMNS, type ColumnType } from "./columns";

/**
 * results.parquet: the results table, SNAPPY-compressed (up to 1,000 rows form one row group), written by
 * hyparquet-writer and read by hyparquet (pure JS, ~1 MB together; environment.md compares it with parquet-wasm and
 * @dsnp/parquetjs).
 * Column types come from lib/study/columns, so pandas, polars, DuckDB and Spark see DOUBLE / INT32 / BOOLEAN /
 * UTF-8 strings, and nulls only where the schema allows them.
 */

const PARQUET_TYPE: Record<ColumnType["type"], BasicType> = { double: "DOUBLE", int32: "INT32", boolean: "BOOLEAN", string: "STRING" };

/** The rows as Parquet bytes; a value of the wrong type or a null in a non-nullable column is an error. */
export function resultsParquet(rows: readonly object[]): Uint8Array {
  const columnData = RESULT_COLUMNS.map((name) => {
    const column = COLUMN_TYPES[name];
    const data = rows.map((r, i) => {
      const v = (r as Record<string, unknown>)[name] ?? null;
      if (!fitsColumn(column, v))
        throw new Error(v === null ? `results.parquet: row ${i} has no ${name} (the column is not nullable)` : `results.parquet: row ${i} column ${name} = ${JSON.stringify(v)} is not ${column.type}`);
      return v;
    });
    return { name, data, type: PARQUET_TYPE[column.type], nullable: column.nullable };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: "steersynth" }));
}

/** A Parquet file's rows as objects, columns in stored order. */
export async function readParquet(file: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
}
