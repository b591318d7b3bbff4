// Copies within the shared memory, for RMA. WebAssembly's memory.copy is the engine's memmove;
// on shared memory it is faster than TypedArray.prototype.copyWithin or set (which copy with
// relaxed atomic accesses), by a fifth to a quarter for transfers of a MiB and more.

/** Copies `len` bytes from `src` to `dst` (the ranges may overlap). */
export function mem_copy(dst: u32, src: u32, len: u32): void {
  memory.copy(dst, src, len);
}
