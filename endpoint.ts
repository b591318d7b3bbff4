/**
 * `Endpoint`: a SCIF endpoint (scif_epd_t). Validates arguments the way the kernel does
 * and hands the call to the node's backend.
 *
 * @example
 * ```ts
 * import { openNode } from "./mod.ts";
 * const node = await openNode({ backend: "emu" });
 * const ep = node.open();
 * console.log(ep.bind(0) >= 1088); // true
 * ep.close();
 * await node.close();
 * ```
 *
 * @module
 */

import type { EndpointBackend } from "./_backend.ts";
import { ScifError } from "./errors.ts";
import type { PortId } from "./types.ts";
import { SCIF_PORT_MAX } from "./constants.ts";

/** Options of send and recv. @example `await ep.send(bytes, { block: false })` */
export interface TransferOptions {
  /** true (default): SCIF_SEND_BLOCK / SCIF_RECV_BLOCK, move every byte. false: move what can move now. */
  block?: boolean;
}

/** Options of accept. @example `await listener.accept({ block: false })` */
export interface AcceptOptions {
  /** true (default): SCIF_ACCEPT_SYNC, wait for a request. false: EAGAIN when none is pending. */
  block?: boolean;
}

/** The result of accept: the connected endpoint and its peer's port id. @example `const { endpoint, peer } = await l.accept();` */
export interface Accepted {
  /** The new endpoint, connected, bound to the listener's port. */
  endpoint: Endpoint;
  /** The requesting endpoint's port id. */
  peer: PortId;
}

function block(options: TransferOptions | AcceptOptions | undefined): boolean {
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  const b = options.block;
  if (b !== undefined && typeof b !== "boolean") throw new ScifError("EINVAL", "block must be a boolean");
  return b ?? true;
}

function bytes(data: unknown, what: string): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new ScifError("EINVAL", `${what} must be a Uint8Array`);
  return data;
}

function portOf(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > SCIF_PORT_MAX) {
    throw new ScifError("EINVAL", `${what} must be an integer in [0, ${SCIF_PORT_MAX}], got ${String(v)}`);
  }
  return v;
}

function rejected<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * A SCIF endpoint. Get one from `ScifNode.open()` or from `accept()`.
 *
 * @example
 * ```ts
 * import { openNode } from "./mod.ts";
 * const node = await openNode({ backend: "emu" });
 * using listener = node.open();
 * listener.bind(3000);
 * listener.listen(8);
 * using client = node.open();
 * const [{ endpoint }] = await Promise.all([listener.accept(), client.connect({ node: node.nodeId, port: 3000 })]);
 * await client.send(new Uint8Array([1, 2, 3]));
 * const got = new Uint8Array(3);
 * await endpoint.recv(got);
 * endpoint.close();
 * await node.close();
 * ```
 */
export class Endpoint {
  readonly #be: EndpointBackend;

  /** @internal Made by ScifNode.open() and accept(). */
  constructor(backend: EndpointBackend) {
    this.#be = backend;
  }

  /** @internal The backend endpoint (for ScifNode.poll). */
  get backend(): EndpointBackend {
    return this.#be;
  }

  /** This endpoint's port id once bound, else null. */
  get localId(): PortId | null {
    const id = this.#be.localId;
    return id ? { ...id } : null;
  }

  /** The peer's port id once connected, else null. */
  get peerId(): PortId | null {
    const id = this.#be.peerId;
    return id ? { ...id } : null;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#be.closed;
  }

  #open(): EndpointBackend {
    if (this.#be.closed) throw new ScifError("EBADF", "the endpoint is closed");
    return this.#be;
  }

  /** scif_bind: binds to `port`, or (0, the default) to a free port >= SCIF_PORT_RSVD. Returns the port. */
  bind(port = 0): number {
    const be = this.#open();
    return be.bind(portOf(port, "port"));
  }

  /** scif_listen: marks the endpoint as accepting up to `backlog` pending requests. */
  listen(backlog: number): void {
    const be = this.#open();
    if (typeof backlog !== "number" || !Number.isInteger(backlog)) {
      throw new ScifError("EINVAL", "backlog must be an integer");
    }
    be.listen(backlog);
  }

  /** scif_connect: connects to `dst` (binding first if unbound). Resolves to this endpoint's port id. */
  connect(dst: PortId): Promise<PortId> {
    return rejected(() => {
      const be = this.#open();
      if (typeof dst !== "object" || dst === null) throw new ScifError("EINVAL", "dst must be a port id");
      if (typeof dst.node !== "number" || !Number.isInteger(dst.node) || dst.node < 0) {
        throw new ScifError("ENODEV", `node ${String(dst.node)} does not exist`);
      }
      return be.connect({ node: dst.node, port: portOf(dst.port, "dst.port") }).then((id) => ({ ...id }));
    });
  }

  /** scif_accept: takes the next connection request (waiting for one unless `block: false`). */
  accept(options?: AcceptOptions): Promise<Accepted> {
    return rejected(async () => {
      const be = this.#open();
      const ep = await be.accept(block(options));
      return { endpoint: new Endpoint(ep), peer: { ...ep.peerId! } };
    });
  }

  /** scif_send: sends `data`; blocking (default) moves every byte, non-blocking what fits now. Resolves to the count. */
  send(data: Uint8Array, options?: TransferOptions): Promise<number> {
    try {
      return this.#open().send(bytes(data, "data"), block(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** scif_recv: receives into `into`; blocking (default) fills it, non-blocking takes what is there. Resolves to the count. */
  recv(into: Uint8Array, options?: TransferOptions): Promise<number> {
    try {
      return this.#open().recv(bytes(into, "into"), block(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** scif_close: closes the endpoint (a connected peer sees ECONNRESET, pending requests are refused). */
  close(): void {
    this.#open().close();
  }

  /** Closes the endpoint unless it is closed already. */
  [Symbol.dispose](): void {
    if (!this.#be.closed) this.#be.close();
  }
}
