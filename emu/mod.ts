/**
 * The emulated SCIF network: nodes are threads sharing one WebAssembly memory.
 *
 * @example
 * ```ts
 * import { createNetwork } from "./mod.ts";
 * const net = await createNetwork({ nodes: 2 });
 * const host = await net.node(0);
 * const worker = new Worker(new URL("./card.ts", import.meta.url), { type: "module" });
 * worker.postMessage(net.handle(1)); // the Worker: await attachNode(e.data)
 * console.log(host.getNodeIds());
 * ```
 *
 * @module
 */
export {
  attachNode,
  createNetwork,
  type FaultControl,
  type FaultPlan,
  type Network,
  type NetworkHandle,
  type NetworkOptions,
} from "../network.ts";
