/**
 * One line per command for `steersynth --help`. Kept apart from the command files so that the help lists every
 * command without loading any of them (a command file pulls in its engine, onnxruntime or tfjs: seconds of start-up).
 */
export const SUMMARIES = {
  "build-data": "regenerate the embedded concept datasets (data/concepts) from a seed",
  diversity: "diversity metrics of a set of generations (distinct-n, Self-BLEU, gzip ratio, Vendi, ...); writes D.json",
  extract: "extract a steering vector from contrastive pairs (actadd, caa, pca, iti, probe); writes V.safetensors + V.json",
  figures: "regenerate every figure of a study from its results (HTML + PNG/SVG), without recomputing",
  generate: "generate continuations of prompts (text or token ids), optionally steered; writes JSON lines",
  hidden: "run token ids through a model; write every layer's block output and the logits (safetensors)",
  inspect: "describe a checkpoint folder: architecture, sizes, dtype, parameters, tokenizer",
  "make-random": "write a small random Hugging Face checkpoint (weights, BPE tokenizer, chat template)",
  merge: "merge shard results of a study into results.csv / results.arrow",
  score: "score generations: success (judge), coherence, diversity, harmonic means; writes S.json",
  study: "run the study grid (resumable; --shard i/n, Slurm array or Kubernetes indexed-job variables split it)",
  train: "train a detector on real, prompted or generated violating data and report test AUROC",
  tune: "tune a steering strength (and layer) toward an intrinsic objective (HM of success, coherence, diversity); writes the vector, tune.json and the curve figure",
  "validate-judges": "validate success and coherence judges on held-out labelled data: AUROC [CI], ECE, reliability diagram",
} as const;

export type CommandName = keyof typeof SUMMARIES;
