import { WEIGHT_FORMATS, type EngineOptions, type WeightFormat } from "../engine/index";
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

/** The engine options of `--weights` and `--no-prepack`, checked before any model loads. */
export function weightsOpt(command: string, a: Record<string, unknown>): Required<Pick<EngineOptions, "weights" | "prepack">> {
  const value = a.weights;
  if (value !== undefined && (typeof value !== "string" || !(WEIGHT_FORMATS as readonly string[]).includes(value)))
    throw new UsageError(`${command}: --weights must be one of ${WEIGHT_FORMATS.join(", ")}, got '${String(value)}'`);
  const weights = (value ?? "fp32") as WeightFormat;
  const prepack = a["no-prepack"] !== true;
  if (!prepack && weights !== "fp32") throw new UsageError(`${command}: --no-prepack needs --weights fp32 (quantized matmuls run ~20× slower unpacked)`);
  return { weights, prepack };
}
