/**
 * The loader of the scif WebAssembly core: the types of its functions (see core-as/ for their
 * contracts), and how a thread compiles and instantiates it. The module's bytes are in
 * _wasm_bytes.ts, which tools/build_wasm.ts generates from core-as/ (`deno task build:wasm`);
 * this file is written by hand.
 *
 * @module
 */
import { WASM_BASE64 } from "./_wasm_bytes.ts";

/**
 * The names of the core's functions: exactly the function exports of the module (a test checks
 * them against `WebAssembly.Module.exports` of the bytes) and exactly the keys of CoreExports
 * (the type checker checks that, below).
 */
export const CORE_FUNCTIONS = [
  "rb_init",
  "rb_retarget",
  "rb_space",
  "rb_write_offset",
  "rb_produced",
  "rb_write",
  "rb_commit",
  "rb_count",
  "rb_read_offset",
  "rb_consumed",
  "rb_get_next",
  "rb_update_read_ptr",
  "rb_set_waiting",
  "rb_mask",
  "rb_seal",
  "rb_sealed",
  "st_init",
  "st_space",
  "st_spin_space",
  "st_reserve",
  "st_commit",
  "st_peek",
  "st_release",
  "st_publish",
  "msg_encode",
  "msg_src_node",
  "msg_src_port",
  "msg_dst_node",
  "msg_dst_port",
  "msg_op",
  "msg_payload",
  "msg_send",
  "msg_peek",
  "msg_release",
  "mem_copy",
] as const;

/** The name of one of the core's functions. */
export type CoreFunction = typeof CORE_FUNCTIONS[number];

/** A message as msg_encode and msg_send take it: its header (source, destination, op) and its
 * four u64 payload words. */
export type CoreMessage = [
  srcNode: number,
  srcPort: number,
  dstNode: number,
  dstPort: number,
  op: number,
  p0: bigint,
  p1: bigint,
  p2: bigint,
  p3: bigint,
];

/**
 * The functions of the scif WebAssembly core (see core-as/ for their contracts).
 * Addresses are byte offsets into the shared memory; u64 payloads are bigints.
 */
export interface CoreExports {
  rb_init(
    d: number,
    base: number,
    size: number,
    readCell: number,
    writeCell: number,
    waitOwn: number,
    waitPeer: number,
  ): void;
  rb_retarget(d: number, readCell: number, waitOwn: number): void;
  rb_space(d: number): number;
  rb_write_offset(d: number): number;
  rb_produced(d: number, len: number): void;
  rb_write(d: number, src: number, len: number): number;
  rb_commit(d: number): number;
  rb_count(d: number): number;
  rb_read_offset(d: number): number;
  rb_consumed(d: number, len: number): void;
  rb_get_next(d: number, dst: number, len: number): number;
  rb_update_read_ptr(d: number): number;
  rb_set_waiting(d: number, waiting: number): void;
  rb_mask(d: number): number;
  rb_seal(d: number): void;
  rb_sealed(d: number): number;
  st_init(d: number, key: bigint): void;
  st_space(d: number): number;
  st_spin_space(d: number, spins: number): number;
  st_reserve(d: number, want: number): number;
  st_commit(d: number, len: number): number;
  st_peek(d: number, spins: number): number;
  st_release(d: number, len: number): number;
  st_publish(d: number): number;
  msg_encode(at: number, ...message: CoreMessage): void;
  msg_src_node(at: number): number;
  msg_src_port(at: number): number;
  msg_dst_node(at: number): number;
  msg_dst_port(at: number): number;
  msg_op(at: number): number;
  msg_payload(at: number, i: number): bigint;
  msg_send(d: number, ...message: CoreMessage): number;
  msg_peek(d: number): number;
  msg_release(d: number): number;
  mem_copy(dst: number, src: number, len: number): void;
}

// CoreExports has a signature for every name of CORE_FUNCTIONS and for no other name: this type
// does not check otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type _NamesMatch = Holds<Same<keyof CoreExports, CoreFunction>>;

/** The core's bytes. */
export function coreBytes(): Uint8Array<ArrayBuffer> {
  const s = atob(WASM_BASE64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled core, compiled once per thread (a Module may also be posted to a Worker). */
export function coreModule(): Promise<WebAssembly.Module> {
  return compiled ??= WebAssembly.compile(coreBytes());
}

/** Instantiates the core over a shared memory. Instances keep no state of their own. */
export async function instantiateCore(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
): Promise<CoreExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as CoreExports;
}
