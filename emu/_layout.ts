// The layout of an emulated SCIF network in its one shared memory (a WebAssembly memory; on a
// machine network, the pages of a file that every process maps under its own memory).
//
//   [0, NET_BASE)            reserved for the WebAssembly core (it has no static data today)
//   header                   network parameters and locks, one line
//   node table               one line per SCIF node id: state, incarnation, mode
//   slot table               one line per attachment slot (a thread that attached a node):
//                            state, node, incarnation, doorbell, DMA counters, holder
//   release matrix           slots x slots i32: release[j][k] = newest incarnation of slot k
//                            that slot j holds no reference to any more
//   slot queue pairs         slots x slots rings of control messages, fixed at creation
//   port tables              one i32 per port per node: which slot holds it, how many times
//   page table               one i32 per heap page (see _heap.ts)
//   reference table          one i32 per heap page: reference counts of runs
//   heap                     4 KiB pages: endpoint queue pairs, DMA queues, allocate()d memory
//
// A node is a SCIF node id; a slot is one attachment of a node by one thread, with its own
// endpoints, dispatcher and DMA engine. On a network of threads (createNetwork) each node has
// at most one slot; on a machine's network several programs attach the same node, each in a
// slot of its own, as every program on a SCIF host is on node 0.
//
// Every field lives at an address all threads compute the same way from the header, so a
// Worker or another process needs only the memory (and the module) to join.

export const NET_BASE = 65536;
export const NET_MAGIC = 0x46494353; // "SCIF"
export const NET_VERSION = 7; // 6: fault plan (header), statistics and DMA fault (slot lines), NODE_DOWN; 7: partitions
export const LINE = 128; // two cache lines: keeps the adjacent-line prefetcher out of the way
export const PAGE = 4096;
export const MAX_NODES = 64;
export const MAX_SLOTS = 64;
export const PORTS = 65536;

// Header fields (byte offsets from NET_BASE).
export const H_MAGIC = 0; // written last: a memory with the magic is complete
export const H_VERSION = 4;
export const H_NODES = 8;
export const H_RING_BYTES = 12;
export const H_CONNECT_TIMEOUT_MS = 16;
export const H_HEAP_LOCK = 20; // holder's slot + 1 (see _heap.ts)
export const H_HEAP_HINT = 24;
export const H_PRIVILEGED = 28;
export const H_SPIN = 32;
export const H_SLOTS = 36;
export const H_NET_ID = 40; // four i32 of randomness: names the network's Web Locks
export const H_KIND = 56; // NET_THREADS or NET_MACHINE
export const H_PAGES = 60; // the memory's size in 64 KiB pages
export const H_FENCE_TIMEOUT_MS = 64;
// Fault injection (emu/_faults.ts): all zero when no fault plan is set. H_FAULTS is written
// last by a change of plan and read first, so a reader that sees a kind enabled sees its fields.
export const H_FAULTS = 68; // FAULT_* bits of the kinds enabled (0: off)
export const H_FAULT_SEED = 72;
export const H_DMA_FAIL = 76; // probability a DMA transfer fails, in units of 2^-30
export const H_DMA_STALL = 80; // probability a DMA transfer stalls first, in units of 2^-30
export const H_DMA_STALL_MS = 84;
export const H_SILENT_LO = 88; // nodes 0..31 that drop the control messages they receive
export const H_SILENT_HI = 92; // nodes 32..63
export const H_DELAY_MS = 96; // a send from a delayed node waits this long, plus jitter, first
export const H_JITTER_MS = 100; // up to this many milliseconds more, drawn per send
export const H_DELAY_LO = 104; // nodes 0..31 whose sends are delayed
export const H_DELAY_HI = 108; // nodes 32..63
export const H_PARTITION_LO = 112; // other machines' nodes 0..31 whose links are cut (emu/bus/tcp.ts)
export const H_PARTITION_HI = 116; // nodes 32..63

