// The bridge between machines: each node of another machine has a stand-in here (a slot of
// the linking process, attached with `standIn`), so the programs of this machine talk to it as
// to any node; the bridge carries over TCP what is addressed to it.
//
// A connection from endpoint E (a slot on node L of this machine) to port p of remote node R:
//   1. E's SCIF_CNCT_REQ reaches R's stand-in, whose forwarder queues it on an internal
//      listener of the stand-in for port p and opens a socket to R's machine:
//      F_CONNECT {from: L, to: R, srcPort: E's port, dstPort: p}.
//   2. There the bridge opens endpoint X on its stand-in of L, bound to E's port, and connects
//      it to R:p with the ordinary protocol; a program on R accepts it (or not: F_REFUSED).
//   3. On F_ACCEPTED our side accepts E's request on the internal listener: endpoint Y of the
//      stand-in, E's peer. From then on a pipe moves Y's and X's bytes over that socket, one
//      socket per connection, so a reader that does not read stalls only its own connection.
// E sees its peer as R:p, R's program sees L:(E's port): the stand-ins are invisible.
// RMA: the far end's windows are in memory this machine cannot reach, so E's RMAs arrive at Y
// as SCIF_RMA_XFER (emu/_rma.ts); the bridge sends them down the pipe and X performs them (X
// is the far endpoint's real peer: it knows its windows and checks them), answering with the
// errno and the bytes read. Closing either end closes the other (F_EOF).
//
// Invariants:
// - Requests to one port of a stand-in are forwarded one at a time, in arrival order, so the
//   internal listener's oldest request is always the one being answered.
// - Nothing is written into this machine's memory for a stand-in that has been lost.

import {
  SCIF_ADMIN_PORT_END,
  SCIF_FENCE_INIT_SELF,
  SCIF_RMA_SYNC,
  SCIF_SIGNAL_REMOTE,
} from "../../constants.ts";
import { ERRNO, ScifError } from "../../errors.ts";
import { offOfBig } from "../../_offset.ts";
import type { EmuEndpoint } from "../_endpoint.ts";
import type { Forwarder } from "../_dispatch.ts";
import {
  type Message,
  type SCIF_CNCT_REQ,
  type SCIF_RMA_XFER,
  SCIF_RMA_XFER_DONE,
  XFER_READ,
  XFER_SIGNAL,
  XFER_WRITE,
} from "../_messages.ts";
import type { EmuNode } from "../_node.ts";
import { delay } from "../../_delay.ts";
import {
  F_ACCEPTED,
  F_CONNECT,
  F_DATA,
  F_EOF,
  F_REFUSED,
  F_RMA,
  F_RMA_DONE,
  type Frame,
  HEADER,
  Link,
} from "./_link.ts";

type Of<O extends number> = Extract<Message, { op: O }>;

/** Largest stream chunk per frame. */
const CHUNK = 256 * 1024;
/** How long an incoming connection waits for its stand-in to come up (presence may lag). */
const STAND_IN_WAIT_MS = 2000;
/** How long a connect whose socket could not be opened waits for the node's loss to show. */
const LOSS_WAIT_MS = 1000;

/** What the bridge needs of the links: sockets to other machines, and the stand-ins. */
export interface BridgeHost {
  /** A new authenticated link to the machine of node `node`. */
  dial(node: number): Promise<Link>;
  /** The stand-in of remote node `node`, once it is up (null when it is not). */
  standIn(node: number): EmuNode | null;
  /** Whether this network lets ports below SCIF_ADMIN_PORT_END be bound (then also by
   * programs of linked machines). */
  readonly privileged: boolean;
  /** This machine's own nodes. */
  localNodes(): number[];
}

/** A connection's two ends: endpoint `ep` here, its counterpart behind `link`. */
class Pipe {
  readonly ep: EmuEndpoint;
  readonly link: Link;
  readonly node: EmuNode;
  readonly #rma = new Map<number, { m: Of<typeof SCIF_RMA_XFER>; from: number }>();
  #nextRma = 1;
  readonly #onEnd: () => void;

  constructor(ep: EmuEndpoint, link: Link, node: EmuNode, onEnd: () => void) {
    this.ep = ep;
    this.link = link;
    this.node = node;
    this.#onEnd = onEnd;
    this.#out();
    this.#in();
  }

