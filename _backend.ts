// The interface between the public API (mod.ts: ScifNode, Endpoint) and a transport
// backend (emu/: the emulated network; ffi/: /dev/scif). The public layer validates
// arguments and owns the objects users see; a backend implements SCIF's semantics and
// reports failures as ScifError with the kernel's errno.

import type { PortId } from "./types.ts";
import type { Off } from "./_offset.ts";
import type { NodeStats } from "./_stats.ts";

/** One SCIF endpoint as a backend implements it. */
export interface EndpointBackend {
  readonly localId: PortId | null;
  readonly peerId: PortId | null;
  /** True once close() ran: every further call fails with EBADF, poll says POLLNVAL. */
  readonly closed: boolean;
  bind(port: number): number;
  listen(backlog: number): void;
  /** `signal`: only that its caller stopped waiting (the request goes on, as POSIX's connect
   * after EINTR); the public layer answers EINTR. */
  connect(dst: PortId, signal?: AbortSignal): Promise<PortId>;
  /** `signal` ends only the wait for a request (EINTR); a request taken is accepted. */
  accept(block: boolean, signal?: AbortSignal): Promise<EndpointBackend>;
  /** A blocking send or recv that `signal` aborts resolves with the count moved so far, or
   * rejects with EINTR when none moved; what it did not move stays where it was. */
  send(data: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number>;
  recv(into: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number>;
  /** Waits for at least one byte and takes what is there, up to into.length; 0 once the peer
   * closed and everything it sent was taken; EINTR when `signal` aborts before a byte came. */
  recvSome(into: Uint8Array, signal?: AbortSignal): Promise<number>;
  /** Offsets are exact (_offset.ts): what the caller passed, and the window's offset as the
   * backend chose it, which may be beyond 2^53 (the kernel chooses them near 2^63). */
  register(memory: Uint8Array, offset: Off | undefined, prot: number, fixed: boolean): Off;
  unregister(offset: Off, length: number): void;
  readFrom(localOffset: Off, length: number, remoteOffset: Off, flags: number): Promise<void>;
  writeTo(localOffset: Off, length: number, remoteOffset: Off, flags: number): Promise<void>;
  vreadFrom(into: Uint8Array, remoteOffset: Off, flags: number): Promise<void>;
  vwriteTo(from: Uint8Array, remoteOffset: Off, flags: number): Promise<void>;
  fenceMark(flags: number): Promise<number>;
  /** EINTR when `signal` aborts before the mark is reached. */
  fenceWait(mark: number, signal?: AbortSignal): Promise<void>;
  fenceSignal(
    localOffset: Off,
    localValue: bigint,
    remoteOffset: Off,
    remoteValue: bigint,
    flags: number,
  ): Promise<void>;
  mmap(remoteOffset: Off, length: number, prot: number): Uint8Array;
  munmap(view: Uint8Array): void;
  close(): void;
}

/** Counters of a node (defined in _stats.ts, with the endpoints' counters). */
export type { NodeStats } from "./_stats.ts";

/** One SCIF node as a backend implements it. */
export interface NodeBackend {
  readonly nodeId: number;
  readonly kind: "hw" | "emu";
  /** Where the node's network is: SCIF hardware, this program's threads, or the machine's
   * emulated network shared by its programs. */
  readonly network: "hardware" | "threads" | "machine";
  openEndpoint(): EndpointBackend;
  getNodeIds(): { nodes: number[]; self: number };
  /** Waits until an event of `entries` holds or `timeoutMs` passes (-1: forever).
   * Returns the revents per entry. */
  poll(
    entries: { endpoint: EndpointBackend; events: number }[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<number[]>;
  /** Calls `onChange` whenever the set of online nodes may have changed (it compares), with
   * the nodes that were lost and came back since the last call (a new incarnation, where the
   * backend can tell), until the returned function is called or the node closes. */
  watchNodes(onChange: (replaced: number[]) => void): () => void;
  allocate(length: number): Uint8Array;
  /** Counters of the node (see ScifNode.stats). */
  stats(): NodeStats;
  free(memory: Uint8Array): void;
  close(): Promise<void>;
}
