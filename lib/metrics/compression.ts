import { gzipSync } from "node:zlib";

/**
 * gzip compression ratio: UTF-8 bytes of the text over the size of its gzip encoding (level 9, Python's
 * gzip.compress default; no file name in the header, so the 18 bytes of header + trailer are the only overhead).
 * Higher = more redundant. An empty text has ratio 0 / 20 = 0.
 *
 * Quirk choices: the `diversity` package (Shaib et al.) gzips the text twice (gzip.compress, then writes the
 * result through GzipFile, whose header also holds the temporary file name) and joins responses with " "; here
 * the text is compressed once and a set is joined with "\n". Node bundles Chromium's zlib fork, whose level-9
 * output differs from CPython's by a few bytes (measured: 47 vs 44 bytes for a 240-byte text), so short texts'
 * ratios differ from Python's by a few percent; long sets agree more closely.
 */
export function compressionRatio(text: string): number {
  const raw = Buffer.from(text, "utf8");
  return raw.length / gzipSync(raw, { level: 9 }).length;
}

/** Set-level ratio: the responses joined by "\n", compressed as one text. */
export const setCompressionRatio = (texts: readonly string[]): number => compressionRatio(texts.join("\n"));