  /** Our endpoint's bytes to the socket, then F_EOF once its peer closed and all was sent. */
  async #out(): Promise<void> {
    const buf = new Uint8Array(HEADER + CHUNK);
    try {
      for (;;) {
        const n = await this.ep.recvSome(buf.subarray(HEADER));
        if (n === 0) break;
        await this.link.sendFrame(Link.header(buf.subarray(0, HEADER + n), F_DATA, 0));
      }
      if (!this.link.closed) await this.link.send(F_EOF);
    } catch {
      this.#end();
    }
  }

  /** The socket's frames to our endpoint, in order. */
  async #in(): Promise<void> {
    for (;;) {
      const f = await this.link.next();
      if (!f || f.type === F_EOF) break;
      try {
        if (f.type === F_DATA) await this.ep.send(f.payload, true);
        else if (f.type === F_RMA) await this.#perform(f);
        else if (f.type === F_RMA_DONE) this.#answered(f);
      } catch {
        // Our endpoint is gone (closed, or its peer's slot ended): the far end learns it below.
        break;
      }
    }
    this.#end();
  }

  #end(): void {
    if (!this.ep.closed) {
      try {
        this.ep.close();
      } catch {
        // closed meanwhile
      }
    }
    this.link.close();
    for (const r of this.#rma.values()) this.#reply(r.m, r.from, ERRNO.ECONNRESET);
    this.#rma.clear();
    this.#onEnd();
  }

  /** SCIF_RMA_XFER from our endpoint's peer (a slot of this machine): to the far end. */
  forward(m: Of<typeof SCIF_RMA_XFER>, from: number): void {
    const id = this.#nextRma++;
    const head = m.kind === XFER_WRITE ? 16 : m.kind === XFER_READ ? 20 : 24;
    const buf = new Uint8Array(HEADER + head + (m.kind === XFER_WRITE ? m.length : 0));
    const v = new DataView(buf.buffer, HEADER);
    v.setBigInt64(0, BigInt(m.offset), true); // the off_t exactly: the kernel's offsets are near 2^63
    v.setUint32(8, m.kind, true);
    v.setUint32(12, m.flags, true);
    const u8 = this.node.net.u8;
    if (m.kind === XFER_WRITE) buf.set(u8.subarray(m.addr, m.addr + m.length), HEADER + head);
    else if (m.kind === XFER_READ) v.setUint32(16, m.length, true);
    else v.setBigUint64(16, BigInt.asUintN(64, m.value), true);
    this.#rma.set(id, { m, from });
    this.link.sendFrame(Link.header(buf, F_RMA, id)).catch(() => this.#end());
  }

  /** F_RMA_DONE: the bytes read go into the requester's memory, then its answer. */
  #answered(f: Frame): void {
    const r = this.#rma.get(f.id);
    if (!r) return;
    this.#rma.delete(f.id);
    const errno = new DataView(f.payload.buffer, f.payload.byteOffset, 4).getUint32(0, true);
    if (errno === 0 && r.m.kind === XFER_READ) {
      this.node.net.u8.set(f.payload.subarray(4, 4 + r.m.length), r.m.addr);
    }
    this.#reply(r.m, r.from, errno);
  }

  #reply(m: Of<typeof SCIF_RMA_XFER>, from: number, errno: number): void {
    this.node.tryPost(from, {
      op: SCIF_RMA_XFER_DONE,
      src: m.dst,
      dst: m.src,
      token: m.from,
      request: m.request,
      errno,
    });
  }

  /** F_RMA from the far end: performed here, by our endpoint, whose peer owns the windows. */
  async #perform(f: Frame): Promise<void> {
    const v = new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.length);
    const offset = offOfBig(v.getBigInt64(0, true));
    const kind = v.getUint32(8, true);
    const flags = v.getUint32(12, true) | SCIF_RMA_SYNC;
    let answer = new Uint8Array(HEADER + 4);
    let errno = 0;
    try {
      if (kind === XFER_WRITE) {
        await this.ep.vwriteTo(f.payload.slice(16), offset, flags);
      } else if (kind === XFER_READ) {
        answer = new Uint8Array(HEADER + 4 + v.getUint32(16, true));
        await this.ep.vreadFrom(answer.subarray(HEADER + 4), offset, flags);
      } else if (kind === XFER_SIGNAL) {
        await this.ep.fenceSignal(
          0,
          0n,
          offset,
          v.getBigUint64(16, true),
          SCIF_FENCE_INIT_SELF | SCIF_SIGNAL_REMOTE,
        );
      }
    } catch (e) {
      errno = e instanceof ScifError ? e.errno : ERRNO.EINVAL;
      answer = new Uint8Array(HEADER + 4);
    }
    new DataView(answer.buffer, HEADER, 4).setUint32(0, errno, true);
    await this.link.sendFrame(Link.header(answer, F_RMA_DONE, f.id));
  }
}

/** The forwarder of one stand-in: its internal listeners and its pipes. */
class StandIn implements Forwarder {
  readonly node: EmuNode;
  readonly #host: BridgeHost;
  // Per port: the internal listener, and the tail of its queue of requests.
  readonly #listeners = new Map<number, { listener: EmuEndpoint; tail: Promise<void> }>();
  // Pipes by the token of their endpoint.
  readonly pipes = new Map<number, Pipe>();

  constructor(node: EmuNode, host: BridgeHost) {
    this.node = node;
    this.#host = host;
  }

  pipe(ep: EmuEndpoint, link: Link): void {
    this.pipes.set(ep.token, new Pipe(ep, link, this.node, () => this.pipes.delete(ep.token)));
  }

