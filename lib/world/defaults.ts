/** The seed the committed data/concepts files were built with (and the corpus excludes the prompts of). */
export const DEFAULT_SEED = 20261128;
