/**
 * Disjoint partitions of the world's templates and entities. Each dataset draws from its own partition so that
 * held-out data is held out for real: detector_train and detector_test share no template and no entity, judge
 * data is apart from both, and the held-out generation prompts share nothing with the steering pairs.
 * The pretraining corpus draws from "all" (a model has seen the whole world, datasets are samples of it).
 */
import { createRng, deriveSeed } from "../util/index";

export const PARTITIONS = ["pairs", "prompts", "train", "test", "judge"] as const;
export type Partition = (typeof PARTITIONS)[number];
/** Response templates are never needed for the prompts partition (prompts have no responses). */
export const RESPONSE_PARTITIONS: readonly Partition[] = ["pairs", "train", "test", "judge"];
export type Split = Partition | "all";

/**
 * Split `items` into disjoint, balanced parts: a seeded shuffle, then round-robin. The same (seed, key, items)
 * always gives the same split, whatever else was split before.
 */
export function splitItems<T>(items: readonly T[], seed: number, key: string, parts: readonly Partition[]): Map<Partition, T[]> {
  if (items.length < parts.length) throw new Error(`partition '${key}': ${items.length} items cannot fill ${parts.length} partitions`);
  const shuffled = createRng(deriveSeed(seed, "partition", key)).shuffle(items);
  const out = new Map<Partition, T[]>(parts.map((p) => [p, []]));
  shuffled.forEach((item, i) => out.get(parts[i % parts.length])!.push(item));
  return out;
}

/** Memoised partitioned views of named pools, for one world seed. */
export interface Partitioner {
  /** The items of pool `key` that belong to `split` ("all": every item). */
  view<T>(key: string, items: readonly T[], split: Split, parts?: readonly Partition[]): readonly T[];
}

export function createPartitioner(seed: number): Partitioner {
  const cache = new Map<string, Map<Partition, unknown[]>>();
  return {
    view<T>(key: string, items: readonly T[], split: Split, parts: readonly Partition[] = PARTITIONS): readonly T[] {
      if (split === "all") return items;
      let parted = cache.get(key) as Map<Partition, T[]> | undefined;
      if (!parted) { parted = splitItems(items, seed, key, parts); cache.set(key, parted as Map<Partition, unknown[]>); }
      const got = parted.get(split);
      if (!got) throw new Error(`pool '${key}' has no partition '${split}' (it is split into ${parts.join(", ")})`);
      return got;
    },
  };
}