  connectRequest(m: Of<typeof SCIF_CNCT_REQ>, from: number): void {
    const port = m.dst.port;
    let entry = this.#listeners.get(port);
    if (!entry) {
      const listener = this.node.openEndpoint() as EmuEndpoint;
      listener.bindProxy(port);
      listener.listen(1 << 30);
      entry = { listener, tail: Promise.resolve() };
      this.#listeners.set(port, entry);
    }
    const { listener } = entry;
    if (!listener.queueRequest(m, from)) return;
    entry.tail = entry.tail.then(() => this.#forward(listener, m));
  }

  async #forward(listener: EmuEndpoint, m: Of<typeof SCIF_CNCT_REQ>): Promise<void> {
    let link: Link | null = null;
    try {
      try {
        link = await this.#host.dial(this.node.nodeId);
      } catch (e) {
        // Nobody answers at the node's machine: it is gone, and its presence link is about to
        // say so. The request then fails as one to a lost node (ENODEV).
        const until = performance.now() + LOSS_WAIT_MS;
        while (this.#host.standIn(this.node.nodeId) === this.node && performance.now() < until) {
          await delay(10);
        }
        throw e;
      }
      await link.send(F_CONNECT, 0, {
        from: m.src.node,
        to: this.node.nodeId,
        srcPort: m.src.port,
        dstPort: m.dst.port,
      });
      const answer = await link.next();
      if (answer?.type !== F_ACCEPTED) throw new Error("refused");
      const ep = await listener.accept(false) as EmuEndpoint;
      this.pipe(ep, link);
    } catch {
      link?.close();
      listener.rejectOldest();
    }
  }

  rmaRequest(m: Of<typeof SCIF_RMA_XFER>, from: number): void {
    const pipe = this.pipes.get(m.token);
    if (pipe) pipe.forward(m, from);
    else {
      this.node.tryPost(from, {
        op: SCIF_RMA_XFER_DONE,
        src: m.dst,
        dst: m.src,
        token: m.from,
        request: m.request,
        errno: ERRNO.ECONNRESET, // the pipe is gone
      });
    }
  }

  /** Ends every pipe (the stand-in is gone). */
  end(): void {
    for (const p of this.pipes.values()) p.link.close();
  }
}

/** The forwarder of every stand-in of this process, and the far end of their connections. */
export class Bridge {
  readonly #host: BridgeHost;
  readonly #standIns = new Map<EmuNode, StandIn>();

  constructor(host: BridgeHost) {
    this.#host = host;
  }

  /** Resolves once every pipe has ended, or after `ms`: a process must not exit with bytes
   * still in its rings. */
  async drain(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while ([...this.#standIns.values()].some((s) => s.pipes.size > 0) && performance.now() < until) {
      await delay(5);
    }
  }

  /** Makes `node` a stand-in served by this bridge. */
  adopt(node: EmuNode): void {
    const s = new StandIn(node, this.#host);
    node.forwarder = s;
    this.#standIns.set(node, s);
    node.onClose.push(() => this.forget(node));
  }

  /** The stand-in is gone: its pipes end (their endpoints are reset by the node's loss). */
  forget(node: EmuNode): void {
    this.#standIns.get(node)?.end();
    this.#standIns.delete(node);
  }

  /** F_CONNECT from another machine, whose link authenticated for the nodes `claims`: connect
   * to our node on behalf of the remote endpoint. It must come from one of those nodes, from a
   * port this network allows, to a port of one of our nodes. */
  async serveConnect(
    link: Link,
    hello: { from: number; to: number; srcPort: number; dstPort: number },
    claims: number[],
  ): Promise<void> {
    const ok = (v: unknown, max: number) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
    if (
      typeof hello !== "object" || hello === null || !ok(hello.from, 63) || !ok(hello.to, 63) ||
      !ok(hello.srcPort, 65535) || !ok(hello.dstPort, 65535) || !claims.includes(hello.from) ||
      !this.#host.localNodes().includes(hello.to)
    ) {
      // A link that speaks for a node it did not authenticate for breaks the protocol.
      link.close();
      return;
    }
    if (hello.srcPort < SCIF_ADMIN_PORT_END && !this.#host.privileged) {
      await link.send(F_REFUSED, ERRNO.EACCES).catch(() => {});
      link.close();
      return;
    }
    let errno: number = ERRNO.ENODEV; // no stand-in for the requester
    const until = performance.now() + STAND_IN_WAIT_MS;
    let standIn = this.#host.standIn(hello.from);
    while (!standIn && performance.now() < until) {
      await delay(10);
      standIn = this.#host.standIn(hello.from);
    }
    const s = standIn ? this.#standIns.get(standIn) : undefined;
    if (standIn && s) {
      const ep = standIn.openEndpoint() as EmuEndpoint;
      try {
        ep.bindProxy(hello.srcPort);
        await ep.connect({ node: hello.to, port: hello.dstPort });
        await link.send(F_ACCEPTED);
        s.pipe(ep, link);
        return;
      } catch (e) {
        errno = e instanceof ScifError ? e.errno : ERRNO.ECONNREFUSED;
        if (!ep.closed) ep.close();
      }
    }
    await link.send(F_REFUSED, errno).catch(() => {});
    link.close();
  }
}
