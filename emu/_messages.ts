// The control messages of the emulated network (the kernel's struct scifmsg and scif_nodeqp.h
// op codes), typed, with their encoding into the four u64 payload words and a decoding that
// checks every field against its range. A message another slot wrote is data, not trust: one
// that does not decode is dropped (and counted by the receiver), never handed to a handler.
// What a decoder cannot know alone (that a queue pair or a window is memory the sender owns,
// that the sender is the peer of the endpoint it names) the handlers check.
//
// Op codes are the kernel's where it has them; node add and removal are the node and slot
// tables and their doorbells, fences are the DMA engines' counters, and wake-ups are the bus.

import type { PortId } from "../types.ts";
import { LONG_MAX, type Off, offOfBig } from "../_offset.ts";

export const SCIF_CNCT_REQ = 9;
export const SCIF_CNCT_GNT = 10;
export const SCIF_CNCT_GNTACK = 11;
export const SCIF_CNCT_GNTNACK = 12;
export const SCIF_CNCT_REJ = 13;
export const SCIF_DISCNCT = 14;
export const SCIF_DISCNT_ACK = 15;
export const SCIF_REGISTER = 19;
export const SCIF_UNREGISTER = 22;
export const SCIF_UNREGISTER_ACK = 23;
export const SCIF_UNREGISTER_NACK = 24;
export const SCIF_MUNMAP = 29;
// The emulator's own: RMA with a node of another machine, which no shared memory reaches. The
// kernel moves such bytes by DMA across PCIe; the TCP bridge (emu/bus/tcp_bridge.ts) carries
// them and performs them at the far end, where the window is.
export const SCIF_RMA_XFER = 64;
export const SCIF_RMA_XFER_DONE = 65;

/** Kinds of SCIF_RMA_XFER. */
export const XFER_WRITE = 1;
export const XFER_READ = 2;
export const XFER_SIGNAL = 3;

interface Base {
  readonly src: PortId;
  readonly dst: PortId;
}

/** Every message names the endpoint it is for by `token` (tokens are never reused within a
 * slot's incarnation, so a message for an endpoint that is gone matches nothing). */
export type Message =
  & Base
  & (
    /** qp: the requester's queue pair block; epoch: the requester slot's incarnation. */
    | {
      readonly op: typeof SCIF_CNCT_REQ;
      readonly qp: number;
      readonly token: number;
      readonly epoch: number;
    }
    /** qp: the acceptor's block; token: the requester's; from: the acceptor's. */
    | {
      readonly op: typeof SCIF_CNCT_GNT;
      readonly qp: number;
      readonly token: number;
      readonly from: number;
    }
    /** token: the acceptor's (GNTACK, GNTNACK) or the requester's (REJ). */
    | { readonly op: typeof SCIF_CNCT_GNTACK; readonly token: number }
    | { readonly op: typeof SCIF_CNCT_GNTNACK; readonly token: number }
    | { readonly op: typeof SCIF_CNCT_REJ; readonly token: number }
    /** token: the receiver's; from: the sender's. */
    | { readonly op: typeof SCIF_DISCNCT; readonly token: number; readonly from: number }
    | { readonly op: typeof SCIF_DISCNT_ACK; readonly token: number }
    | {
      readonly op: typeof SCIF_REGISTER;
      readonly token: number;
      readonly id: number;
      readonly prot: number;
      /** In [0, 2^63), the window ending by 2^63 - 1 (the kernel's space). */
      readonly offset: Off;
      readonly length: number;
      readonly addr: number;
    }
    /** from: the owner's token, for the answer. */
    | {
      readonly op: typeof SCIF_UNREGISTER;
      readonly token: number;
      readonly id: number;
      readonly from: number;
    }
    | { readonly op: typeof SCIF_UNREGISTER_ACK; readonly token: number; readonly id: number }
    | { readonly op: typeof SCIF_UNREGISTER_NACK; readonly token: number; readonly id: number }
    | { readonly op: typeof SCIF_MUNMAP; readonly token: number; readonly id: number }
    /** token: the stand-in endpoint's; from: the requester's; request: the requester's id for
     * it; addr/length: the requester's memory (WRITE, READ), value: the u64 (SIGNAL). */
    | {
      readonly op: typeof SCIF_RMA_XFER;
      readonly token: number;
      readonly from: number;
      readonly request: number;
      readonly kind: number;
      readonly flags: number;
      /** The peer's off_t as the caller gave it, any s64 (the far end's window walk judges it). */
      readonly offset: Off;
      readonly addr: number;
      readonly length: number;
      readonly value: bigint;
    }
    | {
      readonly op: typeof SCIF_RMA_XFER_DONE;
      readonly token: number;
      readonly request: number;
      readonly errno: number;
    }
  );

/** The four payload words of a message. */
export type Words = [bigint, bigint, bigint, bigint];

const U32 = 0xffffffffn;
const b = BigInt;

