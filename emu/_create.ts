// Making the shared memory of an emulated network (createNetwork, and the machine network of
// emu/_machine.ts): the header, the node table and the heap laid out by _layout.ts.

import { coreModule } from "../core/scif_core.ts";
import { ScifError } from "../errors.ts";
import {
  computeLayout,
  H_CONNECT_TIMEOUT_MS,
  H_MAGIC,
  H_NET_ID,
  H_NODES,
  H_PRIVILEGED,
  H_RING_BYTES,
  H_SPIN,
  H_VERSION,
  MAX_NODES,
  NET_MAGIC,
  NET_VERSION,
} from "./_layout.ts";
import { EmuShared } from "./_shared.ts";
import type { NetworkOptions } from "./network.ts";

const MIB = 1024 * 1024;

/** `v` as an integer in [min, max], or EINVAL naming `name`. */
export function integer(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ScifError("EINVAL", `${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** A new network's shared memory, checked options and all. */
export async function createShared(
  options: NetworkOptions,
): Promise<{ shared: EmuShared; memory: WebAssembly.Memory; module: WebAssembly.Module; nodes: number }> {
  if (typeof options !== "object" || options === null) throw new ScifError("EINVAL", "options are required");
  const nodes = integer("nodes", options.nodes, 1, MAX_NODES);
  const memoryBytes = integer("memoryBytes", options.memoryBytes ?? 256 * MIB, 1 * MIB, 4096 * MIB - 65536);
  if (memoryBytes % 65536 !== 0) throw new ScifError("EINVAL", "memoryBytes must be a multiple of 64 KiB");
  const ringBytes = integer("ringBytes", options.ringBytes ?? 256 * 1024, 4096, 64 * MIB);
  if ((ringBytes & (ringBytes - 1)) !== 0) throw new ScifError("EINVAL", "ringBytes must be a power of two");
  const connectTimeoutMs = integer("connectTimeoutMs", options.connectTimeoutMs ?? 30_000, 1, 2 ** 31 - 1);
  const spins = integer("spins", options.spins ?? 100_000, 0, 1 << 30);
  const layout = computeLayout(nodes, memoryBytes, ringBytes);
  if (!layout) throw new ScifError("ENOMEM", `memoryBytes ${memoryBytes} is too small for ${nodes} nodes`);

  const pages = memoryBytes / 65536;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const i32 = new Int32Array(memory.buffer);
  const set = (field: number, value: number) => Atomics.store(i32, (layout.header + field) >> 2, value);
  set(H_VERSION, NET_VERSION);
  set(H_NODES, nodes);
  set(H_RING_BYTES, ringBytes);
  set(H_CONNECT_TIMEOUT_MS, connectTimeoutMs);
  const id = crypto.getRandomValues(new Int32Array(4));
  id.forEach((v, i) => set(H_NET_ID + 4 * i, v));
  set(H_PRIVILEGED, options.privileged ? 1 : 0);
  set(H_SPIN, spins);
  set(H_MAGIC, NET_MAGIC); // last: a memory with the magic is complete
  const module = await coreModule();
  const shared = await EmuShared.of(memory, module);
  return { shared, memory, module, nodes };
}
