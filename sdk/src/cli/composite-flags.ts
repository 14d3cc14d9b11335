import type { Command } from "commander";
import { wholeNumber } from "./options.js";

export interface CompositeFlags {
  composite?: boolean;
  layout?: string;
  width?: number;
  height?: number;
  fps?: number;
  single?: string;
}

/** The flags that shape a composite (recordings and RTMP pushes share them). */
export function withCompositeFlags(cmd: Command, compositeDescription: string): Command {
  return cmd
    .option("--composite", compositeDescription)
    .option("--layout <layout>", "composite layout: grid, speaker or single (implies --composite)")
    .option("--width <px>", "composite canvas width", wholeNumber)
    .option("--height <px>", "composite canvas height", wholeNumber)
    .option("--fps <n>", "composite frame rate", wholeNumber)
    .option("--single <member>", "layout single: whose video fills the canvas");
}

/** The composite options given, or null when no composite flag was. */
export function compositeFrom(options: CompositeFlags): Record<string, string | number> | null {
  const given = Object.entries({
    layout: options.layout,
    width: options.width,
    height: options.height,
    fps: options.fps,
    single: options.single,
  }).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  return options.composite || given.length > 0 ? Object.fromEntries(given) : null;
}
