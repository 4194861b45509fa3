import { WEIGHT_FORMATS, type WeightFormat } from "../engine/index";
import { UsageError, type OptionSpec } from "./args";

/** `--weights`, shared by the commands that run a model (here, not in args.ts: it needs the engine, and `--help` must not). */
export const WEIGHTS_OPTION: OptionSpec = {
  type: "string",
  description: `layer weight format for inference: ${WEIGHT_FORMATS.join(" | ")} (default fp32; int8/int4: layer matrices block-quantized, steering and the residual stream stay fp32; README "Real-size checkpoints")`,
};

export function weightsOpt(command: string, value: string | boolean | undefined): WeightFormat {
  if (value === undefined) return "fp32";
  if (typeof value !== "string" || !(WEIGHT_FORMATS as readonly string[]).includes(value))
    throw new UsageError(`${command}: --weights must be one of ${WEIGHT_FORMATS.join(", ")}, got '${value}'`);
  return value as WeightFormat;
}
