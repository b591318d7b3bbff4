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
export const RB_SEAL: u32 = 36; // u32: the seal over the view's constant fields (below)
export const RB_KEY: u32 = 40; // u64: the ring's key (the framed stream's, stream.ts; 0 for a plain ring)
// Fields 48..63 belong to the framed stream of an endpoint queue pair (stream.ts).
export const RB_DESC_BYTES: u32 = 64;

// The seal. A descriptor lives in the shared memory, where any node's thread can store: a
// buggy node scribbling over its own views must not turn them into addresses of other
// connections' rings (nor trap the module on a wild or misaligned cell). So every function
// here trusts the constant fields (base, size, cells, key) only when the seal word still
// matches them and the descriptor's own address: a view stored over, or copied from another
// address, fails it (the odds of random bytes passing are 2^-32), and the function does
// nothing and says so (RB_BROKEN, or -1, or 0 where the caller cannot tell, noted on each).
// The fields were checked by the caller of rb_init (JS), which the seal extends to every
// later call. The moving offsets are not sealed (they change on every message): they are
// masked to the ring on every load instead, so a garbage one is a wrong position in our own
// ring, never an address outside it. The seal is against bugs, not against a node that means
// harm (which can store into any memory it maps anyway): it has no secret.

/** What a function returning a count gives for a view whose seal is broken. */
export const RB_BROKEN: u32 = 0xffffffff;

@inline function seal_of(d: u32): u32 {
  // Four 8-byte loads (base and size, the two pointer cells, the two waiting cells, the key)
  // folded with rotations by distinct amounts: a change of any one field always changes the
  // seal, and the work is a few cycles on the hot path (multiplies cost a measurable part of
  // a small message). The address makes a copy of another view fail.
  let h: u64 = <u64>d * 0x9e3779b97f4a7c15;
  h ^= load<u64>(d + RB_BASE);
  h ^= rotl<u64>(load<u64>(d + RB_READ_CELL), 17);
  h ^= rotl<u64>(load<u64>(d + RB_WAIT_OWN), 31);
  h ^= rotl<u64>(load<u64>(d + RB_KEY), 47);
  return <u32>(h ^ (h >> 32)) ^ 0x5bd1e995;
}

/** Whether the view's constant fields are the ones rb_init (or st_init) sealed (1 or 0). */
@inline export function rb_sealed(d: u32): bool {
  return load<u32>(d + RB_SEAL) == seal_of(d);
}

/** Seals the view's constant fields as they are now (callers: the init functions). */
export function rb_seal(d: u32): void {
  store<u32>(d + RB_SEAL, seal_of(d));
}

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
  const m = size - 1;
  store<u32>(d + RB_BASE, base);
  store<u32>(d + RB_SIZE, size);
  store<u32>(d + RB_READ_CELL, readCell);
  store<u32>(d + RB_WRITE_CELL, writeCell);
  store<u32>(d + RB_CUR_READ, atomic.load<u32>(readCell) & m);
  store<u32>(d + RB_CUR_WRITE, atomic.load<u32>(writeCell) & m);
  store<u32>(d + RB_WAIT_OWN, waitOwn);
  store<u32>(d + RB_WAIT_PEER, waitPeer);
  store<u32>(d + RB_SEEN_READ, load<u32>(d + RB_CUR_READ));
  store<u64>(d + RB_KEY, 0);
  rb_seal(d);
}

/** Reader: moves the view's cells that live in the peer's memory (the read-pointer cell and
 * its own waiting cell) to new addresses, keeping its offsets: used once the peer is gone, so
 * that draining the ring stores nothing into memory the peer no longer owns. The new read
 * cell is set to the current read offset first. Nothing happens to a broken view. */
export function rb_retarget(d: u32, readCell: u32, waitOwn: u32): void {
  if (!rb_sealed(d)) return;
  const read = load<u32>(d + RB_CUR_READ) & rb_mask(d);
  atomic.store<u32>(readCell, read);
  store<u32>(d + RB_SEEN_READ, read);
  store<u32>(d + RB_READ_CELL, readCell);
  store<u32>(d + RB_WAIT_OWN, waitOwn);
  rb_seal(d);
}

/** Writer: bytes that may be written now (reads the read cell in the writer's own memory);
 * 0 for a broken view. */