/** A network of threads of one program (createNetwork): a node is one thread's attachment. */
export const NET_THREADS = 1;
/** A machine's network (joinMachine): nodes are machines, programs attach them. */
export const NET_MACHINE = 2;

// Node table fields (byte offsets inside a node's line).
export const N_STATE = 0;
export const N_EPOCH = 4; // incarnation: bumped each time the node comes online
export const N_SLOT = 8; // the slot (+ 1) that has the node: its one thread, or its stand-in
export const N_MODE = 12; // NODE_MODE_*

/** Node states. */
export const NODE_OFFLINE = 0;
export const NODE_ATTACHING = 1;
export const NODE_ONLINE = 2;
export const NODE_LOST = 3;
/** Taken down (hot-plug, emu/_hotplug.ts): its slots end, nobody attaches it until it is brought up. */
export const NODE_DOWN = 4;

/** Node modes. */
export const MODE_THREAD = 0; // online while its one slot is attached (createNetwork)
export const MODE_LOCAL = 1; // a node of this machine: online whether or not a program has it
export const MODE_REMOTE = 2; // a node of another machine: online while its stand-in slot is

// Slot table fields (byte offsets inside a slot's line).
export const S_STATE = 0;
export const S_NODE = 4;
export const S_EPOCH = 8; // incarnation: bumped by every claim
export const S_DOORBELL = 12; // bumped and notified when the slot has mail or must look again
export const S_EVENT = 16; // bumped and notified (by the slot's own thread) on local state changes
export const S_DMA_SUBMITTED = 20; // transfers queued to the slot's DMA engine so far (mod 2^31)
export const S_DMA_COMPLETED = 24; // transfers the engine has finished (mod 2^31); notified
export const S_PID = 28; // the process that holds the slot (machine networks; 0 otherwise)
export const S_WATCHABLE = 32; // 1 when the slot's thread holds its Web Lock (see bus/threads.ts)
export const S_HOLDER = 36; // RECLAIMING: the reclaimer's slot + 1
export const S_DROPPED = 40; // malformed control messages the slot received and dropped
export const S_FD = 44; // machine networks: the descriptor that holds the slot's liveness lock
export const S_STANDIN = 48; // 1 when the slot stands in for a node of another machine
export const S_SLEEPING = 52; // 1 while the slot's dispatcher sleeps (posters ring it then)
export const S_DMA_WAITERS = 56; // calls of the slot's thread waiting for its DMA engine (it rings then)
export const S_WAKES = 60; // bumped (before a ring) by another thread that wakes calls of the slot's thread
// Statistics (emu/_node_stats.ts), written only by the slot's thread, from time to time (never
// on a call's path), read by any program (`scif stats`): the sums of its endpoints' counters.
export const S_STAT_ENDPOINTS = 64; // i32: its endpoints open
export const S_STAT_BYTES_SENT = 72; // i64 (Atomics on a BigInt64Array: read whole, never torn)
export const S_STAT_BYTES_RECEIVED = 80; // i64
export const S_STAT_MESSAGES_SENT = 88; // i64
export const S_STAT_MESSAGES_RECEIVED = 96; // i64
export const S_STAT_RMA_BYTES = 104; // i64: bytes read and written by RMA
export const S_DMA_FAILED = 124; // faults: 1 + seq of a failed transfer no fence has reported (0: none)

/** Slot states. */
export const SLOT_FREE = 0;
export const SLOT_ATTACHING = 1;
export const SLOT_ACTIVE = 2;
export const SLOT_DEAD = 3; // its incarnation ended; the others are letting go of it
export const SLOT_RECLAIMING = 4; // someone (S_HOLDER) is freeing what it left

