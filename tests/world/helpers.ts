/** distinct-n: distinct word n-grams / all word n-grams over a set of texts (lower-cased, split on spaces). */
export function distinctN(texts: readonly string[], n: number): number {
  const all: string[] = [];
  for (const t of texts) {
    const w = t.toLowerCase().split(/\s+/).filter(Boolean);
    for (let i = 0; i + n <= w.length; i++) all.push(w.slice(i, i + n).join(" "));
  }
  return new Set(all).size / all.length;
}

export const intersection = <T>(a: Iterable<T>, b: Iterable<T>): T[] => {
  const bs = new Set(b);
  return [...new Set(a)].filter((x) => bs.has(x));
};
