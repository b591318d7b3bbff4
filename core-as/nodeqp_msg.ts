// The node-queue-pair control message (the kernel's struct scifmsg) and its transport.
//
// Layout, little-endian, one 64-byte cache line per message so that a message never straddles
// the ring's end (ring sizes are multiples of 64) and its words arrive together:
//   @0  u16 source node     @2  u16 source port      (struct scif_port_id src)
//   @4  u16 dest node       @6  u16 dest port        (struct scif_port_id dst)
//   @8  u32 op code (uop)   @12 u32 zero (the C struct's alignment padding)
//   @16 u64 payload[0] .. @40 u64 payload[3]
//   @48 .. @63 zero
// Op codes are given by the caller; this layer does not interpret them.

import { rb_commit, rb_count, rb_produced, rb_read_offset, rb_space, rb_update_read_ptr, rb_consumed, rb_write_offset, RB_BASE } from "./rb";

export const MSG_BYTES: u32 = 64;

/** Encodes a message at `at`. */
export function msg_encode(
  at: u32,
  srcNode: u32,
  srcPort: u32,
  dstNode: u32,
  dstPort: u32,
  op: u32,
  p0: u64,
  p1: u64,
  p2: u64,
  p3: u64,
): void {
  store<u16>(at, <u16>srcNode);
  store<u16>(at + 2, <u16>srcPort);
  store<u16>(at + 4, <u16>dstNode);
  store<u16>(at + 6, <u16>dstPort);
  store<u32>(at + 8, op);
  store<u32>(at + 12, 0);
  store<u64>(at + 16, p0);
  store<u64>(at + 24, p1);
  store<u64>(at + 32, p2);
  store<u64>(at + 40, p3);
  store<u64>(at + 48, 0);
  store<u64>(at + 56, 0);
}

export function msg_src_node(at: u32): u32 {
  return load<u16>(at);
}
export function msg_src_port(at: u32): u32 {
  return load<u16>(at + 2);
}
export function msg_dst_node(at: u32): u32 {
  return load<u16>(at + 4);
}
export function msg_dst_port(at: u32): u32 {
  return load<u16>(at + 6);
}
export function msg_op(at: u32): u32 {
  return load<u32>(at + 8);
}
/** Payload word `i` (0..3). */
export function msg_payload(at: u32, i: u32): u64 {
  return load<u64>(at + 16 + ((i & 3) << 3));
}

/** Encodes a message straight into ring space and publishes it: no staging copy.
 * Returns 0 when the ring has no room or the view is broken (nothing written), else 1, or 3 when the reader
 * announced it is sleeping and must be notified. */
export function msg_send(
  d: u32,
  srcNode: u32,
  srcPort: u32,
  dstNode: u32,
  dstPort: u32,
  op: u32,
  p0: u64,
  p1: u64,
  p2: u64,
  p3: u64,
): i32 {
  if (rb_space(d) < MSG_BYTES) return 0;
  // Aligned down: a garbage write offset (our own view, stored over) still puts the whole
  // message inside the ring, whose size is a multiple of MSG_BYTES.
  msg_encode(load<u32>(d + RB_BASE) + (rb_write_offset(d) & ~(MSG_BYTES - 1)), srcNode, srcPort, dstNode, dstPort, op, p0, p1, p2, p3);
  rb_produced(d, MSG_BYTES);
  return rb_commit(d) ? 3 : 1;
}

/** The address of the next whole message in the ring, or 0 when there is none (or the view
 * is broken: rb.ts's seal). The message
 * stays in place (decode it with msg_* getters) until msg_release. */
export function msg_peek(d: u32): u32 {
  if (rb_count(d) < MSG_BYTES) return 0;
  return load<u32>(d + RB_BASE) + (rb_read_offset(d) & ~(MSG_BYTES - 1));
}

/** Consumes the message msg_peek returned and publishes the read pointer. */
export function msg_release(d: u32): i32 {
  rb_consumed(d, MSG_BYTES);
  return rb_update_read_ptr(d);
}