// A queue pair block, slot or endpoint. Each cell has a line of its own; which side's
// "memory" a cell belongs to is what matters for the scif_rb rule (see core-as/rb.ts):
//   reader's memory: the write cell, the writer-waiting cell, the reader's descriptor, the data
//   writer's memory: the read cell, the reader-waiting cell, the writer's descriptor
// An endpoint qp block holds its endpoint's receive ring (reader's memory) and the cells of
// its send direction that belong to the writer, so both endpoints own one block each.
export const QP_WRITE_CELL = 0;
export const QP_WRITER_WAITING = LINE;
export const QP_READ_CELL = 2 * LINE;
export const QP_READER_WAITING = 3 * LINE;
export const QP_RX_DESC = 4 * LINE;
export const QP_TX_DESC = 4 * LINE + 64;
export const QP_LOCAL_READ_CELL = 5 * LINE; // stands in for the peer's cells once it is gone
export const QP_LOCAL_WAITING = 6 * LINE;
export const QP_KEY = 7 * LINE; // u64: the key of the block's receive ring (core-as/stream.ts)
export const QP_DATA = 8 * LINE;

export const SLOTQP_RING_BYTES = 8192; // 127 control messages of 64 bytes
const SLOTQP_BLOCK = QP_DATA + SLOTQP_RING_BYTES;

/** Computed addresses of one network. */
export interface Layout {
  readonly nodes: number;
  readonly slots: number;
  readonly memoryBytes: number;
  readonly ringBytes: number;
  readonly header: number;
  readonly nodeTable: number;
  readonly slotTable: number;
  readonly release: number;
  readonly slotQps: number;
  readonly portTables: number;
  readonly pageTable: number;
  readonly refTable: number;
  readonly heap: number;
  readonly heapPages: number;
}

/** Computes the layout for `nodes` and `slots` in `memoryBytes`; null when it does not fit. */
export function computeLayout(
  nodes: number,
  slots: number,
  memoryBytes: number,
  ringBytes: number,
): Layout | null {
  const header = NET_BASE;
  const nodeTable = header + LINE;
  const slotTable = nodeTable + nodes * LINE;
  const release = slotTable + slots * LINE;
  const slotQps = align(release + slots * slots * 4, PAGE);
  const portTables = slotQps + slots * slots * SLOTQP_BLOCK;
  const afterPorts = portTables + nodes * PORTS * 4;
  // The page and reference tables need 8 bytes per heap page: solve for the page count.
  const rest = memoryBytes - afterPorts;
  if (rest <= 2 * PAGE) return null;
  let heapPages = Math.floor((rest - PAGE) / (PAGE + 8));
  const pageTable = afterPorts;
  const place = () => align(pageTable + heapPages * 8, PAGE);
  let heap = place();
  while (heap + heapPages * PAGE > memoryBytes) {
    heapPages--;
    heap = place();
  }
  if (heapPages < 1) return null;
  const refTable = pageTable + heapPages * 4;
  return {
    nodes,
    slots,
    memoryBytes,
    ringBytes,
    header,
    nodeTable,
    slotTable,
    release,
    slotQps,
    portTables,
    pageTable,
    refTable,
    heap,
    heapPages,
  };
}

/** The block of the slot queue pair whose reader is slot `reader` and writer slot `writer`. */
export function slotQp(l: Layout, reader: number, writer: number): number {
  return l.slotQps + (reader * l.slots + writer) * SLOTQP_BLOCK;
}

/** The address of field `field` of node `node`'s line in the node table. */
export function nodeField(l: Layout, node: number, field: number): number {
  return l.nodeTable + node * LINE + field;
}

/** The address of field `field` of slot `slot`'s line in the slot table. */
export function slotField(l: Layout, slot: number, field: number): number {
  return l.slotTable + slot * LINE + field;
}

/** The address of release[j][k]: the newest incarnation of slot k that slot j no longer references. */
export function releaseCell(l: Layout, j: number, k: number): number {
  return l.release + (j * l.slots + k) * 4;
}

/** The address of port `port`'s cell in node `node`'s port table. */
export function portCell(l: Layout, node: number, port: number): number {
  return l.portTables + (node * PORTS + port) * 4;
}

/** Rounds `n` up to a multiple of `a` (a power of two). */
export function align(n: number, a: number): number {
  return (n + a - 1) & ~(a - 1);
}