export function rb_space(d: u32): u32 {
  if (!rb_sealed(d)) return 0;
  const read = atomic.load<u32>(load<u32>(d + RB_READ_CELL));
  store<u32>(d + RB_SEEN_READ, read);
  return (read - load<u32>(d + RB_CUR_WRITE) - 1) & rb_mask(d);
}

/** Writer: the private write offset, where the next byte goes (in the ring). */
export function rb_write_offset(d: u32): u32 {
  return load<u32>(d + RB_CUR_WRITE) & rb_mask(d);
}

/** Writer: account for `len` bytes the caller copied into ring space itself. Not yet visible. */
export function rb_produced(d: u32, len: u32): void {
  store<u32>(d + RB_CUR_WRITE, (load<u32>(d + RB_CUR_WRITE) + len) & rb_mask(d));
}

/** Writer: copy `len` bytes from linear memory into the ring without publishing them.
 * Returns 0, or -1 (nothing written) when the ring has less space than `len` or is broken. */
export function rb_write(d: u32, src: u32, len: u32): i32 {
  if (rb_space(d) < len || len == 0) return len == 0 ? 0 : -1;
  const base = load<u32>(d + RB_BASE);
  const off = rb_write_offset(d);
  const first = min<u32>(len, load<u32>(d + RB_SIZE) - off);
  memory.copy(base + off, src, first);
  if (first < len) memory.copy(base, src + first, len - first);
  rb_produced(d, len);
  return 0;
}

/** Writer: publish everything written so far. Returns 1 when the reader said it is going to
 * sleep (its waiting cell, in our memory, is set): the caller must then notify it; 0 (and
 * nothing published) for a broken view. */
export function rb_commit(d: u32): i32 {
  if (!rb_sealed(d)) return 0;
  atomic.store<u32>(load<u32>(d + RB_WRITE_CELL), rb_write_offset(d));
  return atomic.load<i32>(load<u32>(d + RB_WAIT_PEER)) != 0 ? 1 : 0;
}

/** Reader: bytes available (reads the write cell in the reader's own memory); 0 for a
 * broken view. */
export function rb_count(d: u32): u32 {
  if (!rb_sealed(d)) return 0;
  const write = atomic.load<u32>(load<u32>(d + RB_WRITE_CELL));
  return (write - load<u32>(d + RB_CUR_READ)) & rb_mask(d);
}

/** Reader: the private read offset, where the next unread byte is (in the ring). */
export function rb_read_offset(d: u32): u32 {
  return load<u32>(d + RB_CUR_READ) & rb_mask(d);
}

/** Reader: account for `len` bytes the caller copied out of the ring itself. */
export function rb_consumed(d: u32, len: u32): void {
  store<u32>(d + RB_CUR_READ, (load<u32>(d + RB_CUR_READ) + len) & rb_mask(d));
}

/** Reader: copy the next `len` bytes into linear memory and advance the private read offset
 * (the writer cannot reuse them until rb_update_read_ptr). -1 when fewer are available or
 * the view is broken. */
export function rb_get_next(d: u32, dst: u32, len: u32): i32 {
  if (rb_count(d) < len || len == 0) return len == 0 ? 0 : -1;
  const base = load<u32>(d + RB_BASE);
  const off = rb_read_offset(d);
  const first = min<u32>(len, load<u32>(d + RB_SIZE) - off);
  memory.copy(dst, base + off, first);
  if (first < len) memory.copy(dst + first, base, len - first);
  rb_consumed(d, len);
  return 0;
}

/** Reader: publish consumption. Returns 1 when the writer said it is waiting for space; -1
 * (nothing published) for a broken view. */
export function rb_update_read_ptr(d: u32): i32 {
  if (!rb_sealed(d)) return -1;
  const read = rb_read_offset(d);
  store<u32>(d + RB_SEEN_READ, read);
  atomic.store<u32>(load<u32>(d + RB_READ_CELL), read);
  return atomic.load<i32>(load<u32>(d + RB_WAIT_PEER)) != 0 ? 1 : 0;
}

/** Either side: announce (1) or withdraw (0) that this side is about to sleep. The caller
 * must re-check count/space after announcing and before sleeping. Nothing happens to a
 * broken view (whose next count or space says so). */
export function rb_set_waiting(d: u32, waiting: i32): void {
  if (rb_sealed(d)) atomic.store<i32>(load<u32>(d + RB_WAIT_OWN), waiting);
}
