// The byte stream of an endpoint queue pair, framed over a scif_rb ring (rb.ts).
//
// The writer appends records; each starts at a 16-byte aligned ring offset:
//   @0  u64 tag   = (stream position of the record + 1) XOR the ring's key
//   @8  u32 len   = data bytes in the record (1 .. a quarter of the ring size)
//   @12 u32 zero
//   @16 the data, wrapping at the ring's end; the next record starts at the next 16-byte
//       boundary after it.
// The stream position is the u64 count of ring bytes the writer has used since the
// connection began, so a record's tag differs from every tag ever written before it, and
// the key (random per ring, made by the reader) makes it a value that stale user bytes left
// at that offset by an earlier lap cannot match by accident.
//
// Why frame a byte stream: the reader waits on the header of the next record, which for a
// small message sits in the same cache line as its data, instead of on the write-pointer
// cell. A message then crosses between cores as one line, not as a pointer line followed by
// a data line, and the writer stalls on one ownership transfer, not two. The write pointer
// is still published with every record (the scif_rb rule holds: the reader loads only its
// own memory), for waking a reader that sleeps on it.
//
// Memory ordering: the writer stores data and length, then the tag with a sequentially
// consistent store; the reader loads the tag atomically before it reads length and data.
// The reader publishes the read pointer after its last data load of the records it covers,
// as in rb.ts.
//
// The read pointer is published lazily: the writer needs it only when the ring looks full to
// it, and then it says so first (its waiting cell, in the reader's memory). So the reader
// publishes when a record ends and the writer waits, when a quarter of the ring has gone by
// unpublished, and (st_peek, finding nothing, or st_publish) before it waits for data itself.
// A message then costs the reader no store into the writer's memory on its critical path.

import {
  RB_BASE,
  RB_BROKEN,
  RB_CUR_READ,
  RB_CUR_WRITE,
  RB_KEY,
  RB_READ_CELL,
  RB_SEEN_READ,
  RB_WRITE_CELL,
  RB_WAIT_PEER,
  rb_mask,
  rb_seal,
  rb_sealed,
  rb_update_read_ptr,
} from "./rb";

// Descriptor fields of the stream, after rb.ts's. The key is sealed with the view (rb.ts);
// the rest move and are checked or masked on every load.
export const ST_KEY: u32 = RB_KEY; // u64: the ring's key
export const ST_POS: u32 = 48; // u64: writer: position of the next record; reader: of the record at CUR_READ
export const ST_LEFT: u32 = 56; // u32: reader: data bytes left in the record being read
export const ST_AT: u32 = 60; // u32: reader: ring offset of its next data byte

export const ST_HEADER: u32 = 16;

// Results that carry an offset and a byte count are packed into one f64 as
// offset * 2^27 + count (both are below 2^26: rings are at most 64 MiB), so that a send or
// a recv costs two calls into the module. A broken view (rb.ts's seal) gives -1.
const PACK: f64 = 134217728;

@inline function pack(offset: u32, count: u32): f64 {
  return <f64>offset * PACK + <f64>count;
}

// Records start on 16-byte boundaries: the offsets of both views are kept so on every load,
// which also keeps the 8-byte atomic access to a tag aligned whatever was stored over them.
@inline function cur_write(d: u32, m: u32): u32 {
  return load<u32>(d + RB_CUR_WRITE) & m & ~15;
}
@inline function cur_read(d: u32, m: u32): u32 {
  return load<u32>(d + RB_CUR_READ) & m & ~15;
}

/** Either view: start the stream of a fresh ring with its key (after rb_init; nothing
 * happens to a broken view). */
export function st_init(d: u32, key: u64): void {
  if (!rb_sealed(d)) return;
  store<u64>(d + ST_KEY, key);
  store<u64>(d + ST_POS, 0);
  store<u32>(d + ST_LEFT, 0);
  store<u32>(d + ST_AT, 0);
  rb_seal(d);
}

/** The most data one record can carry when the reader's offset is `read`. */
@inline function room(d: u32, m: u32, read: u32): u32 {
  const dist = ((read - cur_write(d, m) - 1) & m) + 1;
  return dist >= 48 ? dist - 32 : 0;
}

/** Writer: data bytes the next record can carry now (loads the read cell, in our memory);
 * RB_BROKEN for a broken view. */
export function st_space(d: u32): u32 {
  if (!rb_sealed(d)) return RB_BROKEN;
  const read = atomic.load<u32>(load<u32>(d + RB_READ_CELL));
  store<u32>(d + RB_SEEN_READ, read);
  return room(d, rb_mask(d), read);
}

/** Writer: spins up to `spins` turns for room; returns st_space. */
export function st_spin_space(d: u32, spins: i32): u32 {
  let space = st_space(d);
  for (let i = 0; i < spins && space == 0; i++) space = st_space(d);
  return space;
}

/** Writer: where the data of the next record goes and how much of `want` fits, packed.
 * The room comes from the read offset last seen, and the read cell is loaded again only
 * when that is not enough: the reader stores to that cell on every record it finishes, so
 * not loading it on every send keeps its line from bouncing. */
