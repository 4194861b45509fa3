import { WEIGHT_FORMATS, weightOptionsProblem, type EngineOptions, type WeightFormat, type WeightOptionNames } from "../engine/index";
import { UsageError, type OptionSpec } from "./args";

/** `--weights`, shared by the commands that run a model (here, not in args.ts: it needs the engine, and `--help` must not). */
export const WEIGHTS_OPTION: OptionSpec = {
  type: "string",
  description: `layer weight format for inference: ${WEIGHT_FORMATS.join(" | ")} (default fp32; int8/int4: layer matrices block-quantized, steering and the residual stream stay fp32; README "Real-size checkpoints")`,
};

/** `--no-prepack`, beside `--weights` on the same commands. */
export const PREPACK_OPTION: OptionSpec = {
  type: "boolean",
  description: "fp32 only: onnxruntime reads the layer weights from the mapped weight file instead of its own packed copy — weights held once in memory, small-batch decode up to ~20 % slower (README \"Real-size checkpoints\")",
};

const FLAG_NAMES: WeightOptionNames = { weights: "--weights", noPrepack: "--no-prepack", fp32: "--weights fp32" };

/** The engine options of `--weights` and `--no-prepack`, checked (by the engine's rule) before any model loads. */
export function weightsOpt(command: string, a: Record<string, unknown>): Required<Pick<EngineOptions, "weights" | "prepack">> {
  const prepack = a["no-prepack"] !== true;
  const problem = weightOptionsProblem(a.weights, prepack, FLAG_NAMES);
  if (problem) throw new UsageError(`${command}: ${problem}`);
  return { weights: (a.weights ?? "fp32") as WeightFormat, prepack };
}
