/**
 * The user-space ABI of the Linux SCIF driver (`include/uapi/linux/scif_ioctl.h`) on x86-64:
 * the ioctl request numbers, computed with the kernel's `_IOC` encoding, the sizes of the
 * structs they take, and encoders/decoders for those structs at their C offsets.
 *
 * @example
 * ```ts
 * import { IOCTL, STRUCT_SIZE } from "./abi.ts";
 * console.log(IOCTL.SCIF_SEND.toString(16), STRUCT_SIZE.scifioctl_msg); // c0187306 24
 * ```
 *
 * @module
 */

const IOC_NRBITS = 8;
const IOC_TYPEBITS = 8;
const IOC_SIZEBITS = 14;
const IOC_NRSHIFT = 0;
const IOC_TYPESHIFT = IOC_NRSHIFT + IOC_NRBITS;
const IOC_SIZESHIFT = IOC_TYPESHIFT + IOC_TYPEBITS;
const IOC_DIRSHIFT = IOC_SIZESHIFT + IOC_SIZEBITS;
const IOC_WRITE = 1;
const IOC_READ = 2;

/**
 * The kernel's `_IOC(dir, type, nr, size)`, as an unsigned 32-bit number.
 *
 * @example
 * ```ts
 * import { ioc } from "./abi.ts";
 * console.log(ioc(3, "s", 1, 8) === 0xc0087301); // true: SCIF_BIND
 * ```
 */
export function ioc(dir: number, type: string, nr: number, size: number): number {
  return ((dir << IOC_DIRSHIFT) | (size << IOC_SIZESHIFT) | (type.charCodeAt(0) << IOC_TYPESHIFT) |
    (nr << IOC_NRSHIFT)) >>> 0;
}

/**
 * Sizes in bytes of the structs of scif_ioctl.h (x86-64, natural alignment), by the kernel's
 * struct names.
 *
 * @example
 * ```ts
 * import { STRUCT_SIZE } from "./abi.ts";
 * console.log(STRUCT_SIZE.scifioctl_reg); // 40
 * ```
 */
export const STRUCT_SIZE = {
  scif_port_id: 4,
  scifioctl_connect: 8,
  scifioctl_accept: 16,
  scifioctl_msg: 24,
  scifioctl_reg: 40,
  scifioctl_unreg: 16,
  scifioctl_copy: 40,
  scifioctl_fence_mark: 16,
  scifioctl_fence_signal: 40,
  scifioctl_node_ids: 24,
} as const;

const iow = (nr: number, size: number) => ioc(IOC_WRITE, "s", nr, size);
const iowr = (nr: number, size: number) => ioc(IOC_READ | IOC_WRITE, "s", nr, size);
const U64 = 8;
const S32 = 4;

/**
 * The ioctl request numbers of /dev/scif, by the kernel's macro names.
 *
 * @example
 * ```ts
 * import { IOCTL } from "./abi.ts";
 * console.log(IOCTL.SCIF_LISTEN.toString(16)); // 40047302
 * ```
 */
export const IOCTL = {
  SCIF_BIND: iowr(1, U64),
  SCIF_LISTEN: iow(2, S32),
  SCIF_CONNECT: iowr(3, STRUCT_SIZE.scifioctl_connect),
  SCIF_ACCEPTREQ: iowr(4, STRUCT_SIZE.scifioctl_accept),
  SCIF_ACCEPTREG: iowr(5, U64),
  SCIF_SEND: iowr(6, STRUCT_SIZE.scifioctl_msg),
  SCIF_RECV: iowr(7, STRUCT_SIZE.scifioctl_msg),
  SCIF_REG: iowr(8, STRUCT_SIZE.scifioctl_reg),
  SCIF_UNREG: iowr(9, STRUCT_SIZE.scifioctl_unreg),
  SCIF_READFROM: iowr(10, STRUCT_SIZE.scifioctl_copy),
  SCIF_WRITETO: iowr(11, STRUCT_SIZE.scifioctl_copy),
  SCIF_VREADFROM: iowr(12, STRUCT_SIZE.scifioctl_copy),
  SCIF_VWRITETO: iowr(13, STRUCT_SIZE.scifioctl_copy),
  SCIF_GET_NODEIDS: iowr(14, STRUCT_SIZE.scifioctl_node_ids),
  SCIF_FENCE_MARK: iowr(15, STRUCT_SIZE.scifioctl_fence_mark),
  SCIF_FENCE_WAIT: iowr(16, S32),
  SCIF_FENCE_SIGNAL: iowr(17, STRUCT_SIZE.scifioctl_fence_signal),
} as const;