/** The payload words of `m`. */
export function encode(m: Message): Words {
  switch (m.op) {
    case SCIF_CNCT_REQ:
      return [b(m.qp), b(m.token), b(m.epoch), 0n];
    case SCIF_CNCT_GNT:
      return [b(m.qp), b(m.token), b(m.from), 0n];
    case SCIF_CNCT_GNTACK:
    case SCIF_CNCT_GNTNACK:
    case SCIF_CNCT_REJ:
    case SCIF_DISCNT_ACK:
      return [b(m.token), 0n, 0n, 0n];
    case SCIF_DISCNCT:
      return [b(m.token), b(m.from), 0n, 0n];
    case SCIF_REGISTER:
      return [b(m.token) | (b(m.prot) << 32n), b(m.offset), b(m.length), b(m.addr) | (b(m.id) << 32n)];
    case SCIF_UNREGISTER:
      return [b(m.token), b(m.id), b(m.from), 0n];
    case SCIF_UNREGISTER_ACK:
    case SCIF_UNREGISTER_NACK:
    case SCIF_MUNMAP:
      return [b(m.token), b(m.id), 0n, 0n];
    case SCIF_RMA_XFER:
      return [
        b(m.token) | (b(m.request) << 32n),
        BigInt.asUintN(64, b(m.offset)),
        m.kind === XFER_SIGNAL ? BigInt.asUintN(64, m.value) : (b(m.addr) << 32n) | b(m.length),
        b(m.kind) | (b(m.flags) << 8n) | (b(m.from) << 32n),
      ];
    case SCIF_RMA_XFER_DONE:
      return [b(m.token) | (b(m.request) << 32n), b(m.errno), 0n, 0n];
  }
}

/** The limits decoding checks against: the memory's size (addresses, lengths). */
export interface Bounds {
  readonly memoryBytes: number;
}

/** A token: a positive u31 (endpoint tokens count up from 1). */
function token(w: bigint): number | null {
  return w > 0n && w < 0x80000000n ? Number(w) : null;
}

/** A page-aligned address inside the memory. */
function address(w: bigint, bounds: Bounds): number | null {
  return w > 0n && w < b(bounds.memoryBytes) && (w & 4095n) === 0n ? Number(w) : null;
}

/** Decodes op `op` with words `p` from `src` to `dst`; null when any field is out of range. */
export function decode(op: number, src: PortId, dst: PortId, p: Words, bounds: Bounds): Message | null {
  const [p0, p1, p2, p3] = p;
  switch (op) {
    case SCIF_CNCT_REQ:
    case SCIF_CNCT_GNT: {
      const qp = address(p0, bounds);
      const t = token(p1);
      const third = token(p2);
      if (qp === null || t === null || third === null || p3 !== 0n) return null;
      return op === SCIF_CNCT_REQ
        ? { op, src, dst, qp, token: t, epoch: third }
        : { op, src, dst, qp, token: t, from: third };
    }
    case SCIF_CNCT_GNTACK:
    case SCIF_CNCT_GNTNACK:
    case SCIF_CNCT_REJ:
    case SCIF_DISCNT_ACK: {
      const t = token(p0);
      if (t === null || p1 !== 0n || p2 !== 0n || p3 !== 0n) return null;
      return { op, src, dst, token: t };
    }
    case SCIF_DISCNCT: {
      const t = token(p0);
      const from = token(p1);
      if (t === null || from === null) return null;
      return { op, src, dst, token: t, from };
    }
    case SCIF_REGISTER: {
      const t = token(p0 & U32);
      const prot = Number(p0 >> 32n);
      const addr = address(p3 & U32, bounds);
      const id = token(p3 >> 32n);
      if (t === null || addr === null || id === null || prot > 3) return null;
      // A window of the kernel's space: page aligned, ending by LONG_MAX.
      if (p1 > LONG_MAX || (p1 & 4095n) !== 0n || p2 === 0n || (p2 & 4095n) !== 0n) return null;
      if (p2 > b(bounds.memoryBytes) - b(addr) || p2 > LONG_MAX - p1) return null;
      return { op, src, dst, token: t, id, prot, offset: offOfBig(p1), length: Number(p2), addr };
    }
    case SCIF_UNREGISTER: {
      const t = token(p0);
      const id = token(p1);
      const from = token(p2);
      if (t === null || id === null || from === null) return null;
      return { op, src, dst, token: t, id, from };
    }
    case SCIF_UNREGISTER_ACK:
    case SCIF_UNREGISTER_NACK:
    case SCIF_MUNMAP: {
      const t = token(p0);
      const id = token(p1);
      if (t === null || id === null) return null;
      return { op, src, dst, token: t, id };
    }
    case SCIF_RMA_XFER: {
      const t = token(p0 & U32);
      const request = token(p0 >> 32n);
      const kind = Number(p3 & 0xffn);
      const flags = Number((p3 >> 8n) & 0xffn);
      const from = token(p3 >> 32n);
      if (t === null || request === null || from === null) return null;
      if (kind !== XFER_WRITE && kind !== XFER_READ && kind !== XFER_SIGNAL) return null;
      let addr = 0;
      let length = 0;
      if (kind !== XFER_SIGNAL) {
        addr = Number(p2 >> 32n);
        length = Number(p2 & U32);
        if (addr <= 0 || length === 0 || addr + length > bounds.memoryBytes) return null;
      }
      return {
        op,
        src,
        dst,
        token: t,
        from,
        request,
        kind,
        flags,
        offset: offOfBig(BigInt.asIntN(64, p1)),
        addr,
        length,
        value: p2,
      };
    }
    case SCIF_RMA_XFER_DONE: {
      const t = token(p0 & U32);
      const request = token(p0 >> 32n);
      if (t === null || request === null || p1 > 4095n) return null;
      return { op, src, dst, token: t, request, errno: Number(p1) };
    }
    default:
      return null;
  }
}
