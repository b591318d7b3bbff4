// The statistics of nodes and endpoints (ScifNode.stats), as the kernel's debugfs listed
// endpoints and windows, and more: what each endpoint moved, each way, and how long it waited.
//
// Invariant: an endpoint's counters are a plain object that only the thread that has the
// endpoint writes (its backend's calls), so counting costs an add on a field of an object the
// writer owns, no atomic and no shared memory; another thread or program never reads them
// (a node's stats() is asked of the thread that has it). What other programs can see of an
// emulated network is in its slot table: per-program sums each program publishes from time to
// time, off its calls' path (emu/_node_stats.ts).

/** What one endpoint did. Every count is since the endpoint was opened. */
export class EndpointCounters {
  /** Bytes `send` moved into the ring (scif_send's return values, summed). */
  bytesSent = 0;
  /** Bytes `recv` and `recvSome` took from the ring (scif_recv's return values, summed). */
  bytesReceived = 0;
  /** `send` calls that moved at least one byte (SCIF's stream has no message boundaries: a
   * message here is one call). */
  messagesSent = 0;
  /** `recv` and `recvSome` calls that took at least one byte. */
  messagesReceived = 0;
  /** scif_readfrom and scif_vreadfrom calls that completed (queued, or done with SYNC). */
  rmaReads = 0;
  /** Bytes of those reads. */
  rmaReadBytes = 0;
  /** scif_writeto and scif_vwriteto calls that completed. */
  rmaWrites = 0;
  /** Bytes of those writes. */
  rmaWriteBytes = 0;
  /** scif_fence_mark calls that returned a mark. */
  fenceMarks = 0;
  /** scif_fence_wait calls that saw their mark reached. */
  fenceWaits = 0;
  /** scif_fence_signal calls that completed. */
  fenceSignals = 0;
  /** scif_register calls that made a window. */
  windowsRegistered = 0;
  /** scif_unregister calls that removed windows. */
  windowsUnregistered = 0;
  /** Times a blocking send or recv that had to wait was woken (by the peer, or to look again). */
  wakeups = 0;
  /** Milliseconds blocking sends and recvs spent waiting for the peer. */
  blockedMs = 0;
}

/** The names of EndpointCounters' fields, in the order a table shows them. */
export const COUNTER_NAMES = Object.keys(new EndpointCounters()) as (keyof EndpointCounters)[];

/** Counts an RMA read (or, `write`, a write) of `length` bytes that completed: the same rule
 * on every backend. */
export function countRma(c: EndpointCounters, write: boolean, length: number): void {
  if (write) {
    c.rmaWrites++;
    c.rmaWriteBytes += length;
  } else {
    c.rmaReads++;
    c.rmaReadBytes += length;
  }
}

/** Adds `from`'s counts to `into`. */
export function addCounters(into: EndpointCounters, from: EndpointCounters): EndpointCounters {
  for (const k of COUNTER_NAMES) into[k] += from[k];
  return into;
}

/** One endpoint's statistics: where it is, and its counters (see EndpointCounters). */
export interface EndpointStats extends EndpointCounters {
  /** The local port once bound (scif_port_id), else null. */
  port: number | null;
  /** The peer's port id once connected, else null. */
  peer: { node: number; port: number } | null;
  /** The endpoint's state as the kernel's debugfs named it: "UNBOUND", "BOUND", "LISTENING",
   * "CONNECTING", "ACCEPTING" (accepted, not yet handed to the caller), "CONNECTED",
   * "DISCONNECTED" (the peer closed), "CLOSING", "CLOSED". On hardware, what this library knows
   * of it: "UNBOUND", "BOUND", "CONNECTED" or "CLOSED" (the driver keeps the real one). */
  state: string;
}

/** One program attached to a node of the machine's network (a slot of its slot table). */
export interface SlotStats {
  /** The slot's index in the network's slot table. */
  slot: number;
  /** The node it attached. */
  node: number;
  /** The operating system's process id of the program (0 when unknown). */
  pid: number;
  /** Whether it is this program's own slot. */
  self: boolean;
  /** The program's endpoints open on the node, as it last published them. */
  endpoints: number;
  /** Sums of its endpoints' counters (see EndpointCounters), as it last published them: at
   * most a fraction of a second old while it has endpoints (its dispatcher publishes them),
   * current for the calling program. */
  bytesSent: number;
  /** Bytes its endpoints received (as EndpointCounters.bytesReceived, summed). */
  bytesReceived: number;
  /** Its `send` calls that moved bytes. */
  messagesSent: number;
  /** Its `recv` and `recvSome` calls that took bytes. */
  messagesReceived: number;
  /** Bytes its RMAs read and wrote. */
  rmaBytes: number;
  /** Malformed control messages it received and dropped. */
  droppedMessages: number;
}

/** Counters of a node (ScifNode.stats). */
export interface NodeStats {
  /** The node's id. */
  node: number;
  /** Control messages from other nodes that were malformed (a field out of range, a source
   * that is not the sender, an endpoint or memory the sender has no part in) and dropped. */
  droppedMessages: number;
  /** The sums of the counters of every endpoint this program opened on the node, closed ones
   * included. */
  totals: EndpointCounters;
  /** This program's endpoints of the node that are open now, in the order they were opened. */
  endpoints: EndpointStats[];
  /** On an emulated network: every program attached to a node of it now (its slot table,
   * whoever wrote it, each value checked). Empty on hardware, whose driver keeps no counters
   * this library can read. */
  slots: SlotStats[];
}

/** The statistics of one endpoint from its counters and place. */
export function endpointStats(
  counters: EndpointCounters,
  port: number | null,
  peer: { node: number; port: number } | null,
  state: string,
): EndpointStats {
  return { port, peer: peer && { node: peer.node, port: peer.port }, state, ...counters };
}
