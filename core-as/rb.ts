// scif_rb: the single-producer single-consumer byte ring of a SCIF queue pair.
//
// One ring has two views, one per side, each a descriptor in that side's own memory
// (`RB_DESC_BYTES`, laid out below). The ring's data lives in the reader's memory. Two
// pointer cells carry the offsets across:
//   - the write-pointer cell lives in the READER's memory; only the writer stores to it;
//   - the read-pointer cell lives in the WRITER's memory; only the reader stores to it.
// So each side loads only cells of its own memory, and only stores cross to the other side,
// as on a PCIe link where remote reads are slow and posted writes are cheap.
//
// Offsets run in [0, size) and size is a power of two. One byte always stays free, so that
// read == write means empty and never full (the kernel's rule): space = read - write - 1.
//
// Memory ordering: a writer stores the data, then publishes the write offset with a
// sequentially consistent atomic store; a reader loads the write offset atomically before
// it touches data. Symmetrically the reader finishes its data loads before publishing the
// read offset, and the writer loads that offset before overwriting freed bytes. WebAssembly
// and JavaScript atomics are sequentially consistent, which gives both the release and the
// acquire the kernel gets from its explicit barriers.
//
// Wake-up cells (the idle path, not the hot path): a side about to sleep stores 1 into its
// "waiting" cell, which lives in the OTHER side's memory; after publishing, the other side
// loads that cell from its own memory and, if set, notifies. Store-then-load on both sides,
// sequentially consistent, means a wake-up cannot be missed (see the JS waiter).

// Descriptor fields (byte offsets inside a descriptor).
export const RB_BASE: u32 = 0; // u32: address of the ring's data
export const RB_SIZE: u32 = 4; // u32: bytes, a power of two
export const RB_READ_CELL: u32 = 8; // u32: address of the read-pointer cell
export const RB_WRITE_CELL: u32 = 12; // u32: address of the write-pointer cell
export const RB_CUR_READ: u32 = 16; // u32: reader's private offset (reader view only)
export const RB_CUR_WRITE: u32 = 20; // u32: writer's private offset (writer view only)
export const RB_WAIT_OWN: u32 = 24; // u32: the cell this side sets before it sleeps (in the peer's memory)
export const RB_WAIT_PEER: u32 = 28; // u32: the cell the peer sets before it sleeps (in this side's memory)
export const RB_SEEN_READ: u32 = 32; // u32: writer view: its last load of the read cell; reader view: the read offset last published there
// Fields 40..63 belong to the framed stream of an endpoint queue pair (stream.ts).
export const RB_DESC_BYTES: u32 = 64;

@inline export function rb_mask(d: u32): u32 {
  return load<u32>(d + RB_SIZE) - 1;
}

/** Initialises one side's view. The offsets start from the cells' current values. */
export function rb_init(
  d: u32,
  base: u32,
  size: u32,
  readCell: u32,
  writeCell: u32,
  waitOwn: u32,
  waitPeer: u32,
): void {
  store<u32>(d + RB_BASE, base);
  store<u32>(d + RB_SIZE, size);
  store<u32>(d + RB_READ_CELL, readCell);
  store<u32>(d + RB_WRITE_CELL, writeCell);
  store<u32>(d + RB_CUR_READ, atomic.load<u32>(readCell));
  store<u32>(d + RB_CUR_WRITE, atomic.load<u32>(writeCell));
  store<u32>(d + RB_WAIT_OWN, waitOwn);
  store<u32>(d + RB_WAIT_PEER, waitPeer);
  store<u32>(d + RB_SEEN_READ, load<u32>(d + RB_CUR_READ));
}

/** Reader: moves the view's cells that live in the peer's memory (the read-pointer cell and
 * its own waiting cell) to new addresses, keeping its offsets: used once the peer is gone, so
 * that draining the ring stores nothing into memory the peer no longer owns. The new read
 * cell is set to the current read offset first. */
export function rb_retarget(d: u32, readCell: u32, waitOwn: u32): void {
  atomic.store<u32>(readCell, load<u32>(d + RB_CUR_READ));
  store<u32>(d + RB_SEEN_READ, load<u32>(d + RB_CUR_READ));
  store<u32>(d + RB_READ_CELL, readCell);
  store<u32>(d + RB_WAIT_OWN, waitOwn);
}

