import { createHash } from "node:crypto";

/**
 * Content fingerprint of a JSON-like value: sha256 of a canonical encoding (object keys sorted, typed arrays
 * hashed by their bytes), hex, first 16 characters. Used to key cached artefacts and identify specs.
 */
export function fingerprint(value: unknown): string {
  const h = createHash("sha256");
  feed(h, value);
  return h.digest("hex").slice(0, 16);
}

function feed(h: ReturnType<typeof createHash>, v: unknown): void {
  if (ArrayBuffer.isView(v)) {
    h.update(`<${v.constructor.name}:${v.byteLength}>`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  } else if (Array.isArray(v)) {
    h.update("[");
    for (const x of v) { feed(h, x); h.update(","); }
    h.update("]");
  } else if (v !== null && typeof v === "object") {
    h.update("{");
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) continue;
      h.update(JSON.stringify(k) + ":");
      feed(h, x);
      h.update(",");
    }
    h.update("}");
  } else {
    h.update(JSON.stringify(v) ?? "undefined");
  }
}
