import { closeSync, openSync, readSync } from "node:fs";
import type { SharedEntry } from "./onnx-builder";

/**
 * The token embedding looked up on the host: the graphs take `inputs_embeds` [B, T, H], not token ids.
 *
 * Why not a Gather in the graph: onnxruntime maps the shared weight file per initializer, and a Gather's table stays
 * mapped for the session's life. Every page a lookup touches then stays resident — the kernel maps page-cache pages in
 * large folios, ~1–2 MB per looked-up token — so a real vocabulary's embedding comes to be held a second time beside
 * the head's prepacked copy (Llama-3.2-1B shape: +1.1 GB at the end of the scale bench, 1.38 × the weights). Read with
 * pread, rows pass through the page cache without being mapped into the process: the weights are held once.
 * The rows are copied exactly (the Gather was a copy too), so logits are bit-identical.
 */
export interface EmbeddingRows {
  /** Rows of the token ids `ids` (any length N) → [N, H], in order. */
  lookup(ids: BigInt64Array): Float32Array;
  /** Releases the file handle (a table in memory has none). */
  close(): void;
}

/** Where a graph's embedding table is: a range of the shared weight file, or an array made on demand (inline graphs). */
export type EmbeddingSource = { file: string; entry: SharedEntry | undefined } | { table: () => Float32Array };

/** The embedding rows of a vocabulary of `vocab` tokens of width `hidden`, read from `source`. */
export function embeddingRows(source: EmbeddingSource, vocab: number, hidden: number): EmbeddingRows {
  const rowBytes = 4 * hidden;
  if ("table" in source) {
    const table = source.table();
    if (table.length !== vocab * hidden) throw new Error(`internal: embedding table has ${table.length} values, expected ${vocab} × ${hidden}`);
    return { lookup: (ids) => gatherRows(ids, vocab, hidden, (id, out, at) => out.set(table.subarray(id * hidden, (id + 1) * hidden), at)), close() {} };
  }
  const { file, entry } = source;
  if (entry?.length !== vocab * rowBytes) throw new Error(`internal: embedding in ${file} is ${entry ? `${entry.length} bytes` : "missing"}, expected ${vocab} × ${hidden} floats`);
  let fd: number | null = null;
  const readRow = (id: number, out: Float32Array, at: number) => {
    fd ??= openSync(file, "r");
    const bytes = new Uint8Array(out.buffer, out.byteOffset + 4 * at, rowBytes);
    let done = 0;
    while (done < rowBytes) {
      const n = readSync(fd, bytes, done, rowBytes - done, entry.offset + id * rowBytes + done);
      if (n === 0) throw new Error(`${file}: ended inside the embedding (token ${id}); the graph cache is damaged — delete it to rebuild`);
      done += n;
    }
  };
  return {
    lookup: (ids) => gatherRows(ids, vocab, hidden, readRow),
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** out [N, H]: each distinct id's row read once (`read(id, out, offset)`), repeats copied from its first place. */
function gatherRows(ids: BigInt64Array, vocab: number, hidden: number, read: (id: number, out: Float32Array, at: number) => void): Float32Array {
  const out = new Float32Array(ids.length * hidden);
  const first = new Map<number, number>(); // id → the first row holding it
  for (let i = 0; i < ids.length; i++) {
    const id = Number(ids[i]);
    if (!(id >= 0 && id < vocab)) throw new Error(`internal: token id ${id} outside the vocabulary [0, ${vocab})`);
    const seen = first.get(id);
    if (seen === undefined) {
      first.set(id, i);
      read(id, out, i * hidden);
    } else {
      out.copyWithin(i * hidden, seen * hidden, (seen + 1) * hidden);
    }
  }
  return out;
}
