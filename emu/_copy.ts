// The copy every RMA comes down to, shared by the calling thread and the DMA engine (which
// runs it from its source text, so it must stay self-contained).

/**
 * Copies `length` bytes from `src` to `dst` in the shared memory `u8`, the bulk with the core's
 * `memCopy` (WebAssembly memory.copy, faster on shared memory than copyWithin). With `ordered`
 * (SCIF_RMA_ORDERED) the last cache line of the destination lands last: it is written with
 * sequentially consistent stores after the rest, so a thread that sees its bytes with an
 * atomic load also sees every byte before it.
 */
export function orderedCopy(
  memCopy: (dst: number, src: number, len: number) => void,
  u8: Uint8Array,
  dst: number,
  src: number,
  length: number,
  ordered: boolean,
): void {
  if (!ordered) return memCopy(dst, src, length);
  const last = Math.max(dst, (dst + length - 1) & ~63);
  memCopy(dst, src, last - dst);
  for (let a = last; a < dst + length; a++) Atomics.store(u8, a, u8[src + (a - dst)]);
}
