// The dispatcher's handler table (the kernel's scif_intr_func[]): what a slot does with each
// control message another slot sent it. Every message has been decoded with its fields in
// range (emu/_messages.ts) and its source checked against the ring it came in on, so a
// handler knows which slot sent it (`from`); what it checks on top is that the message is
// about something `from` has a part in: the endpoint it names is connected to (or talking
// with) `from`, the memory it names is `from`'s. What does not hold is dropped and counted.

import { ERRNO } from "../errors.ts";
import {
  type Message,
  SCIF_CNCT_GNT,
  SCIF_CNCT_GNTACK,
  SCIF_CNCT_GNTNACK,
  SCIF_CNCT_REJ,
  SCIF_CNCT_REQ,
  SCIF_DISCNCT,
  SCIF_DISCNT_ACK,
  SCIF_MUNMAP,
  SCIF_REGISTER,
  SCIF_RMA_XFER,
  SCIF_RMA_XFER_DONE,
  SCIF_UNREGISTER,
  SCIF_UNREGISTER_ACK,
  SCIF_UNREGISTER_NACK,
} from "./_messages.ts";

type Of<O extends number> = Extract<Message, { op: O }>;

/** What the handlers need of an endpoint. */
export interface DispatchedEndpoint {
  /** SCIF_CNCT_GNT for our connect; false when it does not fit (the caller NACKs it). */
  granted(m: Of<typeof SCIF_CNCT_GNT>, from: number): boolean;
  grantAnswered(ok: boolean, from: number): void;
  rejected(from: number): void;
  /** SCIF_DISCNCT from `from`, our peer's `token` there; false when it is not our peer. */
  peerClosed(from: number, token: number): boolean;
  disconnectAcknowledged(from: number): void;
  /** The listener's side of SCIF_CNCT_REQ; false when it must be refused. */
  queueRequest(m: Of<typeof SCIF_CNCT_REQ>, from: number): boolean;
}

/** What the handlers need of a window bookkeeper (an endpoint's RMA state, open or closed). */
export interface DispatchedRma {
  /** Whether `from` is the slot of the peer these windows are shared with. */
  isPeer(from: number): boolean;
  message(m: Message): void;
  delegatedDone(m: Of<typeof SCIF_RMA_XFER_DONE>): void;
}

/** What the handlers need of the slot that received the message. */
export interface DispatchTarget {
  endpoint(token: number): DispatchedEndpoint | undefined;
  listener(port: number): DispatchedEndpoint | undefined;
  rmaOf(token: number): DispatchedRma | undefined;
  /** Sends a message to slot `to` if it is still there. */
  tryPost(to: number, m: Message): boolean;
  /** SCIF_UNREGISTER for a window nothing of ours maps: acknowledged once our DMA is done. */
  unregisterAck(to: number, m: Of<typeof SCIF_UNREGISTER>): void;
  /** A stand-in's forwarder (emu/bus/tcp_bridge.ts), if this slot is one. */
  readonly forwarder: Forwarder | null;
  /** Counts a message that was dropped. */
  dropped(): void;
}

/** What a slot that stands in for a node of another machine does with what is addressed to it. */
export interface Forwarder {
  /** SCIF_CNCT_REQ to the stand-in: answer it (a grant or a rejection) in due course. */
  connectRequest(m: Of<typeof SCIF_CNCT_REQ>, from: number): void;
  /** SCIF_RMA_XFER from a peer of one of the stand-in's endpoints. */
  rmaRequest(m: Of<typeof SCIF_RMA_XFER>, from: number): void;
}

type Handler<O extends number> = (t: DispatchTarget, m: Of<O>, from: number) => boolean;

/** The handlers by op code; each returns false for a message that was dropped. */
const HANDLERS: { [O in Message["op"]]: Handler<O> } = {
  [SCIF_CNCT_REQ](t, m, from) {
    if (t.forwarder) {
      t.forwarder.connectRequest(m, from);
      return true;
    }
    if (!t.listener(m.dst.port)?.queueRequest(m, from)) {
      // Nobody listens, or the backlog is full: SCIF_CNCT_REJ (token: the requester's).
      t.tryPost(from, { op: SCIF_CNCT_REJ, src: m.dst, dst: m.src, token: m.token });
    }
    return true;
  },
  [SCIF_CNCT_GNT](t, m, from) {
    const ep = t.endpoint(m.token);
    if (ep?.granted(m, from)) return true;
    t.tryPost(from, { op: SCIF_CNCT_GNTNACK, src: m.dst, dst: m.src, token: m.from });
    return ep !== undefined;
  },
  [SCIF_CNCT_GNTACK](t, m, from) {
    t.endpoint(m.token)?.grantAnswered(true, from);
    return true;
  },
  [SCIF_CNCT_GNTNACK](t, m, from) {
    t.endpoint(m.token)?.grantAnswered(false, from);
    return true;
  },
  [SCIF_CNCT_REJ](t, m, from) {
    t.endpoint(m.token)?.rejected(from);
    return true;
  },
  [SCIF_DISCNCT](t, m, from) {
    const ep = t.endpoint(m.token);
    const ours = ep?.peerClosed(from, m.from) ?? false;
    // Acknowledged whatever we knew of it: the closer frees its queue pair on the ack.
    t.tryPost(from, { op: SCIF_DISCNT_ACK, src: m.dst, dst: m.src, token: m.from });
    return ours || ep === undefined;
  },
  [SCIF_DISCNT_ACK](t, m, from) {
    t.endpoint(m.token)?.disconnectAcknowledged(from);
    return true;
  },
  [SCIF_REGISTER]: windowMessage,
  [SCIF_UNREGISTER](t, m, from) {
    const rma = t.rmaOf(m.token);
    if (rma && !rma.isPeer(from)) return false;
    if (rma) rma.message(m);
    else t.unregisterAck(from, m); // nothing of it is mapped here
    return true;
  },
  [SCIF_UNREGISTER_ACK]: windowMessage,
  [SCIF_UNREGISTER_NACK]: windowMessage,
  [SCIF_MUNMAP]: windowMessage,
  [SCIF_RMA_XFER](t, m, from) {
    if (t.forwarder) t.forwarder.rmaRequest(m, from);
    else {
      t.tryPost(from, {
        op: SCIF_RMA_XFER_DONE,
        src: m.dst,
        dst: m.src,
        token: m.from,
        request: m.request,
        errno: ERRNO.EOPNOTSUPP, // only a stand-in performs transfers for others
      });
    }
    return true;
  },
  [SCIF_RMA_XFER_DONE](t, m, from) {
    const rma = t.rmaOf(m.token);
    if (!rma) return true;
    if (!rma.isPeer(from)) return false;
    rma.delegatedDone(m);
    return true;
  },
};

function windowMessage(t: DispatchTarget, m: Message, from: number): boolean {
  if (!("token" in m)) return false;
  const rma = t.rmaOf(m.token);
  if (!rma) return true; // an endpoint that is gone: nothing to do
  if (!rma.isPeer(from)) return false;
  rma.message(m);
  return true;
}

/** Handles message `m` from slot `from` (null: it did not decode); false when it was dropped. */
export function dispatch(t: DispatchTarget, m: Message | null, from: number): boolean {
  if (m === null) {
    t.dropped();
    return false;
  }
  const handler = HANDLERS[m.op] as Handler<Message["op"]>;
  let ok = false;
  try {
    ok = handler(t, m as never, from);
  } catch {
    // A handler refuses what it cannot take (a ScifError, say): the message is dropped, and
    // the dispatcher goes on with the next.
  }
  if (!ok) t.dropped();
  return ok;
}
