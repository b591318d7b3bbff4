// Writing a fresh emulated network into a memory (a network of threads, and a machine's
// network the first time a process finds none, or only one its last users left behind): the
// header, the node table and the layout of _layout.ts. The magic is written last, so a memory
// that has it is complete.

import { ScifError } from "../errors.ts";
import {
  computeLayout,
  H_CONNECT_TIMEOUT_MS,
  H_FENCE_TIMEOUT_MS,
  H_KIND,
  H_MAGIC,
  H_NET_ID,
  H_NODES,
  H_PAGES,
  H_PRIVILEGED,
  H_RING_BYTES,
  H_SLOTS,
  H_SPIN,
  H_VERSION,
  type Layout,
  MAX_NODES,
  MAX_SLOTS,
  MODE_LOCAL,
  MODE_THREAD,
  N_MODE,
  N_STATE,
  NET_MAGIC,
  NET_VERSION,
  NODE_OFFLINE,
  NODE_ONLINE,
  nodeField,
} from "./_layout.ts";

const MIB = 1024 * 1024;

/** The parameters of a network, checked. */
export interface NetworkParams {
  readonly nodes: number;
  readonly slots: number;
  readonly memoryBytes: number;
  readonly ringBytes: number;
  readonly connectTimeoutMs: number;
  readonly fenceTimeoutMs: number;
  readonly privileged: boolean;
  readonly spins: number;
}

/** The options a network is made with (createNetwork's, and the machine's from its settings). */
export interface ParamOptions {
  nodes: number;
  memoryBytes?: number;
  ringBytes?: number;
  connectTimeoutMs?: number;
  fenceTimeoutMs?: number;
  privileged?: boolean;
  spins?: number;
  /** How many attachments at once; default twice the nodes (at most 64). */
  slots?: number;
}

/** `v` as an integer in [min, max], or EINVAL naming `name`; undefined (only undefined, not
 * null) gives `fallback` when there is one. */
export function integer(name: string, v: unknown, min: number, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ScifError("EINVAL", `${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** Checks `options` and computes the layout they give. */
export function networkParams(
  options: ParamOptions,
  defaultMemory = 256 * MIB,
): NetworkParams & { layout: Layout } {
  if (typeof options !== "object" || options === null) throw new ScifError("EINVAL", "options are required");
  const nodes = integer("nodes", options.nodes, 1, MAX_NODES);
  const memoryBytes = integer("memoryBytes", options.memoryBytes, 1 * MIB, 4096 * MIB - 65536, defaultMemory);
  if (memoryBytes % 65536 !== 0) throw new ScifError("EINVAL", "memoryBytes must be a multiple of 64 KiB");
  const ringBytes = integer("ringBytes", options.ringBytes, 4096, 64 * MIB, 256 * 1024);
  if ((ringBytes & (ringBytes - 1)) !== 0) throw new ScifError("EINVAL", "ringBytes must be a power of two");
  const connectTimeoutMs = integer("connectTimeoutMs", options.connectTimeoutMs, 1, 2 ** 31 - 1, 30_000);
  const fenceTimeoutMs = integer("fenceTimeoutMs", options.fenceTimeoutMs, 1, 2 ** 31 - 1, 30_000);
  const spins = integer("spins", options.spins, 0, 1 << 30, 100_000);
  if (options.privileged !== undefined && typeof options.privileged !== "boolean") {
    throw new ScifError("EINVAL", "privileged must be a boolean");
  }
  let slots = options.slots === undefined
    ? Math.min(MAX_SLOTS, Math.max(nodes * 2, 2))
    : integer("slots", options.slots, 1, MAX_SLOTS);
  let layout = computeLayout(nodes, slots, memoryBytes, ringBytes);
  if (!layout && options.slots === undefined) {
    slots = nodes;
    layout = computeLayout(nodes, slots, memoryBytes, ringBytes);
  }
  if (!layout) throw new ScifError("ENOMEM", `memoryBytes ${memoryBytes} is too small for ${nodes} nodes`);
  return {
    nodes,
    slots,
    memoryBytes,
    ringBytes,
    connectTimeoutMs,
    fenceTimeoutMs,
    privileged: options.privileged ?? false,
    spins,
    layout,
  };
}

/** Writes a fresh network of kind `kind` into `i32` (a zeroed memory). `modes`: the mode of
 * each node (default MODE_THREAD). */
export function initNetwork(
  i32: Int32Array,
  p: NetworkParams & { layout: Layout },
  kind: number,
  modes?: number[],
): void {
  const l = p.layout;
  const set = (field: number, value: number) => Atomics.store(i32, (l.header + field) >> 2, value);
  set(H_VERSION, NET_VERSION);
  set(H_NODES, p.nodes);
  set(H_SLOTS, p.slots);
  set(H_RING_BYTES, p.ringBytes);
  set(H_CONNECT_TIMEOUT_MS, p.connectTimeoutMs);
  set(H_FENCE_TIMEOUT_MS, p.fenceTimeoutMs);
  const id = crypto.getRandomValues(new Int32Array(4));
  id.forEach((v, i) => set(H_NET_ID + 4 * i, v));
  set(H_PRIVILEGED, p.privileged ? 1 : 0);
  set(H_SPIN, p.spins);
  set(H_KIND, kind);
  set(H_PAGES, p.memoryBytes / 65536);
  for (let n = 0; n < p.nodes; n++) {
    const mode = modes?.[n] ?? MODE_THREAD;
    Atomics.store(i32, nodeField(l, n, N_MODE) >> 2, mode);
    Atomics.store(i32, nodeField(l, n, N_STATE) >> 2, mode === MODE_LOCAL ? NODE_ONLINE : NODE_OFFLINE);
  }
  set(H_MAGIC, NET_MAGIC); // last: a memory with the magic is complete
}