export function st_reserve(d: u32, want: u32): f64 {
  if (!rb_sealed(d)) return -1;
  const m = rb_mask(d);
  // A record carries at most a quarter of the ring, so a large send is several records and
  // the reader hands each back as it finishes it: the writer refills one part of the ring
  // while the reader empties another (a record as big as the ring would make them take turns).
  const most = (m + 1) >> 2;
  if (want > most) want = most;
  let space = room(d, m, load<u32>(d + RB_SEEN_READ));
  if (space < want) {
    const read = atomic.load<u32>(load<u32>(d + RB_READ_CELL));
    store<u32>(d + RB_SEEN_READ, read);
    space = room(d, m, read);
  }
  const at = (cur_write(d, m) + ST_HEADER) & m;
  return pack(at, space < want ? space : want);
}

/** Writer: the caller copied `len` (1 .. what st_reserve gave) bytes at the reserved offset;
 * write the header, publish. Returns 1 when the reader sleeps and must be notified, -1
 * (nothing published) for a broken view.
 *
 * One sequentially consistent store per record, the tag's, as a raw ping-pong has one per
 * message (each is a full fence on x86, and the one on the record's line stalls for the
 * line's ownership), and one line across, the record's. Nothing reads data because of the
 * write pointer (readers wait on tags): its cell, in the reader's memory, is only what a
 * sleeping (or polling) reader waits on, so it is moved only when the reader says it waits,
 * after the tag, and a message costs no second line. The wake-up is Dekker's pattern on the
 * tag and the reader's waiting cell: we store the tag then load the cell, the reader stores
 * the cell then loads the tag, both sequentially consistent, so one of us sees the other;
 * when we see it, we move the write cell (the reader sleeps on its old value) and say the
 * reader must be notified. */
export function st_commit(d: u32, len: u32): i32 {
  if (!rb_sealed(d)) return -1;
  const m = rb_mask(d);
  if (len == 0 || len > (m + 1) >> 2) return -1;
  const cur = cur_write(d, m);
  const hdr = load<u32>(d + RB_BASE) + cur;
  const pos = load<u64>(d + ST_POS);
  const size = ST_HEADER + ((len + 15) & ~15);
  const next = (cur + size) & m;
  store<u32>(hdr + 8, len);
  store<u32>(hdr + 12, 0);
  store<u64>(d + ST_POS, pos + size);
  store<u32>(d + RB_CUR_WRITE, next);
  atomic.store<u64>(hdr, (pos + 1) ^ load<u64>(d + ST_KEY));
  if (atomic.load<i32>(load<u32>(d + RB_WAIT_PEER)) == 0) return 0;
  atomic.store<u32>(load<u32>(d + RB_WRITE_CELL), next);
  return 1;
}

/** Reader: the offset of the next unread data byte and how many follow it in the current
 * record, packed; 0 when no record has arrived after `spins` more looks at its header; -1 when
 * the record's header is not one a writer could have made (the stream is broken), or the
 * view is. Finding none, it first publishes what was consumed (st_publish, waking a writer
 * that waits for the room): the reader is idle then, and the writer may be waiting for
 * exactly that room before it can send what we wait for. */
export function st_peek(d: u32, spins: i32): f64 {
  if (!rb_sealed(d)) return -1;
  const m = rb_mask(d);
  const quarter = (m + 1) >> 2;
  const left = load<u32>(d + ST_LEFT);
  if (left != 0) return left > quarter ? -1 : pack(load<u32>(d + ST_AT) & m, left);
  const cur = cur_read(d, m);
  const hdr = load<u32>(d + RB_BASE) + cur;
  const expect = (load<u64>(d + ST_POS) + 1) ^ load<u64>(d + ST_KEY);
  for (let i = 0; atomic.load<u64>(hdr) != expect; i++) {
    if (i >= spins) return 0;
  }
  // The length is the writer's word, in our memory: a record carries 1 .. a quarter of the ring,
  // and one that says otherwise is a broken stream, never a reason to read past the record.
  const len = load<u32>(hdr + 8);
  if (len == 0 || len > quarter) return -1;
  const at = (cur + ST_HEADER) & m;
  store<u32>(d + ST_LEFT, len);
  store<u32>(d + ST_AT, at);
  return pack(at, len);
}

/** Reader: the caller copied `len` bytes from the peeked offset. When that finishes the
 * record, its space goes back to the writer; returns 1 when the writer must be notified, -1
 * for a broken view (or a `len` beyond the record: its fields were stored over). */
export function st_release(d: u32, len: u32): i32 {
  if (!rb_sealed(d)) return -1;
  const m = rb_mask(d);
  const was = load<u32>(d + ST_LEFT);
  if (len > was) return -1;
  const at = (load<u32>(d + ST_AT) + len) & m;
  const left = was - len;
  store<u32>(d + ST_AT, at);
  store<u32>(d + ST_LEFT, left);
  if (left != 0) return 0;
  const cur = cur_read(d, m);
  const next = ((at + 15) & ~15) & m;
  store<u64>(d + ST_POS, load<u64>(d + ST_POS) + <u64>((next - cur) & m));
  store<u32>(d + RB_CUR_READ, next);
  const unpublished = (next - load<u32>(d + RB_SEEN_READ)) & m;
  if (unpublished >= (m + 1) >> 2 || atomic.load<i32>(load<u32>(d + RB_WAIT_PEER)) != 0) return rb_update_read_ptr(d);
  return 0;
}

/** Reader: publishes the read offset if records were consumed since it last did. Returns 1
 * when the writer waits for space and must be notified, -1 for a broken view. */
export function st_publish(d: u32): i32 {
  if (!rb_sealed(d)) return -1;
  if (load<u32>(d + RB_SEEN_READ) == load<u32>(d + RB_CUR_READ)) return 0;
  return rb_update_read_ptr(d);
}
