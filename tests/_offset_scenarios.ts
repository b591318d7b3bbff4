// Scenarios of tests/offset_test.ts: registration whose offset the caller takes as a number,
// and a look at what a failure said. Offsets cross as Wire values (tests/_rma_scenarios.ts).
import type { ScifNode } from "../mod.ts";
import { codeOf, endpoint } from "./_scenarios.ts";
import { fromWire, toWire, type Wire } from "./_rma_scenarios.ts";

const memories = new Map<string, Uint8Array>();

/** Allocates `pages` pages under `name` (this module's own memories). */
export function allocate(node: ScifNode, args: { name: string; pages: number }): Promise<void> {
  memories.set(args.name, node.allocate(args.pages * 4096));
  return Promise.resolve();
}

/** Registers a kept memory where the backend chooses, the offset taken as `as` says: "number"
 * (the default result), "bigint" ({ bigint: true }). Resolves to the offset, or to the errno and
 * message of the failure. */
export function registerAs(
  _node: ScifNode,
  args: { ep: string; name: string; as: "number" | "bigint" },
): Promise<{ offset?: Wire; type?: string; code?: string; message?: string }> {
  const ep = endpoint(args.ep);
  const mem = memories.get(args.name)!;
  try {
    const o = args.as === "bigint" ? ep.register(mem, { bigint: true }) : ep.register(mem);
    return Promise.resolve({ offset: toWire(o), type: typeof o });
  } catch (e) {
    return Promise.resolve({ code: codeOf(e), message: (e as Error).message });
  }
}

/** Unregisters a kept memory's window at `offset`. */
export function unregister(
  _node: ScifNode,
  args: { ep: string; name: string; offset: Wire },
): Promise<void> {
  endpoint(args.ep).unregister(fromWire(args.offset), memories.get(args.name)!.length);
  return Promise.resolve();
}
