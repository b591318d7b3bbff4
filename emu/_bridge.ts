// The bridge between the processes of an emulated SCIF network: each node of another process
// is a stand-in node in this process's shared memory (attached by the machine's thread, with
// N_REMOTE set), so local nodes talk to it as to any node; the bridge carries over sockets what
// is addressed to it.
//
// A connection from local endpoint E (node L) to port p of remote node R:
//   1. E's SCIF_CNCT_REQ reaches the stand-in R', whose forwarder queues it on an internal
//      listener of R' for port p and opens a socket to R's process: F_CONNECT {L, R, E's port, p}.
//   2. There the bridge opens endpoint X on its stand-in L', bound to E's port, and connects it
//      to R:p with the ordinary protocol; R's program accepts it (or not: F_REFUSED).
//   3. On F_ACCEPTED our side accepts E's request on the internal listener: endpoint Y of R',
//      E's peer. From then on a pipe moves Y's and X's bytes over that socket, one socket per
//      connection, so a reader that does not read stalls only its own connection.
// E sees its peer as R:p, R's program sees L:(E's port): the stand-ins are invisible.
// RMA: the windows of the far end are in memory this process cannot reach, so E's RMAs arrive
// at Y as SCIF_RMA_XFER (emu/_rma.ts); the bridge sends them down the pipe and X performs them
// (X is the far endpoint's real peer: it knows its windows and checks them), answering with
// the errno and the bytes read. Closing either end closes the other (F_EOF).
//
// Invariants:
// - Requests to one port of a stand-in are forwarded one at a time, in arrival order, so the
//   internal listener's oldest request is always the one being answered.
// - Nothing is written into this process's memory for a stand-in that has been lost.

import { SCIF_FENCE_INIT_SELF, SCIF_RMA_SYNC, SCIF_SIGNAL_REMOTE } from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { EmuEndpoint } from "./_endpoint.ts";
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
import type { EmuNode, Forwarder } from "./_node.ts";
import type { Message } from "./_nodeqp.ts";
import { SCIF_RMA_XFER_DONE } from "./_ops.ts";
import { XFER_READ, XFER_SIGNAL, XFER_WRITE } from "./_rma.ts";
import { type DirectPipe, registerPipe, unregisterPipe } from "./_direct.ts";

/** Largest stream chunk per frame. */
const CHUNK = 256 * 1024;
/** Bytes a non-blocking direct send may leave queued for the socket. */
const QUEUED_MAX = 256 * 1024;
/** How long an incoming connection waits for its stand-in to come up (presence may lag). */
const STAND_IN_WAIT_MS = 2000;

/** What the bridge needs of the machine: sockets to other nodes, and its stand-ins. */
export interface BridgeHost {
  /** A new socket to node `node`'s process. */
  dial(node: number): Promise<Deno.Conn>;
  /** The stand-in of remote node `node`, once it is up (null when it is not). */
  standIn(node: number): EmuNode | null;
}

/** How long a connect whose socket could not be opened waits for the node's loss to show. */
const LOSS_WAIT_MS = 1000;

/** A connection's two ends: endpoint `ep` here, its counterpart behind `link`. */
class Pipe implements DirectPipe {
  readonly ep: EmuEndpoint;
  readonly link: Link;
  readonly node: EmuNode;
  readonly #rma = new Map<number, { m: Message; addr: number; length: number }>();
  #nextRma = 1;

  readonly #onEnd: () => void;
  #idle = false;
  #queued = 0;

  constructor(ep: EmuEndpoint, link: Link, onEnd: () => void) {
    this.ep = ep;
    this.link = link;
    this.node = ep.node;
    this.#onEnd = onEnd;
    registerPipe(this.node.nodeId, ep.token, this);
    this.#out();
    this.#in();
  }

  get idle(): boolean {
    return this.#idle;
  }

