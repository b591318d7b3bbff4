// RMA scenarios for nodes in Workers (tests/rma_test.ts, tests/rma_errno_test.ts): windows,
// transfers, mappings and lists of calls; those about ordering (fences, random transfers against
// a model, flags) are in tests/_rma_order_scenarios.ts. They work on the connections
// tests/_scenarios.ts keeps ("c" on the connecting node, "conn0" on the accepting one) and keep
// their windows by name.
//
// Offsets cross between the test and its nodes as `Wire` values: a number when it is a safe
// integer, else a decimal string ending in "n" (the hardware backend's offsets are the kernel's,
// near 2^63; JSON, which carries a process node's messages, has no bigint).
import { type Endpoint, type Offset, SCIF_PROT_READ, SCIF_PROT_WRITE, type ScifNode } from "../mod.ts";
import { ByteSource, endpoint, outcome } from "./_scenarios.ts";

/** An offset on its way to or from a node (see the module's comment). */
export type Wire = number | string;

/** The offset a Wire value stands for. */
export function fromWire(v: Wire): Offset {
  return typeof v === "string" ? BigInt(v.slice(0, -1)) : v;
}

/** An offset as a Wire value. */
export function toWire(o: Offset): Wire {
  if (typeof o === "number") return o;
  return o >= BigInt(Number.MIN_SAFE_INTEGER) && o <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(o) : `${o}n`;
}

/** `v + n`, exactly, as a Wire value. */
export function plus(v: Wire, n: number): Wire {
  return toWire(BigInt(fromWire(v)) + BigInt(n));
}

/** The memories (allocated or plain) and the mapped views the scenarios keep, by name; the
 * ordering scenarios (tests/_rma_order_scenarios.ts) use them too. */
export const memories = new Map<string, Uint8Array>();
export const views = new Map<string, Uint8Array>();

/** Allocates `pages` pages, fills them from `seed`, registers them on a kept endpoint (at
 * `offset` with fixed, else where the backend chooses); resolves to the offset, exactly. */
export function register(
  node: ScifNode,
  args: { ep: string; name: string; pages: number; seed: number; offset?: Wire; prot?: number },
): Promise<Wire> {
  const mem = node.allocate(args.pages * 4096);
  new ByteSource(args.seed).fill(mem);
  memories.set(args.name, mem);
  const options = args.offset === undefined
    ? { prot: args.prot, bigint: true as const }
    : { offset: fromWire(args.offset), fixed: true, prot: args.prot, bigint: true as const };
  return Promise.resolve(toWire(endpoint(args.ep).register(mem, options)));
}

/** The bytes of a kept memory. */
export function bytes(
  _node: ScifNode,
  args: { name: string; from?: number; length?: number },
): Promise<number[]> {
  const mem = memories.get(args.name)!;
  const from = args.from ?? 0;
  return Promise.resolve([...mem.subarray(from, from + (args.length ?? mem.length - from))]);
}

/** One RMA call; resolves to "ok" or the errno name. */
export function rma(
  _node: ScifNode,
  args: { ep: string; op: "readFrom" | "writeTo"; loff: Wire; len: number; roff: Wire; flags: number },
): Promise<string> {
  const ep = endpoint(args.ep);
  return outcome(() => ep[args.op](fromWire(args.loff), args.len, fromWire(args.roff), args.flags));
}

/** Maps `length` bytes of the peer's space at `roff` and keeps the view by `name`. */
export function mmap(
  _node: ScifNode,
  args: { ep: string; name: string; roff: Wire; length: number; prot?: number },
): Promise<number> {
  const view = endpoint(args.ep).mmap(
    fromWire(args.roff),
    args.length,
    args.prot ?? SCIF_PROT_READ | SCIF_PROT_WRITE,
  );
  views.set(args.name, view);
  return Promise.resolve(view.length);
}

/** Stores `bytes` at `at` through a kept view (or a kept memory). */
export function poke(_node: ScifNode, args: { name: string; at: number; bytes: number[] }): Promise<void> {
  (views.get(args.name) ?? memories.get(args.name)!).set(args.bytes, args.at);
  return Promise.resolve();
}

/** Fills [from, to) of a kept memory with `value`. */
export function fill(
  _node: ScifNode,
  args: { name: string; value: number; from?: number; to?: number },
): Promise<void> {
  memories.get(args.name)!.fill(args.value, args.from, args.to);
  return Promise.resolve();
}

/** Whether every byte of [from, to) of a kept memory is `value`. */
export function all(
  _node: ScifNode,
  args: { name: string; value: number; from?: number; to?: number },
): Promise<boolean> {
  return Promise.resolve(
    memories.get(args.name)!.subarray(args.from, args.to).every((x) => x === args.value),
  );
}

/** Reads `length` bytes at `at` of a kept view (or a kept memory). */
export function peek(_node: ScifNode, args: { name: string; at: number; length: number }): Promise<number[]> {
  const m = views.get(args.name) ?? memories.get(args.name)!;
  return Promise.resolve([...m.subarray(args.at, args.at + args.length)]);
}

/** Unmaps a kept view. */
export function munmap(_node: ScifNode, args: { ep: string; name: string }): Promise<string> {
  const view = views.get(args.name)!;
  return outcome(() => endpoint(args.ep).munmap(view));
}

/** Unregisters [offset, offset + length) of a kept endpoint. */
export function unregister(
  _node: ScifNode,
  args: { ep: string; offset: Wire; length: number },
): Promise<string> {
  return outcome(() => endpoint(args.ep).unregister(fromWire(args.offset), args.length));
}

/** Runs a list of calls on a kept endpoint, each given as [method, ...args]; resolves to what
 * each did ("ok" or the errno name). bigint arguments travel as strings ending in "n" (in an
 * options object too). */
export async function calls(
  node: ScifNode,
  args: { ep?: string; list: [string, ...unknown[]][] },
): Promise<string[]> {
  const ep: Endpoint | ScifNode = args.ep ? endpoint(args.ep) : node;
  const out: string[] = [];
  const param = (a: unknown): unknown => {
    if (typeof a === "string" && /^-?\d+n$/.test(a)) return BigInt(a.slice(0, -1));
    if (typeof a === "string" && a.startsWith("mem:")) return memories.get(a.slice(4));
    if (typeof a === "string" && a.startsWith("view:")) return views.get(a.slice(5));
    // An options object: its "…n" strings are bigints too (register's offset).
    if (typeof a === "object" && a !== null && Object.getPrototypeOf(a) === Object.prototype) {
      return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, param(v)]));
    }
    return a;
  };
  for (const [method, ...rest] of args.list) {
    const params = rest.map(param);
    // deno-lint-ignore no-explicit-any
    out.push(await outcome(() => (ep as any)[method](...params)));
  }
  return out;
}

/** Allocates memory under `name` without registering it. */
export function allocate(node: ScifNode, args: { name: string; bytes: number }): Promise<number> {
  const mem = node.allocate(args.bytes);
  memories.set(args.name, mem);
  return Promise.resolve(mem.length);
}

/** Keeps a sub-array of a kept memory under a new name. */
export function slice(
  _node: ScifNode,
  args: { name: string; from: number; to: number; as: string },
): Promise<void> {
  memories.set(args.as, memories.get(args.name)!.subarray(args.from, args.to));
  return Promise.resolve();
}

/** Keeps a plain (not shared) array under `name`. */
export function plain(_node: ScifNode, args: { name: string; bytes: number }): Promise<void> {
  memories.set(args.name, new Uint8Array(args.bytes));
  return Promise.resolve();
}
