/**
 * lib/math — numeric primitives every folder may use (the lowest layer above lib/util):
 *   numeric    mean, upperMedian, std, sigmoid, log-softmax
 *   linalg     dense helpers over row-major [n, width] Float32Arrays (dot, norms, projections, principal axis)
 *   logistic   L2-regularised logistic regression (probe method, ITI's head probes, layer scores, the classifier judge)
 */
export * from "./numeric";
export * from "./linalg";
export * from "./logistic";
