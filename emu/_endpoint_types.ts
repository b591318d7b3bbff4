// The types an endpoint's parts share (emu/_endpoint.ts, _endpoint_close.ts, _endpoint_calls.ts): its states, and
// what it needs of its node.

import type { PortId } from "../types.ts";
import type { PortTable } from "./_ports.ts";
import type { RmaHost } from "./_rma_types.ts";

/** What an endpoint (of type E) needs of its node (emu/_node.ts). */
export interface EndpointHost<E = unknown> extends RmaHost {
  readonly nodeId: number;
  readonly ports: PortTable;
  acceptedEndpoint(listener: E): E;
  forget(ep: E): void;
  addListener(ep: E): void;
  /** ENODEV unless node `node` exists and is online. */
  checkReachable(node: number): void;
  nodeOnline(node: number): boolean;
  route(dst: PortId): { slot: number; epoch: number };
  standInHere(slot: number): boolean;
  validQp(addr: number, owner: number): boolean;
  /** Sleeps until a kick of this node (`keepProcess`: hold the process open meanwhile). */
  waitEvent(timeoutMs?: number, keepProcess?: boolean): Promise<void>;
  kick(): void;
  /** The cell the slot's waiters sleep on for any change. */
  readonly eventCell: number;
}

/** The kernel's endpoint states (SCIFEP_*), as far as user space can tell them apart. */
export type EpState =
  | "UNBOUND"
  | "BOUND"
  | "LISTENING"
  | "CONNECTING"
  | "ACCEPTING" // an accepted endpoint between CNCT_GNT and CNCT_GNTACK, not yet the user's
  | "CONNECTED"
  | "DISCONNECTED" // the peer closed or its slot ended
  | "CLOSING" // closed by the user, waiting for SCIF_DISCNT_ACK
  | "CLOSED";