  async sendDirect(data: Uint8Array, block: boolean): Promise<number> {
    if (this.link.closed) throw new ScifError("ECONNRESET", "the peer closed the connection");
    if (data.length === 0 || (!block && this.#queued > QUEUED_MAX)) return 0;
    this.#queued += data.length;
    // One write per frame: a copy of the bytes costs less than a second system call.
    const buf = new Uint8Array(HEADER + data.length);
    buf.set(data, HEADER);
    const sent = this.link.sendFrame(Link.header(buf, F_DATA, 0)).finally(
      () => (this.#queued -= data.length),
    );
    if (!block) {
      sent.catch(() => {});
      return data.length;
    }
    try {
      await sent;
    } catch {
      throw new ScifError("ECONNRESET", "the connection to the peer's process broke");
    }
    return data.length;
  }

  /** Our endpoint's bytes to the socket, then F_EOF once its peer closed and all was sent. */
  async #out(): Promise<void> {
    const buf = new Uint8Array(HEADER + CHUNK);
    try {
      for (;;) {
        this.#idle = true;
        const n = await this.ep.recvSome(buf.subarray(HEADER));
        this.#idle = false;
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
        // Our endpoint is gone (closed, or its peer's node lost): the far end learns it below.
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
    unregisterPipe(this.node.nodeId, this.ep.token);
    for (const r of this.#rma.values()) this.#reply(r.m, 104); // ECONNRESET
    this.#rma.clear();
    this.#onEnd();
  }

  /** SCIF_RMA_XFER from our endpoint's peer (a local endpoint): to the far end. */
  forward(m: Message): void {
    const kind = Number(m.p[3] & 0xffn);
    const flags = Number((m.p[3] >> 8n) & 0xffn);
    const addr = Number(m.p[2] >> 32n);
    const length = Number(m.p[2] & 0xffffffffn);
    const id = this.#nextRma++;
    const head = kind === XFER_WRITE ? 16 : kind === XFER_READ ? 20 : 24;
    const buf = new Uint8Array(HEADER + head + (kind === XFER_WRITE ? length : 0));
    const v = new DataView(buf.buffer, HEADER);
    v.setFloat64(0, Number(m.p[1]), true);
    v.setUint32(8, kind, true);
    v.setUint32(12, flags, true);
    if (kind === XFER_WRITE) buf.set(this.node.net.u8.subarray(addr, addr + length), HEADER + head);
    else if (kind === XFER_READ) v.setUint32(16, length, true);
    else v.setBigUint64(16, BigInt.asUintN(64, m.p[2]), true);
    this.#rma.set(id, { m, addr, length: kind === XFER_READ ? length : 0 });
    this.link.sendFrame(Link.header(buf, F_RMA, id)).catch(() => this.#end());
  }

  /** F_RMA_DONE: the bytes read go into the requester's memory, then its answer. */
  #answered(f: Frame): void {
    const r = this.#rma.get(f.id);
    if (!r) return;
    this.#rma.delete(f.id);
    const errno = new DataView(f.payload.buffer, f.payload.byteOffset, 4).getUint32(0, true);
    if (errno === 0 && r.length > 0) this.node.net.u8.set(f.payload.subarray(4, 4 + r.length), r.addr);
    this.#reply(r.m, errno);
  }

  #reply(m: Message, errno: number): void {
    // SCIF_RMA_XFER_DONE: p0 the requester's token (p3 >> 32 of its request) | request id << 32.
    const p0 = ((m.p[0] >> 32n) << 32n) | (m.p[3] >> 32n);
    this.node.tryPost(SCIF_RMA_XFER_DONE, m.dst, m.src, p0, BigInt(errno));
  }

  /** F_RMA from the far end: performed here, by our endpoint, whose peer owns the windows. */
  async #perform(f: Frame): Promise<void> {
    const v = new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.length);
    const offset = v.getFloat64(0, true);
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
      errno = e instanceof ScifError ? e.errno : 22;
      answer = new Uint8Array(HEADER + 4);
    }
    new DataView(answer.buffer, HEADER, 4).setUint32(0, errno, true);
    await this.link.sendFrame(Link.header(answer, F_RMA_DONE, f.id));
  }
}

/** The forwarder of every stand-in of this process, and the far end of their connections. */
export class Bridge implements Forwarder {
  readonly #host: BridgeHost;
  // Per stand-in and port: the internal listener, and the tail of its queue of requests.
  readonly #listeners = new Map<EmuNode, Map<number, { listener: EmuEndpoint; tail: Promise<void> }>>();
  // Pipes by the token of their endpoint, per node.
  readonly #pipes = new Map<EmuNode, Map<number, Pipe>>();

  constructor(host: BridgeHost) {
    this.#host = host;
  }

