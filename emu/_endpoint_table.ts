// A node's table of its endpoints (emu/_node.ts): the open ones by token, the listening ones by
// port, and the RMA state of closed ones that the peer may still send window messages about
// (zombies), as the kernel's scif_info.{connected,listen,zombie} lists.
//
// Invariant: endpoint tokens are never reused within an incarnation, and every message that
// names an endpoint carries its token, so a message for an endpoint that is gone matches nothing.

import type { PortId } from "../types.ts";
import type { EndpointRma } from "./_rma.ts";

/** What the table needs of an endpoint. */
export interface TableEndpoint {
  readonly token: number;
  readonly localId: PortId | null;
  readonly rmaState: EndpointRma | null;
  /** Slot k's incarnation ended (`nodeLost`: with its node). */
  slotGone(k: number, nodeLost: boolean): void;
  /** Our own node was taken down: everything the endpoint had is lost. */
  nodeDown(): void;
}

/** The endpoints of one node, open and closed. */
export class EndpointTable<E extends TableEndpoint> {
  readonly #endpoints = new Map<number, E>(); // token -> endpoint
  readonly #listeners = new Map<number, E>(); // port -> listening endpoint
  // RMA state of closed endpoints that the peer may still send window messages about.
  readonly #zombies = new Map<number, { rma: EndpointRma; peerSlot: number }>();
  #nextToken = 1;

  /** A token no endpoint of this incarnation had. */
  nextToken(): number {
    return this.#nextToken++;
  }

  add(ep: E): void {
    this.#endpoints.set(ep.token, ep);
  }

  /** How many endpoints are open. */
  get size(): number {
    return this.#endpoints.size;
  }

  /** How many closed endpoints' RMA state is kept. */
  get zombies(): number {
    return this.#zombies.size;
  }

  /** The open endpoints. */
  values(): IterableIterator<E> {
    return this.#endpoints.values();
  }

  endpoint(token: number): E | undefined {
    return this.#endpoints.get(token);
  }

  listener(port: number): E | undefined {
    return this.#listeners.get(port);
  }

  addListener(ep: E): void {
    this.#listeners.set(ep.localId!.port, ep);
  }

  /** Forgets an endpoint that was destroyed. */
  forget(ep: E): void {
    this.#endpoints.delete(ep.token);
    if (ep.localId && this.#listeners.get(ep.localId.port) === ep) this.#listeners.delete(ep.localId.port);
  }

  /** Keeps a closed endpoint's RMA state reachable by the peer's window messages until it is
   * empty (called again when it may have become so). */
  keepZombie(token: number, rma: EndpointRma, peerSlot: number): void {
    if (!rma.empty) this.#zombies.set(token, { rma, peerSlot });
    else this.#zombies.delete(token);
  }

  /** The RMA state of endpoint `token`, open or closed (a zombie). */
  rmaOf(token: number): EndpointRma | undefined {
    return this.#endpoints.get(token)?.rmaState ?? this.#zombies.get(token)?.rma ?? undefined;
  }

  /** A message about endpoint `token` was handled: a zombie it emptied goes. */
  handled(token: number): void {
    const z = this.#zombies.get(token);
    if (z?.rma.empty) this.#zombies.delete(token);
  }

  /** Slot k's incarnation ended: every endpoint hears it, and zombies whose peer it was let go. */
  slotGone(k: number, nodeLost: boolean): void {
    for (const ep of [...this.#endpoints.values()]) ep.slotGone(k, nodeLost);
    for (const [token, z] of this.#zombies) {
      if (z.peerSlot !== k) continue;
      z.rma.peerGone();
      if (z.rma.empty) this.#zombies.delete(token);
    }
  }

  /** Our own node was taken down (emu/_hotplug.ts): every endpoint is reset, every zombie let go. */
  nodeDown(): void {
    for (const ep of [...this.#endpoints.values()]) ep.nodeDown();
    for (const z of this.#zombies.values()) z.rma.peerGone();
    this.#zombies.clear();
  }
}
