/**
 * What a stage needs of the artefact store (lib/study/store implements it): cached JSON values and cached
 * files, each keyed by the content fingerprint of its inputs and written atomically. Lower folders (detect)
 * receive this interface, so they never import the study.
 */
export interface ArtefactCache {
  /** The cached JSON value for (stage, inputs), or computed, stored and returned. */
  json<T>(stage: string, inputs: unknown, compute: () => Promise<T> | T): Promise<T>;
  /** The path of the cached file for (stage, inputs); `write` fills the temp path it is given when it is missing. */
  file(stage: string, inputs: unknown, ext: string, write: (tmpPath: string) => Promise<void>): Promise<string>;
}
