/**
 * scif: the Symmetric Communication Interface (SCIF) for Deno and the browser.
 *
 * Endpoints on numbered nodes, connections, byte-stream messaging, node enumeration and
 * poll, on the Linux SCIF driver's semantics, over an emulated network of threads when
 * there is no SCIF hardware.
 *
 * @example
 * ```ts
 * import { openNode } from "./mod.ts";
 * const node = await openNode();
 * const listener = node.open();
 * listener.bind(2000);
 * listener.listen(16);
 * const client = node.open();
 * const [{ endpoint }] = await Promise.all([listener.accept(), client.connect({ node: node.nodeId, port: 2000 })]);
 * await client.send(new TextEncoder().encode("ping"));
 * const buf = new Uint8Array(4);
 * await endpoint.recv(buf);
 * console.log(new TextDecoder().decode(buf)); // ping
 * await node.close();
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export { ERRNO, type ErrnoName, ScifError } from "./errors.ts";
export type { Offset, PortId } from "./types.ts";
export {
  type Accepted,
  type AcceptOptions,
  Endpoint,
  type RegisterOptions,
  type SignalOptions,
  type TransferOptions,
} from "./endpoint.ts";
export {
  type EndpointCounters,
  type EndpointStats,
  NodeEvent,
  type NodeStats,
  type PollEntry,
  ScifNode,
  type ScifNodeEventMap,
  type SlotStats,
} from "./node.ts";
export { openNode, type OpenNodeOptions } from "./open_node.ts";
export { type MachineNetwork, machineNetwork, type NodeControl, type NodeState } from "./node_control.ts";
export {
  attachNode,
  createNetwork,
  type FaultControl,
  type FaultPlan,
  type Network,
  type NetworkHandle,
  type NetworkOptions,
} from "./network.ts";