/**
 * Field offsets of the structs, by struct and field name (the C names).
 *
 * @example
 * ```ts
 * import { FIELD } from "./abi.ts";
 * console.log(FIELD.scifioctl_reg.out_offset); // 32
 * ```
 */
export const FIELD = {
  scif_port_id: { node: 0, port: 2 },
  scifioctl_connect: { self: 0, peer: 4 },
  scifioctl_accept: { flags: 0, peer: 4, endpt: 8 },
  scifioctl_msg: { msg: 0, len: 8, flags: 12, out_len: 16 },
  scifioctl_reg: { addr: 0, len: 8, offset: 16, prot: 24, flags: 28, out_offset: 32 },
  scifioctl_unreg: { offset: 0, len: 8 },
  scifioctl_copy: { loffset: 0, len: 8, roffset: 16, addr: 24, flags: 32 },
  scifioctl_fence_mark: { flags: 0, mark: 8 },
  scifioctl_fence_signal: { loff: 0, lval: 8, roff: 16, rval: 24, flags: 32 },
  scifioctl_node_ids: { nodes: 0, self: 8, len: 16 },
} as const;

/**
 * One struct of the ABI in its own little-endian buffer, with typed field access by name.
 *
 * @example
 * ```ts
 * import { Struct } from "./abi.ts";
 * const msg = new Struct("scifioctl_msg");
 * msg.setU64("msg", 0x1000n).setS32("len", 8).setS32("flags", 1);
 * console.log(msg.bytes.length, msg.s32("len")); // 24 8
 * ```
 */
export class Struct<N extends keyof typeof FIELD> {
  /** The struct's bytes, to pass by pointer. */
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  readonly #fields: (typeof FIELD)[N];

  /** A zeroed struct `name`, in a SharedArrayBuffer when `shared` (for another thread). */
  constructor(name: N, shared = false) {
    const size = STRUCT_SIZE[name];
    this.bytes = new Uint8Array(shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
    this.#view = new DataView(this.bytes.buffer);
    this.#fields = FIELD[name];
  }

  #at(field: keyof (typeof FIELD)[N]): number {
    return this.#fields[field] as number;
  }

  /** Sets a u64 field (a bigint or a safe integer) exactly: a RangeError for a value that is
   * not a u64, which the callers' checks exclude (DataView's own setter would wrap it). */
  setU64(field: keyof (typeof FIELD)[N], v: bigint | number): this {
    const b = BigInt(v);
    if (b !== BigInt.asUintN(64, b)) throw new RangeError(`${String(field)}: ${b} is not a u64`);
    this.#view.setBigUint64(this.#at(field), b, true);
    return this;
  }

  /** Sets an s64 field (an off_t) exactly: a RangeError for a value that is not an s64, which
   * the callers' checks exclude (DataView's own setter would wrap it silently). */
  setS64(field: keyof (typeof FIELD)[N], v: bigint | number): this {
    const b = BigInt(v);
    if (b !== BigInt.asIntN(64, b)) throw new RangeError(`${String(field)}: ${b} is not an s64`);
    this.#view.setBigInt64(this.#at(field), b, true);
    return this;
  }

  /** Sets an s32 field. */
  setS32(field: keyof (typeof FIELD)[N], v: number): this {
    this.#view.setInt32(this.#at(field), v, true);
    return this;
  }

  /** Sets a struct scif_port_id field. */
  setPortId(field: keyof (typeof FIELD)[N], id: { node: number; port: number }): this {
    this.#view.setUint16(this.#at(field), id.node, true);
    this.#view.setUint16(this.#at(field) + 2, id.port, true);
    return this;
  }

  /** A u64 field. */
  u64(field: keyof (typeof FIELD)[N]): bigint {
    return this.#view.getBigUint64(this.#at(field), true);
  }

  /** An s64 field. */
  s64(field: keyof (typeof FIELD)[N]): bigint {
    return this.#view.getBigInt64(this.#at(field), true);
  }

  /** An s32 field. */
  s32(field: keyof (typeof FIELD)[N]): number {
    return this.#view.getInt32(this.#at(field), true);
  }

  /** A struct scif_port_id field. */
  portId(field: keyof (typeof FIELD)[N]): { node: number; port: number } {
    return {
      node: this.#view.getUint16(this.#at(field), true),
      port: this.#view.getUint16(this.#at(field) + 2, true),
    };
  }
}