  /** Resolves once every pipe has ended (their endpoints' peers closed and what they had sent
   * went out), or after `ms`: a process must not exit with bytes still in its rings. */
  async drain(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while ([...this.#pipes.values()].some((p) => p.size > 0) && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Makes `node` a stand-in served by this bridge. */
  adopt(node: EmuNode): void {
    node.forwarder = this;
    this.#listeners.set(node, new Map());
    this.#pipes.set(node, new Map());
    node.onClose.push(() => this.#forget(node));
  }

  /** The stand-in is gone: its pipes end (their endpoints are reset by the node's loss). */
  forgetNode(node: EmuNode): void {
    this.#forget(node);
  }

  #forget(node: EmuNode): void {
    for (const p of this.#pipes.get(node)?.values() ?? []) p.link.close();
    this.#pipes.delete(node);
    this.#listeners.delete(node);
  }

  #pipe(ep: EmuEndpoint, link: Link): void {
    const pipes = this.#pipes.get(ep.node);
    if (!pipes) {
      link.close();
      if (!ep.closed) ep.close();
      return;
    }
    pipes.set(ep.token, new Pipe(ep, link, () => pipes.delete(ep.token)));
  }

  connectRequest(node: EmuNode, m: Message): void {
    const ports = this.#listeners.get(node);
    if (!ports) return;
    const port = m.dst.port;
    let entry = ports.get(port);
    if (!entry) {
      const listener = node.openEndpoint() as EmuEndpoint;
      listener.bindProxy(port);
      listener.listen(1 << 30);
      entry = { listener, tail: Promise.resolve() };
      ports.set(port, entry);
    }
    const { listener } = entry;
    const req = { peer: m.src, qp: Number(m.p[0]), token: Number(m.p[1]), epoch: Number(m.p[2]) };
    if (!listener.queueRequest(req)) return;
    entry.tail = entry.tail.then(() => this.#forwardConnect(node, listener, m));
  }

  async #forwardConnect(node: EmuNode, listener: EmuEndpoint, m: Message): Promise<void> {
    let link: Link | null = null;
    try {
      try {
        link = new Link(await this.#host.dial(node.nodeId));
      } catch (e) {
        // Nobody answers on the node's socket: its process is gone, and its presence socket is
        // about to say so. The request then fails as one to a lost node (ENODEV).
        const until = performance.now() + LOSS_WAIT_MS;
        while (this.#host.standIn(node.nodeId) === node && performance.now() < until) {
          await new Promise((r) => setTimeout(r, 10));
        }
        throw e;
      }
      await link.send(F_CONNECT, 0, {
        from: m.src.node,
        to: node.nodeId,
        srcPort: m.src.port,
        dstPort: m.dst.port,
      });
      const answer = await link.next();
      if (answer?.type !== F_ACCEPTED) throw new Error("refused");
      const ep = await listener.accept(false) as EmuEndpoint;
      this.#pipe(ep, link);
    } catch {
      link?.close();
      listener.rejectOldest();
    }
  }

  /** F_CONNECT from another process: connect to our node on behalf of the remote endpoint. */
  async serveConnect(link: Link, hello: { from: number; to: number; srcPort: number; dstPort: number }) {
    let errno = 19; // ENODEV: no stand-in for the requester
    const until = performance.now() + STAND_IN_WAIT_MS;
    let standIn = this.#host.standIn(hello.from);
    while (!standIn && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
      standIn = this.#host.standIn(hello.from);
    }
    if (standIn) {
      const ep = standIn.openEndpoint() as EmuEndpoint;
      try {
        ep.bindProxy(hello.srcPort);
        await ep.connect({ node: hello.to, port: hello.dstPort });
        await link.send(F_ACCEPTED);
        this.#pipe(ep, link);
        return;
      } catch (e) {
        errno = e instanceof ScifError ? e.errno : 111;
        if (!ep.closed) ep.close();
      }
    }
    await link.send(F_REFUSED, errno).catch(() => {});
    link.close();
  }

  rmaRequest(node: EmuNode, m: Message): void {
    // p0: our endpoint's token | request id << 32; p3 >> 32: the requester's token.
    const pipe = this.#pipes.get(node)?.get(Number(m.p[0] & 0xffffffffn));
    if (pipe) pipe.forward(m);
    else {
      const p0 = ((m.p[0] >> 32n) << 32n) | (m.p[3] >> 32n);
      node.tryPost(SCIF_RMA_XFER_DONE, m.dst, m.src, p0, 104n); // ECONNRESET: the pipe is gone
    }
  }
}
