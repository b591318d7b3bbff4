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

import { ScifNode } from "./node.ts";
import { attachHandle, createThreadsNetwork, type FaultControl, type NetworkHandle } from "./emu/network.ts";
import type { FaultPlan } from "./emu/_faults.ts";
import { EmuNode } from "./emu/_node.ts";
import { bringNodeUp, nodeState, takeNodeDown } from "./emu/_hotplug.ts";
import { checkedControl, type NodeControl } from "./node_control.ts";
import { nodeIdOf } from "./_validate.ts";
import { requireNetworkRuntime } from "./_runtime.ts";

export type { FaultControl, FaultPlan, NetworkHandle };

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
  /** How long fenceWait waits for a mark before it fails with ETIMEDOUT, as the kernel's
   * SCIF_NODE_ALIVE_TIMEOUT. Default 30000 ms. */
  fenceTimeoutMs?: number;
  /** May nodes bind ports below SCIF_ADMIN_PORT_END (the kernel's CAP_SYS_ADMIN)? Default false. */
  privileged?: boolean;
  /** Spin iterations before a blocking call sleeps. Default 100000 (about 60 µs: a peer that is
   * descheduled for less than that costs no wake-up). */
  spins?: number;
  /** How many attachments the network has room for at once (1..64). Default twice the nodes:
   * a node attached again after a close or a loss takes a new one while the old is let go of. */
  slots?: number;
  /** A fault plan to start with (fault injection; default none: nothing is injected, at no
   * cost). Change it later with {@linkcode Network.faults}. */
  faults?: FaultPlan | null;
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
export interface Network extends NodeControl {
  /** How many nodes the network has. */
  readonly nodes: number;
  /** Attaches node `nodeId` in the calling thread (EBUSY if it is attached elsewhere). */
  node(nodeId: number): Promise<ScifNode>;
  /** What a Worker needs to attach node `nodeId`: post it with postMessage. */
  handle(nodeId: number): NetworkHandle;
  /** Bytes of the network's shared memory in use now: endpoint queue pairs, DMA queues and
   * memory from `allocate` (what a connection or a window costs, for measurements). */
  memoryInUse(): number;
  /** The network's fault plan: DMA transfers that fail or stall, nodes that stop answering
   * (see {@linkcode FaultPlan}). Seen by every thread of the network at once.
   *
   * @example
   * ```ts
   * import { createNetwork } from "./network.ts";
   * const net = await createNetwork({ nodes: 2, connectTimeoutMs: 200 });
   * net.faults.set({ seed: 1, silentNodes: [1] }); // node 1 stops answering
   * const card = await net.node(1);
   * const host = await net.node(0);
   * const server = card.open();
   * server.bind(2000);
   * server.listen(1);
   * await host.open().connect({ node: 1, port: 2000 }).catch((e) => console.log(e.code)); // ECONNREFUSED
   * net.faults.set(null);
   * await net.close();
   * ```
   */
  readonly faults: FaultControl;
  /** Closes the nodes attached through this object. Nodes of other threads are theirs to close. */
  close(): Promise<void>;
  /** close(): `await using net = await createNetwork({ nodes: 2 })`. */
  [Symbol.asyncDispose](): Promise<void>;
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
  requireNetworkRuntime("createNetwork");
  const net = await createThreadsNetwork(options);
  const mine: ScifNode[] = [];
  const hotplug = checkedControl({
    nodes: net.nodes,
    nodeDown: (id) => takeNodeDown(net.shared, id),
    nodeUp: (id) => bringNodeUp(net.shared, id),
    nodeState: (id) => nodeState(net.shared, id),
  });
  const close = async (): Promise<void> => {
    await Promise.all(mine.splice(0).map((n) => n.close()));
  };
  return {
    nodes: net.nodes,
    async node(nodeId: number): Promise<ScifNode> {
      const node = new ScifNode(await EmuNode.attach(net.shared, nodeIdOf(nodeId, "nodeId")));
      mine.push(node);
      return node;
    },
    handle(nodeId: number): NetworkHandle {
      return net.handle(nodeIdOf(nodeId, "nodeId"));
    },
    // Hot-plug (node_control.ts): a node taken down, brought up again.
    nodeDown: hotplug.nodeDown,
    nodeUp: hotplug.nodeUp,
    nodeState: hotplug.nodeState,
    memoryInUse(): number {
      return net.shared.heap.usedPages() * 4096;
    },
    faults: net.faults,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Attaches the node a {@linkcode NetworkHandle} names, in the calling thread (typically a
 * Worker that received the handle by postMessage).
 *
 * @example
 * ```ts
 * /// <reference lib="deno.worker" />
 * // card.ts, run as a Worker (the same code in a browser's Worker, with lib "webworker")
 * import { attachNode, type NetworkHandle } from "./network.ts";
 * self.onmessage = async (e: MessageEvent<NetworkHandle>) => {
 *   const node = await attachNode(e.data);
 *   console.log("card", node.nodeId, node.getNodeIds());
 * };
 * ```
 */
export async function attachNode(handle: NetworkHandle): Promise<ScifNode> {
  requireNetworkRuntime("attachNode");
  return new ScifNode(await attachHandle(handle));
}
