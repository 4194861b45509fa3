/**
 * lib/util — the bottom layer: what every folder may use.
 *   atomic       temp-file-then-rename writes (no partial output)
 *   fingerprint  content fingerprints (artefact keys, dataset ids)
 *   paths        repoRoot() / dataPath(): files found from the repository root (no import.meta in notebooks)
 *   progress     one progress bar (CLI) or live line (notebooks)
 *   rng          seeded generators and derived seeds
 *   artefacts    ArtefactCache: what a stage needs of the study's artefact store
 */
export * from "./atomic";
export * from "./fingerprint";
export * from "./paths";
export * from "./progress";
export * from "./rng";
export type * from "./artefacts";
