// The layout of an emulated SCIF network in its one shared WebAssembly memory.
//
//   [0, NET_BASE)            reserved for the WebAssembly core (it has no static data today)
//   header                   network parameters and locks, one line
//   node table               one line per node: state, epoch, doorbell, event cell
//   release matrix           nodes x nodes i32: release[j][k] = newest incarnation of node k
//                            that node j holds no reference to any more
//   node queue pairs         nodes x nodes rings of control messages, fixed at creation
//   page table               one i32 per heap page (see _heap.ts)
//   reference table          one i32 per heap page: reference counts of runs
//   heap                     4 KiB pages: endpoint queue pairs, allocate()d memory
//
// Every field lives at an address all threads compute the same way from the header, so a
// Worker needs only the memory and the module to join.

export const NET_BASE = 65536;
export const NET_MAGIC = 0x46494353; // "SCIF"
export const NET_VERSION = 3;
export const LINE = 128; // two cache lines: keeps the adjacent-line prefetcher out of the way
export const PAGE = 4096;
export const MAX_NODES = 64;

// Header fields (byte offsets from NET_BASE).
export const H_MAGIC = 0;
export const H_VERSION = 4;
export const H_NODES = 8;
export const H_RING_BYTES = 12;
export const H_CONNECT_TIMEOUT_MS = 16;
export const H_HEAP_LOCK = 20;
export const H_HEAP_HINT = 24;
export const H_PRIVILEGED = 28;
export const H_SPIN = 32;
export const H_ATTACH_LOCK = 36;
export const H_NET_ID = 40; // four i32 of randomness: names the network's Web Locks

// Node table fields (byte offsets inside a node's line).
export const N_STATE = 0;
export const N_EPOCH = 4; // incarnation: bumped by every attach
export const N_DOORBELL = 8; // bumped and notified when the node has something to look at
export const N_EVENT = 12; // bumped and notified (by the node's own thread) on local state changes
export const N_WATCHABLE = 16; // 1 when the node holds its liveness lock (see _liveness.ts)
export const N_DMA_SUBMITTED = 20; // transfers queued to the node's DMA engine so far (mod 2^31)
export const N_DMA_COMPLETED = 24; // transfers the engine has finished (mod 2^31); notified
export const N_REMOTE = 28; // 1 while the node stands in for a node of another process (emu/_bridge.ts)

/** Node states in the node table. */
export const NODE_OFFLINE = 0;
export const NODE_ATTACHING = 1;
export const NODE_ONLINE = 2;
export const NODE_LOST = 3;

// A queue pair block, node or endpoint. Each cell has a line of its own; which side's
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

export const NODEQP_RING_BYTES = 8192; // 127 control messages of 64 bytes
const NODEQP_BLOCK = QP_DATA + NODEQP_RING_BYTES;

/** Computed addresses of one network. */
export interface Layout {
  readonly nodes: number;
  readonly memoryBytes: number;
  readonly ringBytes: number;
  readonly header: number;
  readonly nodeTable: number;
  readonly release: number;
  readonly nodeQps: number;
  readonly pageTable: number;
  readonly refTable: number;
  readonly heap: number;
  readonly heapPages: number;
}

/** Computes the layout for `nodes` in `memoryBytes`; null when it does not fit. */
export function computeLayout(nodes: number, memoryBytes: number, ringBytes: number): Layout | null {
  const header = NET_BASE;
  const nodeTable = header + LINE;
  const release = nodeTable + nodes * LINE;
  const nodeQps = align(release + nodes * nodes * 4, PAGE);
  const afterQps = nodeQps + nodes * nodes * NODEQP_BLOCK;
  // The page and reference tables need 8 bytes per heap page: solve for the page count.
  const rest = memoryBytes - afterQps;
  if (rest <= 2 * PAGE) return null;
  let heapPages = Math.floor((rest - PAGE) / (PAGE + 8));
  const pageTable = afterQps;
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
    memoryBytes,
    ringBytes,
    header,
    nodeTable,
    release,
    nodeQps,
    pageTable,
    refTable,
    heap,
    heapPages,
  };
}

/** The block of the node queue pair whose reader is `reader` and writer is `writer`. */
export function nodeQp(l: Layout, reader: number, writer: number): number {
  return l.nodeQps + (reader * l.nodes + writer) * NODEQP_BLOCK;
}

/** The address of field `field` of node `node`'s line in the node table. */
export function nodeField(l: Layout, node: number, field: number): number {
  return l.nodeTable + node * LINE + field;
}

/** The address of release[j][k]: the newest incarnation of node k that node j no longer references. */
export function releaseCell(l: Layout, j: number, k: number): number {
  return l.release + (j * l.nodes + k) * 4;
}

/** Rounds `n` up to a multiple of `a` (a power of two). */
export function align(n: number, a: number): number {
  return (n + a - 1) & ~(a - 1);
}
