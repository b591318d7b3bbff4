/**
 * An emulated SCIF network: nodes are threads (the creating thread, Deno Workers, Web
 * Workers) that share one WebAssembly memory holding the node queue pairs, the endpoint
 * queue pairs and the page heap.
 *
 * @example
 * ```ts
 * import { createNetwork } from "./network.ts";
 * const net = await createNetwork({ nodes: 2 });
 * const host = await net.node(0);
 * console.log(host.getNodeIds()); // { nodes: [0], self: 0 }
 * await net.close();
 * ```
 *
 * @module
 */

import { coreModule } from "../core/scif_core.ts";
import { ScifError } from "../errors.ts";
import { ScifNode } from "../node.ts";
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
import { EmuNode } from "./_node.ts";
import { EmuShared, type NetworkHandle } from "./_shared.ts";

export type { NetworkHandle };

/**
 * Options of {@linkcode createNetwork}.
 *
 * @example
 * ```ts
 * import type { NetworkOptions } from "./network.ts";
 * const opts: NetworkOptions = { nodes: 3, ringBytes: 256 * 1024 };
 * ```
 */
export interface NetworkOptions {
  /** How many nodes (1..64); node ids are 0..nodes-1, 0 is the host. */
  nodes: number;
  /** Size of the shared memory, a multiple of 64 KiB. Default 256 MiB (pages are touched lazily). */
  memoryBytes?: number;
  /** Receive ring of each connected endpoint, a power of two from 4 KiB. Default 256 KiB.
   * (The kernel uses 4 KiB; threads sharing memory move data faster through a larger ring.) */
  ringBytes?: number;
  /** How long a connect waits for an accept before it fails with ECONNREFUSED, as the
   * kernel's SCIF_NODE_ALIVE_TIMEOUT. Default 30000 ms. */
  connectTimeoutMs?: number;
  /** May nodes bind ports below SCIF_ADMIN_PORT_END (the kernel's CAP_SYS_ADMIN)? Default false. */
  privileged?: boolean;
  /** Spin iterations before a blocking call sleeps. Default 100000 (about 60 µs: a peer that is
   * descheduled for less than that costs no wake-up). */
  spins?: number;
}

/**
 * A network made by {@linkcode createNetwork}.
 *
 * @example
 * ```ts
 * import { createNetwork } from "./network.ts";
 * const net = await createNetwork({ nodes: 2 });
 * const worker = new Worker(new URL("./card.ts", import.meta.url), { type: "module" });
 * worker.postMessage(net.handle(1)); // the Worker calls attachNode(handle)
 * ```
 */
export interface Network {
  /** How many nodes the network has. */
  readonly nodes: number;
  /** Attaches node `nodeId` in the calling thread (EBUSY if it is attached elsewhere). */
  node(nodeId: number): Promise<ScifNode>;
  /** What a Worker needs to attach node `nodeId`: post it with postMessage. */
  handle(nodeId: number): NetworkHandle;
  /** Closes the nodes attached through this object. Nodes of other threads are theirs to close. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;

function integer(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ScifError("EINVAL", `${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/**
 * Creates an emulated SCIF network in a new shared memory.
 *
 * @example
 * ```ts
 * import { createNetwork } from "./network.ts";
 * const net = await createNetwork({ nodes: 3 });
 * const [host, card] = [await net.node(0), await net.node(1)];
 * const server = host.open();
 * server.bind(2000);
 * server.listen(4);
 * const client = card.open();
 * const [accepted] = await Promise.all([server.accept(), client.connect({ node: 0, port: 2000 })]);
 * await client.send(new TextEncoder().encode("hi"));
 * const buf = new Uint8Array(2);
 * await accepted.endpoint.recv(buf);
 * await net.close();
 * ```
 */
export async function createNetwork(options: NetworkOptions): Promise<Network> {
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

  const mine: ScifNode[] = [];
  return {
    nodes,
    async node(nodeId: number): Promise<ScifNode> {
      const node = new ScifNode(await EmuNode.attach(shared, nodeId));
      mine.push(node);
      return node;
    },
    handle(nodeId: number): NetworkHandle {
      integer("nodeId", nodeId, 0, nodes - 1);
      return { kind: "scif-emu-network", memory, module, nodeId };
    },
    async close(): Promise<void> {
      await Promise.all(mine.splice(0).map((n) => n.close()));
    },
  };
}

/**
 * Attaches the node a {@linkcode NetworkHandle} names, in the calling thread (typically a
 * Worker that received the handle by postMessage).
 *
 * @example
 * ```ts
 * // card.ts, run as a Worker
 * import { attachNode } from "./network.ts";
 * self.onmessage = async (e) => {
 *   const node = await attachNode(e.data);
 *   console.log("card", node.nodeId, node.getNodeIds());
 * };
 * ```
 */
export async function attachNode(handle: NetworkHandle): Promise<ScifNode> {
  if (
    typeof handle !== "object" || handle === null || handle.kind !== "scif-emu-network" ||
    !(handle.memory instanceof WebAssembly.Memory) || !(handle.module instanceof WebAssembly.Module)
  ) {
    throw new ScifError("EINVAL", "not a NetworkHandle (make one with Network.handle(nodeId))");
  }
  const shared = await EmuShared.of(handle.memory, handle.module);
  return new ScifNode(await EmuNode.attach(shared, handle.nodeId));
}
