// The types RMA's parts share (emu/_rma.ts, _rma_far.ts, _fences.ts): the windows each side
// keeps, and what RMA needs of its endpoint and slot.

import type { PortId } from "../types.ts";
import type { Window } from "../_window.ts";
import type { DmaEngine } from "./_dma.ts";
import type { Message, SCIF_UNREGISTER } from "./_messages.ts";
import type { EmuShared } from "./_shared.ts";

/** One of our windows. */
export interface LocalWindow extends Window {
  /** The head of the heap run its memory is in (one reference held). */
  readonly run: number;
}

/** One of the peer's windows, as we know it. */
export interface RemoteWindow extends Window {
  maps: number;
  unregistered: boolean;
}

/** What RMA needs of the slot its endpoint is on (emu/_node.ts). */
export interface RmaHost {
  readonly net: EmuShared;
  readonly slot: number;
  readonly epoch: number;
  readonly dma: DmaEngine;
  afterDma(fn: () => void): void;
  pumpFrom(slot: number): void;
  post(to: number, m: Message): void;
  postOrdered(to: number, m: Message): void;
  tryPost(to: number, m: Message): boolean;
  knownEpoch(slot: number): number;
  keepZombie(token: number, rma: { readonly empty: boolean }, peerSlot: number): void;
  mapped(slot: number, delta: number): void;
  unregisterAck(to: number, m: Extract<Message, { op: typeof SCIF_UNREGISTER }>): void;
  dropped(): void;
}

/** What the endpoint tells its RMA state about the connection. */
export interface RmaLink {
  readonly node: RmaHost;
  readonly token: number;
  readonly localId: PortId;
  readonly peerSlot: number;
  /** The peer's port id, endpoint token and slot while it can hear us, else null. */
  peer(): { id: PortId; token: number; slot: number } | null;
}
