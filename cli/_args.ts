// The arguments of a `scif` command (cli/scif.ts): its options, checked integers, and the node
// it runs on.

import { parseArgs } from "@std/cli/parse-args";
import { openNode, type ScifNode } from "../mod.ts";

/** What each command takes after its name (every command also takes --node and --help). */
export const OPTIONS: Record<string, { string?: string[]; boolean?: string[] }> = {
  nodes: { boolean: ["json"] },
  echo: { string: ["count"] },
  ping: { string: ["port", "count", "size"] },
  listen: {},
  connect: { boolean: ["wait"] },
  key: {},
  stats: { string: ["watch", "count"], boolean: ["json"] },
  node: {},
  faults: {
    string: [
      "seed",
      "dma-fail",
      "dma-stall",
      "stall-ms",
      "silent",
      "delay-ms",
      "jitter-ms",
      "delay-nodes",
      "partition",
    ],
    boolean: ["json"],
  },
};

export type Options = Record<string, string | boolean | undefined>;

/** The command's arguments: its options (@std/cli's parseArgs), an unknown one refused. */
export function parse(command: string, argv: string[]): { pos: string[]; opt: Options } {
  const spec = OPTIONS[command];
  const string = [...(spec.string ?? []), "node"];
  const boolean = [...(spec.boolean ?? []), "help"];
  const parsed = parseArgs(argv, {
    string,
    boolean,
    alias: { h: "help" },
    unknown: (arg: string) => {
      if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
      return true;
    },
  });
  const opt: Options = {};
  for (const name of [...string, ...boolean]) {
    const v = parsed[name];
    if (v !== undefined && v !== false) opt[name] = v as string | boolean;
  }
  return { pos: parsed._.map(String), opt };
}

export class UsageError extends Error {}

export function integer(
  v: string | boolean | undefined,
  what: string,
  min: number,
  max: number,
  dflt?: number,
): number {
  if (v === undefined && dflt !== undefined) return dflt;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be an integer in [${min}, ${max}], got ${String(v ?? "nothing")}`);
  }
  return n;
}

export async function join(opt: Options): Promise<ScifNode> {
  return await openNode(opt.node !== undefined ? { node: integer(opt.node, "--node", 0, 255) } : {});
}

export const out = (s: string) => console.log(s);
