/**
 * lib/detect — extrinsic evaluation: detectors trained on real, prompted or steered violating data.
 *   dataset     training-set composition (replace the positives, keep the negatives exactly; provenance)
 *   features    frozen probe features (mean resid_post over response tokens), cached
 *   head        logistic / MLP head (float64 TypeScript; Adam, class weights, early stopping)
 *   finetune    the fine-tune detector (all weights, tfjs)
 *   evaluate    per-seed training, test AUROC, bootstrap interval, caching by content fingerprint
 */
export * from "./dataset";
export * from "./features";
export * from "./head";
export * from "./finetune";
export * from "./bootstrap";
export * from "./evaluate";
