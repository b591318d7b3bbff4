// The fault commands of `scif` (cli/scif.ts): the machine's fault plan set from its options
// (`scif faults set --seed 1 --dma-fail 0.1`), cleared (`scif faults clear`), and printed
// (`scif faults`). The plan is checked by the network (EINVAL, ENODEV), not here: the options
// are only turned into numbers.

import { type FaultPlan, machineNetwork } from "../mod.ts";
import { integer, type Options, out, UsageError } from "./_args.ts";

/** A probability option: a number in [0, 1]. */
function probability(v: string | boolean | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !(n >= 0 && n <= 1)) {
    throw new UsageError(`${what} must be a number in [0, 1], got ${String(v)}`);
  }
  return n;
}

/** A list of node ids: "2,3". */
function nodeList(v: string | boolean | undefined, what: string): number[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new UsageError(`${what} must be a list of node ids, as 2,3`);
  return v.split(",").map((s) => integer(s.trim(), what, 0, 63));
}

const millis = (v: string | boolean | undefined, what: string) =>
  v === undefined ? undefined : integer(v, what, 0, 2 ** 31 - 1);

/** The plan the options of `scif faults set` say. */
export function planOf(opt: Options): FaultPlan {
  const plan: FaultPlan = { seed: integer(opt.seed, "--seed", -(2 ** 31), 2 ** 32 - 1) };
  const failRate = probability(opt["dma-fail"], "--dma-fail");
  const stallRate = probability(opt["dma-stall"], "--dma-stall");
  const stallMs = millis(opt["stall-ms"], "--stall-ms");
  if ((stallRate === undefined) !== (stallMs === undefined)) {
    throw new UsageError("--dma-stall and --stall-ms go together");
  }
  if (failRate !== undefined || stallRate !== undefined) plan.dma = { failRate, stallRate, stallMs };
  const silentNodes = nodeList(opt.silent, "--silent");
  if (silentNodes) plan.silentNodes = silentNodes;
  const ms = millis(opt["delay-ms"], "--delay-ms");
  const jitterMs = millis(opt["jitter-ms"], "--jitter-ms");
  const delayed = nodeList(opt["delay-nodes"], "--delay-nodes");
  if (ms !== undefined || jitterMs !== undefined) plan.delay = { ms, jitterMs, nodes: delayed };
  else if (delayed) throw new UsageError("--delay-nodes needs --delay-ms or --jitter-ms");
  const partition = nodeList(opt.partition, "--partition");
  if (partition) plan.partition = { nodes: partition };
  return plan;
}

/** `scif faults [--json]`, `scif faults set ...`, `scif faults clear`: the machine's network. */
export async function faults(pos: string[], opt: Options): Promise<void> {
  const action = pos[0] ?? "show";
  if (action !== "show" && action !== "set" && action !== "clear") {
    throw new UsageError(`"set" or "clear" expected, got ${action}`);
  }
  if (action !== "set") {
    const given = Object.keys(opt).filter((k) => k !== "json" && k !== "node");
    if (given.length > 0) throw new UsageError(`--${given[0]} is an option of "scif faults set"`);
  }
  const plan = action === "set" ? planOf(opt) : null;
  const machine = await machineNetwork();
  if (action !== "show") machine.faults.set(plan);
  const now = machine.faults.get();
  if (opt.json) out(JSON.stringify(now));
  else out(now === null ? "faults: none" : describe(now));
}

/** The plan, one kind a line. */
function describe(p: FaultPlan): string {
  const lines = [`seed ${p.seed}`];
  if (p.dma) {
    lines.push(`dma: fail ${p.dma.failRate}, stall ${p.dma.stallRate} for ${p.dma.stallMs} ms`);
  }
  if (p.silentNodes) lines.push(`silent nodes: ${p.silentNodes.join(",")}`);
  if (p.delay) {
    lines.push(`delay: ${p.delay.ms} ms + 0..${p.delay.jitterMs} ms on nodes ${p.delay.nodes?.join(",")}`);
  }
  if (p.partition) lines.push(`partition: links to nodes ${p.partition.nodes?.join(",")} cut`);
  return lines.join("\n");
}