/** Writer: bytes that may be written now (reads the read cell in the writer's own memory). */
export function rb_space(d: u32): u32 {
  const read = atomic.load<u32>(load<u32>(d + RB_READ_CELL));
  store<u32>(d + RB_SEEN_READ, read);
  return (read - load<u32>(d + RB_CUR_WRITE) - 1) & rb_mask(d);
}

/** Writer: the private write offset, where the next byte goes. */
export function rb_write_offset(d: u32): u32 {
  return load<u32>(d + RB_CUR_WRITE);
}

/** Writer: account for `len` bytes the caller copied into ring space itself. Not yet visible. */
export function rb_produced(d: u32, len: u32): void {
  store<u32>(d + RB_CUR_WRITE, (load<u32>(d + RB_CUR_WRITE) + len) & rb_mask(d));
}

/** Writer: copy `len` bytes from linear memory into the ring without publishing them.
 * Returns 0, or -1 (nothing written) when the ring has less space than `len`. */
export function rb_write(d: u32, src: u32, len: u32): i32 {
  if (rb_space(d) < len) return -1;
  const base = load<u32>(d + RB_BASE);
  const off = load<u32>(d + RB_CUR_WRITE);
  const first = min<u32>(len, load<u32>(d + RB_SIZE) - off);
  memory.copy(base + off, src, first);
  if (first < len) memory.copy(base, src + first, len - first);
  rb_produced(d, len);
  return 0;
}

/** Writer: publish everything written so far. Returns 1 when the reader said it is going to
 * sleep (its waiting cell, in our memory, is set): the caller must then notify it. */
export function rb_commit(d: u32): i32 {
  atomic.store<u32>(load<u32>(d + RB_WRITE_CELL), load<u32>(d + RB_CUR_WRITE));
  return atomic.load<i32>(load<u32>(d + RB_WAIT_PEER)) != 0 ? 1 : 0;
}

/** Reader: bytes available (reads the write cell in the reader's own memory). */
export function rb_count(d: u32): u32 {
  const write = atomic.load<u32>(load<u32>(d + RB_WRITE_CELL));
  return (write - load<u32>(d + RB_CUR_READ)) & rb_mask(d);
}

/** Reader: the private read offset, where the next unread byte is. */
export function rb_read_offset(d: u32): u32 {
  return load<u32>(d + RB_CUR_READ);
}

/** Reader: account for `len` bytes the caller copied out of the ring itself. */
export function rb_consumed(d: u32, len: u32): void {
  store<u32>(d + RB_CUR_READ, (load<u32>(d + RB_CUR_READ) + len) & rb_mask(d));
}

/** Reader: copy the next `len` bytes into linear memory and advance the private read offset
 * (the writer cannot reuse them until rb_update_read_ptr). -1 when fewer are available. */
export function rb_get_next(d: u32, dst: u32, len: u32): i32 {
  if (rb_count(d) < len) return -1;
  const base = load<u32>(d + RB_BASE);
  const off = load<u32>(d + RB_CUR_READ);
  const first = min<u32>(len, load<u32>(d + RB_SIZE) - off);
  memory.copy(dst, base + off, first);
  if (first < len) memory.copy(dst + first, base, len - first);
  rb_consumed(d, len);
  return 0;
}

/** Reader: publish consumption. Returns 1 when the writer said it is waiting for space. */
export function rb_update_read_ptr(d: u32): i32 {
  store<u32>(d + RB_SEEN_READ, load<u32>(d + RB_CUR_READ));
  atomic.store<u32>(load<u32>(d + RB_READ_CELL), load<u32>(d + RB_CUR_READ));
  return atomic.load<i32>(load<u32>(d + RB_WAIT_PEER)) != 0 ? 1 : 0;
}

/** Either side: announce (1) or withdraw (0) that this side is about to sleep. The caller
 * must re-check count/space after announcing and before sleeping. */
export function rb_set_waiting(d: u32, waiting: i32): void {
  atomic.store<i32>(load<u32>(d + RB_WAIT_OWN), waiting);
}
