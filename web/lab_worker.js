// constants.ts
var SCIF_PROT_READ = 1;
var SCIF_PROT_WRITE = 2;
var SCIF_RMA_USECPU = 1;
var SCIF_RMA_USECACHE = 2;
var SCIF_RMA_SYNC = 4;
var SCIF_RMA_ORDERED = 8;
var SCIF_FENCE_INIT_SELF = 1;
var SCIF_FENCE_INIT_PEER = 2;
var SCIF_SIGNAL_LOCAL = 16;
var SCIF_SIGNAL_REMOTE = 32;
var SCIF_ADMIN_PORT_END = 1024;
var SCIF_PORT_RSVD = 1088;
var SCIF_PORT_MAX = 65535;
var SCIF_PAGE_SIZE = 4096;
var POLLIN = 1;
var POLLOUT = 4;
var POLLERR = 8;
var POLLHUP = 16;
var POLLNVAL = 32;

// errors.ts
var ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
  ENOSPC: 28,
  EOPNOTSUPP: 95,
  EADDRINUSE: 98,
  ENOBUFS: 105,
  ECONNRESET: 104,
  EISCONN: 106,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EALREADY: 114,
  EINPROGRESS: 115
};
var ScifError = class _ScifError extends Error {
  /** The Linux errno name, e.g. "ECONNREFUSED". */
  code;
  /** The Linux x86-64 errno number, e.g. 111. */
  errno;
  /** Makes an error for `code`; `detail` says what happened. */
  constructor(code, detail) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = "ScifError";
    this.code = code;
    this.errno = ERRNO[code];
  }
  /** The error for a Linux errno number (as the hardware backend reads it). */
  static fromErrno(errno, detail) {
    for (const [name, value] of Object.entries(ERRNO)) {
      if (value === errno) return new _ScifError(name, detail);
    }
    const e = new _ScifError("EINVAL", `${detail ?? ""} (errno ${errno})`);
    e.errno = errno;
    return e;
  }
};

// _validate.ts
function blockOf(options) {
  if (options === void 0) return true;
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  const b = options.block;
  if (b !== void 0 && typeof b !== "boolean") throw new ScifError("EINVAL", "block must be a boolean");
  return b ?? true;
}
function bytesOf(v, what) {
  if (!(v instanceof Uint8Array)) throw new ScifError("EINVAL", `${what} must be a Uint8Array`);
  return v;
}
function portOf(v, what) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > SCIF_PORT_MAX) {
    throw new ScifError("EINVAL", `${what} must be an integer in [0, ${SCIF_PORT_MAX}], got ${String(v)}`);
  }
  return v;
}
function integerOf(v, what, min = Number.MIN_SAFE_INTEGER) {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw new ScifError("EINVAL", `${what} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ""}, got ${String(v)}`);
  }
  return v;
}
function u64Of(v, what) {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== "bigint" || v < 0n || v >= 1n << 64n) {
    throw new ScifError("EINVAL", `${what} must be a u64 bigint`);
  }
  return v;
}
function pageAligned(n, what) {
  if (n % SCIF_PAGE_SIZE !== 0) {
    throw new ScifError("EINVAL", `${what} ${n} is not page aligned (${SCIF_PAGE_SIZE})`);
  }
  return n;
}
function rejected(fn) {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}

// endpoint.ts
var Endpoint = class _Endpoint {
  #be;
  /** @internal Made by ScifNode.open() and accept(). */
  constructor(backend) {
    this.#be = backend;
  }
  /** @internal The backend endpoint (for ScifNode.poll). */
  get backend() {
    return this.#be;
  }
  /** This endpoint's port id once bound, else null. */
  get localId() {
    const id = this.#be.localId;
    return id ? {
      ...id
    } : null;
  }
  /** The peer's port id once connected, else null. */
  get peerId() {
    const id = this.#be.peerId;
    return id ? {
      ...id
    } : null;
  }
  /** True once closed. */
  get closed() {
    return this.#be.closed;
  }
  #open() {
    if (this.#be.closed) throw new ScifError("EBADF", "the endpoint is closed");
    return this.#be;
  }
  /** scif_bind: binds to `port`, or (0, the default) to a free port >= SCIF_PORT_RSVD. Returns the port. */
  bind(port2 = 0) {
    const be = this.#open();
    return be.bind(portOf(port2, "port"));
  }
  /** scif_listen: marks the endpoint as accepting up to `backlog` pending requests. */
  listen(backlog) {
    const be = this.#open();
    if (typeof backlog !== "number" || !Number.isInteger(backlog)) {
      throw new ScifError("EINVAL", "backlog must be an integer");
    }
    be.listen(backlog);
  }
  /** scif_connect: connects to `dst` (binding first if unbound). Resolves to this endpoint's port id. */
  connect(dst) {
    return rejected(() => {
      const be = this.#open();
      if (typeof dst !== "object" || dst === null) throw new ScifError("EINVAL", "dst must be a port id");
      if (typeof dst.node !== "number" || !Number.isInteger(dst.node) || dst.node < 0) {
        throw new ScifError("ENODEV", `node ${String(dst.node)} does not exist`);
      }
      return be.connect({
        node: dst.node,
        port: portOf(dst.port, "dst.port")
      }).then((id) => ({
        ...id
      }));
    });
  }
  /** scif_accept: takes the next connection request (waiting for one unless `block: false`). */
  accept(options) {
    return rejected(async () => {
      const be = this.#open();
      const ep2 = await be.accept(blockOf(options));
      return {
        endpoint: new _Endpoint(ep2),
        peer: {
          ...ep2.peerId
        }
      };
    });
  }
  /** scif_send: sends `data`; blocking (default) moves every byte, non-blocking what fits now. Resolves to the count. */
  send(data, options) {
    try {
      return this.#open().send(bytesOf(data, "data"), blockOf(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  /** scif_recv: receives into `into`; blocking (default) fills it, non-blocking takes what is there. Resolves to the count. */
  recv(into, options) {
    try {
      return this.#open().recv(bytesOf(into, "into"), blockOf(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  /**
   * scif_register: makes `memory` a window of this endpoint's registered address space, which
   * the peer can then reach by RMA and mmap with the protection `prot` (default READ|WRITE).
   * `memory` must come from `ScifNode.allocate` (or be a page-aligned part of it). The offset is
   * chosen by the library, or is `offset` exactly with `fixed: true` (SCIF_MAP_FIXED).
   * Returns the window's offset.
   *
   * @example
   * ```ts ignore
   * const mem = node.allocate(1 << 20);
   * const offset = ep.register(mem, { prot: SCIF_PROT_READ | SCIF_PROT_WRITE });
   * ```
   */
  register(memory, options = {}) {
    const be = this.#open();
    if (typeof options !== "object" || options === null) {
      throw new ScifError("EINVAL", "options must be an object");
    }
    const { offset, prot = SCIF_PROT_READ | SCIF_PROT_WRITE, fixed = false } = options;
    if (typeof fixed !== "boolean") throw new ScifError("EINVAL", "fixed must be a boolean (SCIF_MAP_FIXED)");
    if (fixed) pageAligned(integerOf(offset, "offset", 0), "offset");
    if (integerOf(prot, "prot") & ~(SCIF_PROT_READ | SCIF_PROT_WRITE)) {
      throw new ScifError("EINVAL", `prot has bits other than SCIF_PROT_READ | SCIF_PROT_WRITE: ${prot}`);
    }
    bytesOf(memory, "memory");
    if (memory.byteLength === 0) throw new ScifError("EINVAL", "the memory is empty");
    pageAligned(memory.byteLength, "the memory's length");
    if (fixed && offset + memory.byteLength > 2 ** 53) {
      throw new ScifError("EINVAL", "offset + length exceeds 2^53");
    }
    return be.register(memory, fixed ? offset : void 0, prot, fixed);
  }
  /**
   * scif_unregister: removes the whole windows that make up [offset, offset + length). Mappings
   * the peer holds of them stay valid until it unmaps them.
   *
   * @example
   * ```ts ignore
   * ep.unregister(offset, mem.length);
   * ```
   */
  unregister(offset, length) {
    const be = this.#open();
    if (pageAligned(integerOf(length, "length", 0), "length") === 0) {
      throw new ScifError("EINVAL", "the length is 0");
    }
    pageAligned(integerOf(offset, "offset", 0), "offset");
    be.unregister(offset, length);
  }
  /**
   * scif_readfrom: copies `length` bytes of the peer's registered space at `remoteOffset` into
   * ours at `localOffset`. Without SCIF_RMA_SYNC the node's DMA engine does it and the call may
   * resolve first (order it with fences); SCIF_RMA_USECPU copies in this thread.
   *
   * @example
   * ```ts ignore
   * await ep.readFrom(localOffset, 4096, remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  readFrom(localOffset, length, remoteOffset, flags = 0) {
    return rejected(() => this.#open().readFrom(...this.#copyArgs(localOffset, length, remoteOffset, flags)));
  }
  /**
   * scif_writeto: copies `length` bytes of our registered space at `localOffset` into the
   * peer's at `remoteOffset` (see readFrom for the flags).
   *
   * @example
   * ```ts ignore
   * await ep.writeTo(localOffset, 1 << 20, remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  writeTo(localOffset, length, remoteOffset, flags = 0) {
    return rejected(() => this.#open().writeTo(...this.#copyArgs(localOffset, length, remoteOffset, flags)));
  }
  #copyArgs(localOffset, length, remoteOffset, flags) {
    return [
      integerOf(localOffset, "localOffset"),
      integerOf(length, "length", 0),
      integerOf(remoteOffset, "remoteOffset"),
      integerOf(flags, "flags")
    ];
  }
  /**
   * scif_vreadfrom: copies `into.length` bytes of the peer's registered space at `remoteOffset`
   * into `into`, any Uint8Array.
   *
   * @example
   * ```ts ignore
   * const buf = new Uint8Array(100);
   * await ep.vreadFrom(buf, remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  vreadFrom(into, remoteOffset, flags = 0) {
    return rejected(() => this.#open().vreadFrom(bytesOf(into, "into"), integerOf(remoteOffset, "remoteOffset"), integerOf(flags, "flags")));
  }
  /**
   * scif_vwriteto: copies `from`, any Uint8Array, into the peer's registered space at
   * `remoteOffset`.
   *
   * @example
   * ```ts ignore
   * await ep.vwriteTo(new TextEncoder().encode("hi"), remoteOffset);
   * ```
   */
  vwriteTo(from, remoteOffset, flags = 0) {
    return rejected(() => this.#open().vwriteTo(bytesOf(from, "from"), integerOf(remoteOffset, "remoteOffset"), integerOf(flags, "flags")));
  }
  /**
   * scif_fence_mark: a mark for every RMA initiated so far by this endpoint's node
   * (SCIF_FENCE_INIT_SELF) or by the peer's (SCIF_FENCE_INIT_PEER); wait on it with fenceWait.
   *
   * @example
   * ```ts ignore
   * const mark = await ep.fenceMark(SCIF_FENCE_INIT_SELF);
   * await ep.fenceWait(mark);
   * ```
   */
  fenceMark(flags) {
    return rejected(() => this.#open().fenceMark(integerOf(flags, "flags")));
  }
  /**
   * scif_fence_wait: resolves once the RMAs a mark stands for are complete.
   *
   * @example
   * ```ts ignore
   * await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF));
   * ```
   */
  fenceWait(mark) {
    return rejected(() => {
      const m = integerOf(mark, "mark", 0);
      if (m >= 2 ** 32) throw new ScifError("EINVAL", `not a fence mark: ${mark}`);
      return this.#open().fenceWait(m);
    });
  }
  /**
   * scif_fence_signal: once the RMAs chosen by SCIF_FENCE_INIT_SELF or SCIF_FENCE_INIT_PEER are
   * complete, writes the u64 `localValue` at `localOffset` of our registered space
   * (SCIF_SIGNAL_LOCAL) and/or `remoteValue` at `remoteOffset` of the peer's
   * (SCIF_SIGNAL_REMOTE). Resolves once the writes are queued.
   *
   * @example
   * ```ts ignore
   * await ep.fenceSignal(0, 0n, flagOffset, 1n, SCIF_FENCE_INIT_SELF | SCIF_SIGNAL_REMOTE);
   * ```
   */
  fenceSignal(localOffset, localValue, remoteOffset, remoteValue, flags) {
    return rejected(() => this.#open().fenceSignal(integerOf(localOffset, "localOffset"), u64Of(localValue, "localValue"), integerOf(remoteOffset, "remoteOffset"), u64Of(remoteValue, "remoteValue"), integerOf(flags, "flags")));
  }
  /**
   * mmap of the peer's window: a live view of `length` bytes of the peer's registered space at
   * `remoteOffset` (page aligned). Stores through it are the peer's memory, with no call;
   * `prot` (SCIF_PROT_READ | SCIF_PROT_WRITE) must be allowed by the window. The view stays
   * valid until munmap, even after the peer unregisters or closes.
   *
   * @example
   * ```ts ignore
   * const view = ep.mmap(remoteOffset, 4096, SCIF_PROT_READ | SCIF_PROT_WRITE);
   * Atomics.store(new Int32Array(view.buffer, view.byteOffset, 1), 0, 42);
   * ep.munmap(view);
   * ```
   */
  mmap(remoteOffset, length, prot) {
    const be = this.#open();
    pageAligned(integerOf(remoteOffset, "remoteOffset", 0), "remoteOffset");
    if (integerOf(length, "length", 0) === 0) throw new ScifError("EINVAL", "the length is 0");
    if (integerOf(prot, "prot") & ~(SCIF_PROT_READ | SCIF_PROT_WRITE)) {
      throw new ScifError("EINVAL", `bad prot ${prot}`);
    }
    return be.mmap(remoteOffset, length, prot);
  }
  /**
   * munmap: ends a mapping mmap returned. The view must not be used afterwards.
   *
   * @example
   * ```ts ignore
   * ep.munmap(view);
   * ```
   */
  munmap(view2) {
    this.#be.munmap(bytesOf(view2, "view"));
  }
  /** scif_close: closes the endpoint (a connected peer sees ECONNRESET, pending requests are refused). */
  close() {
    this.#open().close();
  }
  /** Closes the endpoint unless it is closed already. */
  [Symbol.dispose]() {
    if (!this.#be.closed) this.#be.close();
  }
};

// node.ts
var ScifNode = class {
  #be;
  #endpoints = /* @__PURE__ */ new Set();
  #closed = false;
  /** @internal Made by openNode(), Network.node() and attachNode(). */
  constructor(backend) {
    this.#be = backend;
  }
  /** This node's SCIF node id (the host is 0). */
  get nodeId() {
    return this.#be.nodeId;
  }
  /** Which backend serves this node. */
  get backend() {
    return this.#be.kind;
  }
  #open() {
    if (this.#closed) throw new ScifError("ENODEV", "the node is closed");
    return this.#be;
  }
  /** scif_open: a new, unbound endpoint. */
  open() {
    const ep2 = new Endpoint(this.#open().openEndpoint());
    this.#endpoints.add(ep2);
    return ep2;
  }
  /** scif_get_node_ids: the online nodes, ascending, and this node's id. */
  getNodeIds() {
    return this.#open().getNodeIds();
  }
  /**
   * scif_poll: waits until an entry's events hold or `timeoutMs` passes (-1: no limit, 0: look
   * only). Sets each entry's `revents`; resolves to how many entries have any.
   */
  async poll(entries, timeoutMs) {
    const be = this.#open();
    if (!Array.isArray(entries)) throw new ScifError("EINVAL", "entries must be an array");
    if (typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs < -1) {
      throw new ScifError("EINVAL", "timeoutMs must be an integer >= -1");
    }
    const list = entries.map((e) => {
      if (typeof e !== "object" || e === null || !(e.endpoint instanceof Endpoint)) {
        throw new ScifError("EINVAL", "each entry needs an endpoint");
      }
      if (typeof e.events !== "number" || !Number.isInteger(e.events)) {
        throw new ScifError("EINVAL", "events must be an integer");
      }
      return {
        endpoint: e.endpoint.backend,
        events: e.events
      };
    });
    const revents = await be.poll(list, timeoutMs);
    let ready = 0;
    entries.forEach((e, i) => {
      e.revents = revents[i];
      if (revents[i] !== 0) ready++;
    });
    return ready;
  }
  /**
   * Page-aligned memory of `length` bytes (rounded up to pages), zeroed, that
   * `Endpoint.register` of any node accepts. It lives until `free` and until no window or
   * transfer uses it any more; a node's allocations also go when its node id is attached again.
   */
  allocate(length) {
    const be = this.#open();
    return be.allocate(integerOf(length, "length", 1));
  }
  /** Gives back memory from `allocate`: it is freed once no window or transfer uses it. */
  free(memory) {
    this.#open().free(bytesOf(memory, "memory"));
  }
  /** Closes every endpoint opened through this object, then the node. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    for (const ep2 of this.#endpoints) ep2[Symbol.dispose]();
    await this.#be.close();
  }
};

// core/scif_core.ts
var WASM_BASE64 = [
  "AGFzbQEAAAABVAtgAX8Bf2ACf38Bf2ACf38AYAJ/fwF8YAN/f38Bf2ADf39/AGACf34AYAd/f39/f39/AGAKf39/f39/fn5+fgF/",
  "YAJ/fwF+YAp/f39/f39+fn5+AAISAQNlbnYGbWVtb3J5AgMBgIAEAyIhAQADAQADBgEABAAAAgUAAgAHBAACAAAACAAACQAKAAAF",
  "BlMQfwBBAAt/AEEEC38AQQgLfwBBDAt/AEEQC38AQRQLfwBBGAt/AEEcC38AQSALfwBBwAALfwBBKAt/AEEwC38AQTgLfwBBPAt/",
  "AEEQC38AQcAACwf8BDEHUkJfQkFTRQMAB1JCX1NJWkUDAQxSQl9SRUFEX0NFTEwDAg1SQl9XUklURV9DRUxMAwMLUkJfQ1VSX1JF",
  "QUQDBAxSQl9DVVJfV1JJVEUDBQtSQl9XQUlUX09XTgMGDFJCX1dBSVRfUEVFUgMHDFJCX1NFRU5fUkVBRAMIDVJCX0RFU0NfQllU",
  "RVMDCQdyYl9tYXNrABAHcmJfaW5pdAARC3JiX3JldGFyZ2V0AA0IcmJfc3BhY2UACw9yYl93cml0ZV9vZmZzZXQACAtyYl9wcm9k",
  "dWNlZAAPCHJiX3dyaXRlAAkJcmJfY29tbWl0ABUIcmJfY291bnQAEw5yYl9yZWFkX29mZnNldAAOC3JiX2NvbnN1bWVkABQLcmJf",
  "Z2V0X25leHQAEhJyYl91cGRhdGVfcmVhZF9wdHIACg5yYl9zZXRfd2FpdGluZwAMBlNUX0tFWQMKBlNUX1BPUwMLB1NUX0xFRlQD",
  "DAVTVF9BVAMNCVNUX0hFQURFUgMOB3N0X2luaXQABghzdF9zcGFjZQABDXN0X3NwaW5fc3BhY2UAAApzdF9yZXNlcnZlAAIJc3Rf",
  "Y29tbWl0AAcHc3RfcGVlawAFCnN0X3JlbGVhc2UAAwpzdF9wdWJsaXNoAAQJTVNHX0JZVEVTAw8KbXNnX2VuY29kZQAdDG1zZ19z",
  "cmNfbm9kZQAXDG1zZ19zcmNfcG9ydAAWDG1zZ19kc3Rfbm9kZQAfDG1zZ19kc3RfcG9ydAAeBm1zZ19vcAAcC21zZ19wYXlsb2Fk",
  "ABsIbXNnX3NlbmQAGAhtc2dfcGVlawAaC21zZ19yZWxlYXNlABkIbWVtX2NvcHkAIAreDyGKAQECfyAAIAAoAgj+EAIAIgI2AiAg",
  "ACgCBEEBayACIAAoAhRrQQFrcUEBaiICQSBrQQAgAkEwTxshAgNAIAJFIAEgA0pxBEAgACAAKAII/hACACICNgIgIAAoAgRBAWsg",
  "AiAAKAIUa0EBa3FBAWoiAkEga0EAIAJBME8bIQIgA0EBaiEDDAELCyACCzgBAX8gACAAKAII/hACACIBNgIgIAAoAgRBAWsgASAA",
  "KAIUa0EBa3FBAWoiAEEga0EAIABBME8bC6UBAQJ/IAAoAgRBAWsgACgCICAAKAIUa0EBa3FBAWoiAkEga0EAIAJBME8bIgMgASAA",
  "KAIEQQJ2IgJNBEAgASECCyACSQRAIAAgACgCCP4QAgAiATYCICAAKAIEQQFrIAEgACgCFGtBAWtxQQFqIgFBIGtBACABQTBPGyED",
  "CyAAKAIEQQFrIAAoAhRBEGpxuEQAAAAAAACgQaIgAyACIAIgA0sbuKALrQEBAn8gACgCOCABayEDIAAgACgCBEEBayICIAAoAjwg",
  "AWpxIgE2AjwgACADNgI4IAMEQEEADwsgACAAKQMwIAFBD2pBcHEgAnEiASAAKAIQayACca18NwMwIAAgATYCECABIAAoAiBrIAJx",
  "IAJBAWpBAnZPBH9BAQUgACgCHP4QAgALBEAgACAAKAIQNgIgIAAoAgggACgCEP4XAgAgACgCHP4QAgBBAEcPC0EACzcAIAAoAiAg",
  "ACgCEEYEQEEADwsgACAAKAIQNgIgIAAoAgggACgCEP4XAgAgACgCHP4QAgBBAEcLogECA38BfiAAKAI4IgMEQCAAKAI8uEQAAAAA",
  "AACgQaIgA7igDwsgACgCECIDIAAoAgBqIQQgACkDKCAAKQMwQgF8hSEFA0AgBP4RAwAgBVIEQCABIAJMBEBEAAAAAAAAAAAPCyAC",
  "QQFqIQIMAQsLIAAoAgRBAWsgA0EQanEhASAAIAQoAggiAjYCOCAAIAE2AjwgAbhEAAAAAAAAoEGiIAK4oAseACAAIAE3AyggAEIA",
  "NwMwIABBADYCOCAAQQA2AjwLfgIDfwF+IAAoAhQiBCAAKAIAaiECIAApAzAhBSAAKAIEQQFrIAFBD2pBcHFBEGoiAyAEanEhBCAC",
  "IAE2AgggAkEANgIMIAAgBSADrXw3AzAgACAENgIUIAAoAgwgBDYCACACIAApAyggBUIBfIX+GAMAIAAoAhz+EAIAQQBHCwcAIAAo",
  "AhQLjAEBAn8gACAAKAII/hACACIDNgIgIAIgACgCBEEBayADIAAoAhRrQQFrcUsEQEF/DwsgAiAAKAIEIAAoAhQiA2siBCACIARJ",
  "GyEEIAMgACgCACIDaiABIAT8CgAAIAIgBEsEQCADIAEgBGogAiAEa/wKAAALIAAgACgCBEEBayAAKAIUIAJqcTYCFEEACyYAIAAg",
  "ACgCEDYCICAAKAIIIAAoAhD+FwIAIAAoAhz+EAIAQQBHCygBAX8gACAAKAII/hACACIBNgIgIAAoAgRBAWsgASAAKAIUa0EBa3EL",
  "DQAgACgCGCAB/hcCAAslACABIAAoAhD+FwIAIAAgACgCEDYCICAAIAE2AgggACACNgIYCwcAIAAoAhALGAAgACAAKAIEQQFrIAAo",
  "AhQgAWpxNgIUCwoAIAAoAgRBAWsLTAAgACABNgIAIAAgAjYCBCAAIAM2AgggACAENgIMIAAgA/4QAgA2AhAgACAE/hACADYCFCAA",
  "IAU2AhggACAGNgIcIAAgACgCEDYCIAuEAQECfyAAKAIM/hACACEDIAIgACgCBEEBayADIAAoAhBrcUsEQEF/DwsgAiAAKAIEIAAo",
  "AhAiA2siBCACIARJGyEEIAEgAyAAKAIAIgNqIAT8CgAAIAIgBEsEQCABIARqIAMgAiAEa/wKAAALIAAgACgCBEEBayAAKAIQIAJq",
  "cTYCEEEACyABAX8gACgCDP4QAgAhASAAKAIEQQFrIAEgACgCEGtxCxgAIAAgACgCBEEBayAAKAIQIAFqcTYCEAscACAAKAIMIAAo",
  "AhT+FwIAIAAoAhz+EAIAQQBHCwcAIAAvAQILBwAgAC8BAAvDAQEBfyAAIAAoAgj+EAIAIgo2AiAgACgCBEEBayAKIAAoAhRrQQFr",
  "cUHAAEkEQEEADwsgACgCFCAAKAIAaiIKIAE7AQAgCiACOwECIAogAzsBBCAKIAQ7AQYgCiAFNgIIIApBADYCDCAKIAY3AxAgCiAH",
  "NwMYIAogCDcDICAKIAk3AyggCkIANwMwIApCADcDOCAAIAAoAgRBAWsgACgCFEFAa3E2AhQgACgCDCAAKAIU/hcCAEEDQQEgACgC",
  "HP4QAgAbCzwAIAAgACgCBEEBayAAKAIQQUBrcTYCECAAIAAoAhA2AiAgACgCCCAAKAIQ/hcCACAAKAIc/hACAEEARws1AQF/IAAo",
  "Agz+EAIAIQEgACgCBEEBayABIAAoAhBrcUHAAEkEQEEADwsgACgCECAAKAIAagsTACAAQRBqIAFBA3FBA3RqKQMACwcAIAAoAggL",
  "VgAgACABOwEAIAAgAjsBAiAAIAM7AQQgACAEOwEGIAAgBTYCCCAAQQA2AgwgACAGNwMQIAAgBzcDGCAAIAg3AyAgACAJNwMoIABC",
  "ADcDMCAAQgA3AzgLBwAgAC8BBgsHACAALwEECwwAIAAgASAC/AoAAAs="
].join("");
async function instantiateCore(module, memory) {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory
    }
  });
  return instance.exports;
}

// emu/_layout.ts
var NET_BASE = 65536;
var NET_MAGIC = 1179206483;
var NET_VERSION = 3;
var LINE = 128;
var PAGE = 4096;
var H_MAGIC = 0;
var H_VERSION = 4;
var H_NODES = 8;
var H_RING_BYTES = 12;
var H_CONNECT_TIMEOUT_MS = 16;
var H_HEAP_LOCK = 20;
var H_HEAP_HINT = 24;
var H_PRIVILEGED = 28;
var H_SPIN = 32;
var H_ATTACH_LOCK = 36;
var H_NET_ID = 40;
var N_STATE = 0;
var N_EPOCH = 4;
var N_DOORBELL = 8;
var N_EVENT = 12;
var N_WATCHABLE = 16;
var N_DMA_SUBMITTED = 20;
var N_DMA_COMPLETED = 24;
var N_REMOTE = 28;
var NODE_OFFLINE = 0;
var NODE_ATTACHING = 1;
var NODE_ONLINE = 2;
var NODE_LOST = 3;
var QP_WRITE_CELL = 0;
var QP_WRITER_WAITING = LINE;
var QP_READ_CELL = 2 * LINE;
var QP_READER_WAITING = 3 * LINE;
var QP_RX_DESC = 4 * LINE;
var QP_TX_DESC = 4 * LINE + 64;
var QP_LOCAL_READ_CELL = 5 * LINE;
var QP_LOCAL_WAITING = 6 * LINE;
var QP_KEY = 7 * LINE;
var QP_DATA = 8 * LINE;
var NODEQP_RING_BYTES = 8192;
var NODEQP_BLOCK = QP_DATA + NODEQP_RING_BYTES;
function computeLayout(nodes, memoryBytes, ringBytes) {
  const header = NET_BASE;
  const nodeTable = header + LINE;
  const release = nodeTable + nodes * LINE;
  const nodeQps = align(release + nodes * nodes * 4, PAGE);
  const afterQps = nodeQps + nodes * nodes * NODEQP_BLOCK;
  const rest = memoryBytes - afterQps;
  if (rest <= 2 * PAGE) return null;
  let heapPages = Math.floor((rest - PAGE) / (PAGE + 8));
  const pageTable = afterQps;
  const place = () => align(pageTable + heapPages * 8, PAGE);
  let heap = place();
  while (heap + heapPages * PAGE > memoryBytes) {
    heapPages--;
    heap = place();
  }
  if (heapPages < 1) return null;
  const refTable = pageTable + heapPages * 4;
  return {
    nodes,
    memoryBytes,
    ringBytes,
    header,
    nodeTable,
    release,
    nodeQps,
    pageTable,
    refTable,
    heap,
    heapPages
  };
}
function nodeQp(l, reader, writer) {
  return l.nodeQps + (reader * l.nodes + writer) * NODEQP_BLOCK;
}
function nodeField(l, node2, field) {
  return l.nodeTable + node2 * LINE + field;
}
function releaseCell(l, j, k) {
  return l.release + (j * l.nodes + k) * 4;
}
function align(n, a) {
  return n + a - 1 & ~(a - 1);
}

// emu/_heap.ts
var HEAD = 1 << 30;
var TAIL = 1 << 29;
var OWNER_SHIFT = 22;
var OWNER_MASK = 127;
var PAGES_MASK = (1 << OWNER_SHIFT) - 1;
var INDEX_MASK = TAIL - 1;
var OWNER_NETWORK = 126;
var PageHeap = class {
  #l;
  #i32;
  #u8;
  #lock;
  #hint;
  #table;
  #refs;
  constructor(layout, buffer) {
    this.#l = layout;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    this.#lock = layout.header + H_HEAP_LOCK >> 2;
    this.#hint = layout.header + H_HEAP_HINT >> 2;
    this.#table = layout.pageTable >> 2;
    this.#refs = layout.refTable >> 2;
  }
  /** Allocates `bytes` (rounded up to pages), zeroed, for `owner`, with one reference.
   * Returns its address or 0. */
  alloc(bytes, owner) {
    const want = Math.max(1, Math.ceil(bytes / PAGE));
    if (want > PAGES_MASK) return 0;
    let at = -1;
    this.#acquire(owner);
    try {
      const hint = Atomics.load(this.#i32, this.#hint);
      at = this.#find(hint, this.#l.heapPages, want);
      if (at < 0) at = this.#find(0, this.#l.heapPages, want);
      if (at >= 0) {
        for (let p = at + 1; p < at + want; p++) Atomics.store(this.#i32, this.#table + p, TAIL | at);
        Atomics.store(this.#i32, this.#refs + at, 1);
        Atomics.store(this.#i32, this.#table + at, HEAD | owner + 1 << OWNER_SHIFT | want);
        Atomics.store(this.#i32, this.#hint, at + want);
      }
    } finally {
      this.#release();
    }
    if (at < 0) return 0;
    const addr = this.#l.heap + at * PAGE;
    this.#u8.fill(0, addr, addr + want * PAGE);
    return addr;
  }
  /** The run containing byte address `addr`: [head address, bytes], or null when the page
   * is free or outside the heap. */
  runOf(addr) {
    const page = Math.floor((addr - this.#l.heap) / PAGE);
    if (page < 0 || page >= this.#l.heapPages) return null;
    let e = Atomics.load(this.#i32, this.#table + page);
    let head = page;
    if (e & TAIL) {
      head = e & INDEX_MASK;
      e = Atomics.load(this.#i32, this.#table + head);
    }
    if (!(e & HEAD)) return null;
    return [
      this.#l.heap + head * PAGE,
      (e & PAGES_MASK) * PAGE
    ];
  }
  /** One more reference on the run whose head is at `head`. */
  retain(head) {
    Atomics.add(this.#i32, this.#refs + (head - this.#l.heap) / PAGE, 1);
  }
  /** One reference less on the run whose head is at `head`; the last one frees it. */
  release(head) {
    if (Atomics.sub(this.#i32, this.#refs + (head - this.#l.heap) / PAGE, 1) === 1) this.#free(head);
  }
  /** The run's reference count (for tests and accounting). */
  refs(head) {
    return Atomics.load(this.#i32, this.#refs + (head - this.#l.heap) / PAGE);
  }
  #free(addr) {
    const page = (addr - this.#l.heap) / PAGE;
    this.#acquire(OWNER_NETWORK);
    try {
      const pages = Atomics.load(this.#i32, this.#table + page) & PAGES_MASK;
      for (let p = page; p < page + pages; p++) Atomics.store(this.#i32, this.#table + p, 0);
      if (page < Atomics.load(this.#i32, this.#hint)) Atomics.store(this.#i32, this.#hint, page);
    } finally {
      this.#release();
    }
  }
  /** Frees every run `owner` allocated, whatever its references (a node id attached again:
   * everyone has released its previous incarnation). */
  reclaim(owner) {
    let freed = 0;
    this.#acquire(owner);
    try {
      for (let p = 0; p < this.#l.heapPages; ) {
        const e = Atomics.load(this.#i32, this.#table + p);
        if (!(e & HEAD)) {
          p++;
          continue;
        }
        const pages = e & PAGES_MASK;
        if ((e >>> OWNER_SHIFT & OWNER_MASK) - 1 === owner) {
          for (let q = p; q < p + pages; q++) Atomics.store(this.#i32, this.#table + q, 0);
          freed += pages;
        }
        p += pages;
      }
      Atomics.store(this.#i32, this.#hint, 0);
    } finally {
      this.#release();
    }
    return freed;
  }
  /** Pages in use, for tests and memory accounting. */
  usedPages() {
    let used = 0;
    for (let p = 0; p < this.#l.heapPages; ) {
      const e = Atomics.load(this.#i32, this.#table + p);
      if (!(e & HEAD)) p++;
      else {
        used += e & PAGES_MASK;
        p += e & PAGES_MASK;
      }
    }
    return used;
  }
  #find(from, to, want) {
    let run = 0;
    let start = from;
    for (let p = from; p < to; ) {
      const e = Atomics.load(this.#i32, this.#table + p);
      if (e !== 0) {
        p += e & HEAD ? e & PAGES_MASK : 1;
        run = 0;
        start = p;
        continue;
      }
      if (++run === want) return start;
      p++;
    }
    return -1;
  }
  #acquire(owner) {
    const me2 = owner + 1;
    for (let spins = 0; ; spins++) {
      const holder = Atomics.compareExchange(this.#i32, this.#lock, 0, me2);
      if (holder === 0) return;
      if (spins > 1 << 22 && holder - 1 < this.#l.nodes) {
        const state = Atomics.load(this.#i32, nodeField(this.#l, holder - 1, N_STATE) >> 2);
        if (state === NODE_LOST && Atomics.compareExchange(this.#i32, this.#lock, holder, me2) === holder) {
          return;
        }
      }
    }
  }
  #release() {
    Atomics.store(this.#i32, this.#lock, 0);
  }
};

// emu/_wait.ts
var sleepers = 0;
var keeper;
var denoTimers = globalThis.Deno;
function hold() {
  if (sleepers++ !== 0 || !denoTimers?.refTimer) return;
  keeper ??= setInterval(() => {
  }, 1 << 30);
  denoTimers.refTimer(keeper);
}
function unhold() {
  if (--sleepers === 0 && keeper !== void 0) denoTimers.unrefTimer(keeper);
}
async function keepAlive(p) {
  hold();
  try {
    return await p;
  } finally {
    unhold();
  }
}
var local = /* @__PURE__ */ new Map();
function notify(i32, index) {
  Atomics.notify(i32, index);
  const wakers = local.get(index);
  if (wakers) {
    local.delete(index);
    for (const wake of wakers) wake();
  }
}
async function sleepOn(i32, index, expected, timeoutMs = Infinity, keepProcess = true) {
  const w = Atomics.waitAsync(i32, index, expected, timeoutMs);
  if (!w.async) return w.value !== "timed-out";
  let wake;
  const woken = new Promise((r) => wake = () => r("ok"));
  const wakers = local.get(index);
  if (wakers) wakers.push(wake);
  else local.set(index, [
    wake
  ]);
  if (keepProcess) hold();
  try {
    return await Promise.race([
      w.value,
      woken
    ]) !== "timed-out";
  } finally {
    if (keepProcess) unhold();
    const list = local.get(index);
    const at = list?.indexOf(wake) ?? -1;
    if (at >= 0) {
      list.splice(at, 1);
      if (list.length === 0) local.delete(index);
    }
  }
}
async function sleepOnAny(i32, cells, timeoutMs) {
  const waits = [];
  for (const [index, expected] of cells) {
    const w = Atomics.waitAsync(i32, index, expected, timeoutMs);
    if (!w.async) return w.value !== "timed-out";
    waits.push(w.value);
  }
  hold();
  try {
    return await Promise.race(waits) !== "timed-out";
  } finally {
    unhold();
    for (const [index] of cells) Atomics.notify(i32, index);
  }
}

// emu/_shared.ts
var EmuShared = class _EmuShared {
  memory;
  module;
  core;
  layout;
  u8;
  i32;
  heap;
  connectTimeoutMs;
  spins;
  /** The network's identity: names its Web Locks. */
  id;
  privileged;
  constructor(memory, module, core) {
    this.memory = memory;
    this.module = module;
    this.core = core;
    const buffer = memory.buffer;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    const probe = computeLayout(1, buffer.byteLength, 0);
    const header = probe ? probe.header : 0;
    const h = (f) => Atomics.load(this.i32, header + f >> 2);
    if (h(H_MAGIC) !== NET_MAGIC || h(H_VERSION) !== NET_VERSION) {
      throw new ScifError("EINVAL", "the memory does not hold a scif emulated network");
    }
    const layout = computeLayout(h(H_NODES), buffer.byteLength, h(H_RING_BYTES));
    if (!layout) throw new ScifError("EINVAL", "corrupt network header");
    this.layout = layout;
    this.connectTimeoutMs = h(H_CONNECT_TIMEOUT_MS);
    this.id = [
      0,
      4,
      8,
      12
    ].map((o) => (h(H_NET_ID + o) >>> 0).toString(16).padStart(8, "0")).join("");
    this.spins = h(H_SPIN);
    this.privileged = h(H_PRIVILEGED) !== 0;
    this.heap = new PageHeap(layout, buffer);
  }
  /** The thread's view of the network in `memory` (made once per thread and memory). */
  static async of(memory, module) {
    let shared = views.get(memory.buffer);
    if (!shared) {
      const core = await instantiateCore(module, memory);
      shared = views.get(memory.buffer) ?? new _EmuShared(memory, module, core);
      views.set(memory.buffer, shared);
    }
    return shared;
  }
  /** Loads the i32 at byte address `addr`. */
  load(addr) {
    return Atomics.load(this.i32, addr >> 2);
  }
  /** Stores the i32 at byte address `addr`. */
  store(addr, value) {
    Atomics.store(this.i32, addr >> 2, value);
  }
  /** Compare-and-swap on the i32 at byte address `addr`; returns the value found. */
  cas(addr, expected, value) {
    return Atomics.compareExchange(this.i32, addr >> 2, expected, value);
  }
  /** Adds to the i32 at `addr` and wakes every thread sleeping on it. */
  ring(addr) {
    Atomics.add(this.i32, addr >> 2, 1);
    notify(this.i32, addr >> 2);
  }
  /** Rings every node's doorbell, so that each looks at the node table again. */
  ringAll() {
    for (let k = 0; k < this.layout.nodes; k++) this.ring(nodeField(this.layout, k, N_DOORBELL));
  }
};
var views = /* @__PURE__ */ new WeakMap();

// emu/_create.ts
var MIB = 1024 * 1024;

// emu/_copy.ts
function orderedCopy(memCopy, u8, dst, src, length, ordered) {
  if (!ordered) return memCopy(dst, src, length);
  const last = Math.max(dst, dst + length - 1 & ~63);
  memCopy(dst, src, last - dst);
  for (let a = last; a < dst + length; a++) Atomics.store(u8, a, u8[src + (a - dst)]);
}

// emu/_dma.ts
var RING_BYTES = 65536;
var READY_CELL = 7 * LINE;
var DMA_COPY = 1;
var DMA_SIGNAL = 2;
var DMA_STOP = 3;
var SEQ = 2147483647;
function reached(count, seq) {
  return (count - seq & SEQ) < 1073741824;
}
async function waitCompleted(net, node2, seq, spins, abort) {
  const i32 = net.i32;
  const cell = nodeField(net.layout, node2, N_DMA_COMPLETED) >> 2;
  for (let i = 0; i < spins; i++) if (reached(Atomics.load(i32, cell), seq)) return;
  for (; ; ) {
    const seen = Atomics.load(i32, cell);
    if (reached(seen, seq)) return;
    const e = abort?.();
    if (e) throw e;
    await sleepOn(i32, cell, seen, abort ? 20 : Infinity);
  }
}
var DmaEngine = class {
  #net;
  #nodeId;
  #block;
  #submitted;
  #completed;
  #worker = null;
  #after = [];
  #watching = false;
  #failed = null;
  constructor(net, nodeId) {
    this.#net = net;
    this.#nodeId = nodeId;
    this.#submitted = nodeField(net.layout, nodeId, N_DMA_SUBMITTED);
    this.#completed = nodeField(net.layout, nodeId, N_DMA_COMPLETED);
    net.store(this.#completed, net.load(this.#submitted));
    const block = net.heap.alloc(QP_DATA + RING_BYTES, nodeId);
    if (block === 0) throw new ScifError("ENOMEM", "no shared memory left for a DMA queue");
    this.#block = block;
    const b = block;
    net.core.rb_init(b + QP_RX_DESC, b + QP_DATA, RING_BYTES, b + QP_READ_CELL, b + QP_WRITE_CELL, b + QP_READER_WAITING, b + QP_WRITER_WAITING);
    net.core.rb_init(b + QP_TX_DESC, b + QP_DATA, RING_BYTES, b + QP_READ_CELL, b + QP_WRITE_CELL, b + QP_WRITER_WAITING, b + QP_READER_WAITING);
  }
  /** The sequence number of the last descriptor queued (a fence mark). */
  get submitted() {
    return this.#net.load(this.#submitted) & SEQ;
  }
  /** Whether the engine's Worker is serving its queue (it takes a while to start). */
  get started() {
    return this.#worker !== null && this.#net.load(this.#block + READY_CELL) === 1;
  }
  /** Whether every queued descriptor is done. */
  get idle() {
    return this.#net.load(this.#completed) === this.#net.load(this.#submitted);
  }
  /** Queues a copy of `length` bytes from `src` to `dst`; resolves to its sequence number. */
  copy(dst, src, length, ordered) {
    return this.#submit(DMA_COPY, BigInt(dst), BigInt(src), BigInt(length), ordered ? 1n : 0n);
  }
  /** Queues the store of a u64 `value` at `addr`, after every descriptor before it and, when
   * `peer` is given, after that node's engine has completed `peer.mark`. */
  signal(addr, value, peer) {
    const wait = peer ? BigInt(peer.node + 1) | BigInt(peer.epoch) << 32n : 0n;
    return this.#submit(DMA_SIGNAL, BigInt(addr), BigInt.asUintN(64, value), wait, BigInt(peer?.mark ?? 0));
  }
  /** Starts the engine's Worker now rather than at the first transfer (a Worker started by a
   * Worker takes about half a second to run). */
  start() {
    this.#worker ??= this.#start();
  }
  async #submit(op, p0, p1, p2, p3) {
    this.#worker ??= this.#start();
    const { core, i32 } = this.#net;
    const tx = this.#block + QP_TX_DESC;
    for (; ; ) {
      const sent = core.msg_send(tx, this.#nodeId, 0, this.#nodeId, 0, op, p0, p1, p2, p3);
      if (sent !== 0) {
        const seq = Atomics.add(i32, this.#submitted >> 2, 1) + 1 & SEQ;
        if (sent === 3) Atomics.notify(i32, this.#block + QP_WRITE_CELL >> 2);
        if (!this.started) await this.#ready();
        return seq;
      }
      core.rb_set_waiting(tx, 1);
      const cell = this.#block + QP_READ_CELL >> 2;
      const seen = Atomics.load(i32, cell);
      if (core.rb_space(tx) < 64) await sleepOn(i32, cell, seen, 10);
      core.rb_set_waiting(tx, 0);
    }
  }
  /** Resolves once the engine's Worker serves its queue. */
  async #ready() {
    const cell = this.#block + READY_CELL >> 2;
    while (Atomics.load(this.#net.i32, cell) !== 1) {
      if (this.#failed) throw this.#failed;
      await sleepOn(this.#net.i32, cell, 0, 100);
    }
  }
  /** Resolves once sequence number `seq` is done. */
  waitFor(seq, spins) {
    return waitCompleted(this.#net, this.#nodeId, seq, spins);
  }
  /** Runs `fn` once sequence number `seq` is done (now, if it is). */
  after(seq, fn) {
    if (reached(this.#net.load(this.#completed), seq)) return fn();
    this.#after.push({
      seq,
      fn
    });
    if (!this.#watching) this.#watch();
  }
  async #watch() {
    this.#watching = true;
    try {
      while (this.#after.length > 0) {
        await this.waitFor(this.#after[0].seq, 0);
        const done = this.#net.load(this.#completed);
        while (this.#after.length > 0 && reached(done, this.#after[0].seq)) this.#after.shift().fn();
      }
    } finally {
      this.#watching = false;
    }
  }
  /** Lets the queued descriptors finish, then stops the engine and frees its queue. */
  async close() {
    if (this.#worker) {
      const seq = await this.#submit(DMA_STOP, 0n, 0n, 0n, 0n);
      await Promise.race([
        this.waitFor(seq, 0),
        new Promise((r) => setTimeout(r, 1e3))
      ]);
      this.#worker.terminate();
      this.#worker = null;
    }
    for (const a of this.#after.splice(0)) a.fn();
    this.#net.heap.release(this.#block);
  }
  #start() {
    const src = `(${dmaEngineMain.toString()})(${orderedCopy.toString()})`;
    const url = URL.createObjectURL(new Blob([
      src
    ], {
      type: "text/javascript"
    }));
    const worker = new Worker(url, {
      type: "module",
      name: `scif DMA engine of node ${this.#nodeId}`
    });
    worker.onerror = (e) => {
      e.preventDefault();
      this.#failed = new ScifError("ENODEV", `the DMA engine of node ${this.#nodeId} could not run: ${e.message}`);
    };
    URL.revokeObjectURL(url);
    const l = this.#net.layout;
    const init2 = {
      memory: this.#net.memory,
      module: this.#net.module,
      rx: this.#block + QP_RX_DESC,
      ready: this.#block + READY_CELL,
      writeCell: this.#block + QP_WRITE_CELL,
      readCell: this.#block + QP_READ_CELL,
      completed: this.#completed,
      nodeTable: l.nodeTable,
      line: LINE,
      fields: {
        completed: N_DMA_COMPLETED,
        state: N_STATE,
        epoch: N_EPOCH,
        online: NODE_ONLINE
      },
      spins: this.#net.spins
    };
    worker.postMessage(init2);
    return worker;
  }
};
function dmaEngineMain(copy) {
  const me2 = self;
  me2.onmessage = async (e) => {
    const init2 = e.data;
    const instance = await WebAssembly.instantiate(init2.module, {
      env: {
        memory: init2.memory
      }
    });
    const core = instance.exports;
    const buffer = init2.memory.buffer;
    const u8 = new Uint8Array(buffer);
    const i32 = new Int32Array(buffer);
    const i64 = new BigInt64Array(buffer);
    const rx = init2.rx;
    const field = (node2, f) => init2.nodeTable + node2 * init2.line + f >> 2;
    const store64 = (addr, value) => {
      if (addr % 8 === 0) Atomics.store(i64, addr / 8, value);
      else {
        Atomics.store(i32, addr / 4, Number(BigInt.asIntN(32, value)));
        Atomics.store(i32, addr / 4 + 1, Number(BigInt.asIntN(32, value >> 32n)));
      }
    };
    const waitPeer = (node2, epoch, mark) => {
      const cell = field(node2, init2.fields.completed);
      for (; ; ) {
        const seen = Atomics.load(i32, cell);
        if ((seen - mark & 2147483647) < 1073741824) return true;
        if (Atomics.load(i32, field(node2, init2.fields.state)) !== init2.fields.online) return false;
        if (Atomics.load(i32, field(node2, init2.fields.epoch)) !== epoch) return false;
        Atomics.wait(i32, cell, seen, 10);
      }
    };
    Atomics.store(i32, init2.ready >> 2, 1);
    Atomics.notify(i32, init2.ready >> 2);
    for (; ; ) {
      let at = core.msg_peek(rx);
      for (let i = 0; at === 0 && i < init2.spins; i++) at = core.msg_peek(rx);
      if (at === 0) {
        core.rb_set_waiting(rx, 1);
        const seen = Atomics.load(i32, init2.writeCell >> 2);
        if (core.msg_peek(rx) === 0) Atomics.wait(i32, init2.writeCell >> 2, seen);
        core.rb_set_waiting(rx, 0);
        continue;
      }
      const op = core.msg_op(at);
      const p = [
        0,
        1,
        2,
        3
      ].map((w) => BigInt.asUintN(64, core.msg_payload(at, w)));
      if (core.msg_release(rx)) Atomics.notify(i32, init2.readCell >> 2);
      if (op === 1) copy(core.mem_copy, u8, Number(p[0]), Number(p[1]), Number(p[2]), (p[3] & 1n) === 1n);
      else if (op === 2) {
        const node2 = Number(p[2] & 0xffffffffn) - 1;
        if (node2 < 0 || waitPeer(node2, Number(p[2] >> 32n), Number(p[3]))) store64(Number(p[0]), p[1]);
      }
      Atomics.add(i32, init2.completed >> 2, 1);
      Atomics.notify(i32, init2.completed >> 2);
      if (op === 3) return me2.close();
    }
  };
}

// emu/_ops.ts
var SCIF_CNCT_REQ = 9;
var SCIF_CNCT_GNT = 10;
var SCIF_CNCT_GNTACK = 11;
var SCIF_CNCT_GNTNACK = 12;
var SCIF_CNCT_REJ = 13;
var SCIF_DISCNCT = 14;
var SCIF_DISCNT_ACK = 15;
var SCIF_REGISTER = 19;
var SCIF_UNREGISTER = 22;
var SCIF_UNREGISTER_ACK = 23;
var SCIF_UNREGISTER_NACK = 24;
var SCIF_MUNMAP = 29;
var SCIF_RMA_XFER = 64;
var SCIF_RMA_XFER_DONE = 65;

// emu/_qp.ts
var SMALL = 64;
var PACK = 134217728;
var EndpointQp = class _EndpointQp {
  /** The address of this endpoint's block in the shared memory. */
  block;
  #net;
  #core;
  #u8;
  #i32;
  #size;
  #rx;
  #tx;
  #rxBase;
  #txBase = 0;
  #txWriteCell = 0;
  #rxReadCell = 0;
  #rxWriteCell;
  #txReadCell;
  #attached = false;
  #peerAttached = false;
  #peerDoorbell = 0;
  constructor(net, block) {
    this.#net = net;
    this.#core = net.core;
    this.#u8 = net.u8;
    this.#i32 = net.i32;
    this.#size = net.layout.ringBytes;
    this.block = block;
    this.#rx = block + QP_RX_DESC;
    this.#tx = block + QP_TX_DESC;
    this.#rxBase = block + QP_DATA;
    this.#rxWriteCell = block + QP_WRITE_CELL;
    this.#txReadCell = block + QP_READ_CELL;
  }
  /** Allocates a block for an endpoint of node `owner` (ENOMEM when the memory is full). */
  static alloc(net, owner) {
    const block = net.heap.alloc(QP_DATA + net.layout.ringBytes, owner);
    if (block === 0) throw new ScifError("ENOMEM", "no shared memory left for an endpoint queue pair");
    net.u8.set(crypto.getRandomValues(new Uint8Array(8)), block + QP_KEY);
    return new _EndpointQp(net, block);
  }
  /** Builds both ring views once the peer's block is known; `peerDoorbell` is the doorbell of
   * the peer's node (rung when we wait for ring space, so that it publishes what it read). */
  attach(peer, peerDoorbell) {
    this.#peerDoorbell = peerDoorbell;
    const own = this.block;
    const core = this.#core;
    core.rb_init(this.#rx, this.#rxBase, this.#size, peer + QP_READ_CELL, this.#rxWriteCell, peer + QP_READER_WAITING, own + QP_WRITER_WAITING);
    core.rb_init(this.#tx, peer + QP_DATA, this.#size, this.#txReadCell, peer + QP_WRITE_CELL, peer + QP_WRITER_WAITING, own + QP_READER_WAITING);
    const u64 = new BigUint64Array(this.#net.memory.buffer);
    core.st_init(this.#rx, u64[own + QP_KEY >> 3]);
    core.st_init(this.#tx, u64[peer + QP_KEY >> 3]);
    this.#txBase = peer + QP_DATA;
    this.#txWriteCell = peer + QP_WRITE_CELL;
    this.#rxReadCell = peer + QP_READ_CELL;
    this.#attached = true;
    this.#peerAttached = true;
  }
  /** Stops every store into the peer's block (the peer left); the receive ring stays readable. */
  detachPeer() {
    if (!this.#peerAttached) return;
    this.#peerAttached = false;
    const own = this.block;
    this.#rxReadCell = own + QP_LOCAL_READ_CELL;
    this.#core.rb_retarget(this.#rx, this.#rxReadCell, own + QP_LOCAL_WAITING);
  }
  /** Returns the block to the heap: the peer must no longer write into it. */
  free() {
    this.detachPeer();
    this.#attached = false;
    this.#net.heap.release(this.block);
  }
  /** Copies what fits of data[from..] into the peer's ring and publishes it, as records of
   * at most a quarter of the ring. Returns the count. */
  put(data, from) {
    const core = this.#core;
    const u8 = this.#u8;
    const base = this.#txBase;
    let done = 0;
    do {
      const want = data.length - from - done;
      const r = core.st_reserve(this.#tx, want);
      const off = r / PACK | 0;
      const space = r - off * PACK;
      const n = space < want ? space : want;
      if (n === 0) break;
      const at = base + off;
      const src = from + done;
      const tail = this.#size - off;
      const first = n < tail ? n : tail;
      if (n <= SMALL) {
        for (let i = 0; i < first; i++) u8[at + i] = data[src + i];
        for (let i = first; i < n; i++) u8[base + i - first] = data[src + i];
      } else {
        u8.set(data.subarray(src, src + first), at);
        if (first < n) u8.set(data.subarray(src + first, src + n), base);
      }
      if (core.st_commit(this.#tx, n)) notify(this.#i32, this.#txWriteCell >> 2);
      done += n;
    } while (from + done < data.length);
    return done;
  }
  /** Copies what is available into into[from..], spinning up to `spins` turns while the ring
   * is empty, and publishes the consumption. Returns the count. */
  take(into, from, spins) {
    const core = this.#core;
    let r = core.st_peek(this.#rx, 0);
    if (r === 0) {
      this.publish();
      if (spins === 0 || (r = core.st_peek(this.#rx, spins)) === 0) return 0;
    }
    const off = r / PACK | 0;
    const count = r - off * PACK;
    const want = into.length - from;
    const n = count < want ? count : want;
    const u8 = this.#u8;
    const base = this.#rxBase;
    const tail = this.#size - off;
    const first = n < tail ? n : tail;
    const at = base + off;
    if (n <= SMALL) {
      for (let i = 0; i < first; i++) into[from + i] = u8[at + i];
      for (let i = first; i < n; i++) into[from + i] = u8[base + i - first];
    } else {
      into.set(u8.subarray(at, at + first), from);
      if (first < n) into.set(u8.subarray(base, base + n - first), from + first);
    }
    if (core.st_release(this.#rx, n)) notify(this.#i32, this.#rxReadCell >> 2);
    return n;
  }
  /** Data bytes of the record being received (0: nothing has arrived). */
  count() {
    if (!this.#attached) return 0;
    const r = this.#core.st_peek(this.#rx, 0);
    return r - (r / PACK | 0) * PACK;
  }
  /** Publishes the read offset if records were consumed since (see core-as/stream.ts). */
  publish() {
    if (this.#attached && this.#core.st_publish(this.#rx)) notify(this.#i32, this.#rxReadCell >> 2);
  }
  /** Whether everything we sent has been read (as far as the peer has published). */
  txDrained() {
    return this.#peerAttached && this.#core.st_space(this.#tx) === this.#size - 32;
  }
  /** Bytes that may be sent now (0 once the peer is gone). */
  space() {
    return this.#peerAttached ? this.#core.st_space(this.#tx) : 0;
  }
  /** Sleeps until the peer publishes bytes or `wake()` is called, unless `alive()` turns false
   * or bytes arrived meanwhile. */
  async sleepForData(alive) {
    const core = this.#core;
    core.rb_set_waiting(this.#rx, 1);
    const cell = this.#rxWriteCell >> 2;
    const seen = Atomics.load(this.#i32, cell);
    if (core.st_peek(this.#rx, 0) === 0 && alive()) await sleepOn(this.#i32, cell, seen);
    if (this.#attached) core.rb_set_waiting(this.#rx, 0);
  }
  /** Waits for send space: says so to the reader (which then publishes what it reads at once),
   * spins up to `spins` turns, then rings the peer's node (in case the reader is not reading
   * now) and sleeps until the reader publishes or `wake()`, unless `alive()` turns false. */
  async waitForSpace(spins, alive) {
    if (!this.#peerAttached) return;
    const core = this.#core;
    core.rb_set_waiting(this.#tx, 1);
    if (core.st_spin_space(this.#tx, spins) === 0) {
      this.#net.ring(this.#peerDoorbell);
      const cell = this.#txReadCell >> 2;
      const seen = Atomics.load(this.#i32, cell);
      if (core.st_space(this.#tx) === 0 && alive()) await sleepOn(this.#i32, cell, seen);
    }
    if (this.#peerAttached) core.rb_set_waiting(this.#tx, 0);
  }
  /** For poll: announces a wait for the `data` and/or `space` direction and returns the cells
   * to sleep on with the values seen now. Withdraw with `unannounce()`. */
  announce(data, space) {
    if (!this.#attached) return [];
    const cells = [];
    if (data) {
      this.#core.rb_set_waiting(this.#rx, 1);
      cells.push([
        this.#rxWriteCell >> 2,
        Atomics.load(this.#i32, this.#rxWriteCell >> 2)
      ]);
    }
    if (space && this.#peerAttached) {
      this.#core.rb_set_waiting(this.#tx, 1);
      this.#net.ring(this.#peerDoorbell);
      cells.push([
        this.#txReadCell >> 2,
        Atomics.load(this.#i32, this.#txReadCell >> 2)
      ]);
    }
    return cells;
  }
  /** Withdraws what announce() announced. */
  unannounce() {
    if (!this.#attached) return;
    this.#core.rb_set_waiting(this.#rx, 0);
    if (this.#peerAttached) this.#core.rb_set_waiting(this.#tx, 0);
  }
  /** Wakes every call of this thread sleeping on this queue pair (a state change). */
  wake() {
    notify(this.#i32, this.#rxWriteCell >> 2);
    notify(this.#i32, this.#txReadCell >> 2);
  }
};

// emu/_direct.ts
var pipes = /* @__PURE__ */ new Map();
var key = (node2, token) => `${node2}:${token}`;
function findPipe(node2, token) {
  return pipes.get(key(node2, token));
}

// _window.ts
var OFFSET_LIMIT = 2 ** 53;
var WindowList = class {
  #ws = [];
  /** Every window, by offset. */
  get windows() {
    return this.#ws;
  }
  /** The index of the first window that ends after `offset`. */
  #firstEndingAfter(offset) {
    let lo = 0;
    let hi = this.#ws.length;
    while (lo < hi) {
      const mid = lo + hi >> 1;
      const w = this.#ws[mid];
      if (w.offset + w.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** Whether any window overlaps [offset, offset + length). */
  overlaps(offset, length) {
    const w = this.#ws[this.#firstEndingAfter(offset)];
    return w !== void 0 && w.offset < offset + length;
  }
  insert(w) {
    this.#ws.splice(this.#firstEndingAfter(w.offset), 0, w);
  }
  remove(w) {
    const i = this.#ws.indexOf(w);
    if (i >= 0) this.#ws.splice(i, 1);
  }
  /** The window with id `id`. */
  byId(id) {
    return this.#ws.find((w) => w.id === id);
  }
  /** The highest free, page-aligned range of `length` bytes below the space's last page, or -1. */
  allocate(length) {
    let top = OFFSET_LIMIT - SCIF_PAGE_SIZE;
    for (let i = this.#ws.length - 1; i >= -1; i--) {
      const w = this.#ws[i];
      const floor = w ? w.offset + w.length : SCIF_PAGE_SIZE;
      if (top - floor >= length && top - length >= floor) return top - length;
      if (w) top = Math.min(top, w.offset);
    }
    return -1;
  }
  /**
   * The windows covering [offset, offset + length) back to back, cut into pieces, each
   * allowing `prot` (the kernel's scif_query_window): EINVAL for an empty range, ENXIO for a
   * range that leaves the windows (a hole, the end, a negative offset), EPERM for a window
   * whose protection forbids the access.
   */
  cover(offset, length, prot) {
    if (length === 0) throw new ScifError("EINVAL", "the length is 0");
    if (offset < 0 || offset + length > OFFSET_LIMIT) {
      throw new ScifError("ENXIO", `[${offset}, +${length}) is outside the registered address space`);
    }
    const pieces = [];
    let at = offset;
    const end = offset + length;
    for (let i = this.#firstEndingAfter(offset); at < end; i++) {
      const w = this.#ws[i];
      if (!w || w.offset > at) throw new ScifError("ENXIO", `offset ${at} is not in a registered window`);
      if ((w.prot & prot) !== prot) {
        throw new ScifError("EPERM", `the window at offset ${w.offset} does not allow ${prot & 2 ? "writing" : "reading"}`);
      }
      const n = Math.min(end, w.offset + w.length) - at;
      pieces.push({
        window: w,
        addr: w.addr + (at - w.offset),
        length: n
      });
      at += n;
    }
    return pieces;
  }
  /** The whole windows that make up [offset, offset + length) exactly (unregister): ENXIO
   * unless the range starts at a window's start and ends at a window's end, with no hole. */
  exactly(offset, length) {
    const pieces = this.cover(offset, length, 0);
    const first = pieces[0].window;
    const last = pieces[pieces.length - 1].window;
    if (first.offset !== offset || last.offset + last.length !== offset + length) {
      throw new ScifError("ENXIO", `[${offset}, +${length}) does not start and end on window boundaries`);
    }
    return pieces.map((p) => p.window);
  }
};

// emu/_rma.ts
var RMA_FLAGS = SCIF_RMA_USECPU | SCIF_RMA_SYNC | SCIF_RMA_ORDERED;
var XFER_WRITE = 1;
var XFER_READ = 2;
var XFER_SIGNAL = 3;
var SHARE_FROM = 256 * 1024;
var EndpointRma = class _EndpointRma {
  #link;
  #local = new WindowList();
  #remote = new WindowList();
  #dying = /* @__PURE__ */ new Map();
  #maps = /* @__PURE__ */ new Map();
  #nextId = 1;
  // RMAs handed to the bridge of a peer in another process, waiting for SCIF_RMA_XFER_DONE.
  #delegated = /* @__PURE__ */ new Map();
  #nextRequest = 1;
  constructor(link) {
    this.#link = link;
  }
  /** True when nothing is left that messages could still be about. */
  get empty() {
    return this.#local.windows.length === 0 && this.#dying.size === 0 && this.#maps.size === 0 && this.#delegated.size === 0;
  }
  // ---- scif_register, scif_unregister ----
  register(memory, offset, prot, fixed) {
    const net = this.#link.node.net;
    if (memory.buffer !== net.memory.buffer) {
      throw new ScifError("EFAULT", "the memory is not in the network's shared memory (use ScifNode.allocate)");
    }
    const run = net.heap.runOf(memory.byteOffset);
    if (!run || memory.byteOffset + memory.byteLength > run[0] + run[1]) {
      throw new ScifError("EFAULT", "the memory is not inside one live allocation of ScifNode.allocate");
    }
    const length = memory.byteLength;
    let at;
    if (fixed) {
      at = offset;
      if (this.#local.overlaps(at, length)) {
        throw new ScifError("EADDRINUSE", `[${at}, +${length}) overlaps a window`);
      }
    } else {
      at = this.#local.allocate(length);
      if (at < 0) throw new ScifError("ENOMEM", "no free range of registered offsets is large enough");
    }
    const w = {
      id: this.#nextId++,
      offset: at,
      length,
      addr: memory.byteOffset,
      prot,
      run: run[0]
    };
    net.heap.retain(w.run);
    this.#local.insert(w);
    this.#link.node.dma.start();
    const peer = this.#link.peer();
    this.#link.node.postOrdered(SCIF_REGISTER, this.#link.localId, peer.id, BigInt(peer.token) | BigInt(prot) << 32n, BigInt(at), BigInt(length), BigInt(w.addr) | BigInt(w.id) << 32n);
    return at;
  }
  unregister(offset, length) {
    for (const w of this.#local.exactly(offset, length)) this.#retire(w);
  }
  /** Takes a window out of the address space and asks the peer to let go of it. */
  #retire(w) {
    this.#local.remove(w);
    const peer = this.#link.peer();
    const told = peer && this.#link.node.tryPost(SCIF_UNREGISTER, this.#link.localId, peer.id, BigInt(peer.token), BigInt(w.id), BigInt(this.#link.token));
    if (told) {
      this.#dying.set(w.id, w);
    } else {
      this.#destroy(w);
    }
  }
  /** Releases a window's memory once our own queued transfers are done with it. */
  #destroy(w) {
    const heap = this.#link.node.net.heap;
    this.#link.node.afterDma(() => heap.release(w.run));
  }
  /** The peer's side of our windows. */
  message(m) {
    const id = Number(m.p[1]);
    switch (m.op) {
      case SCIF_REGISTER: {
        const w = {
          id: Number(m.p[3] >> 32n),
          offset: Number(m.p[1]),
          length: Number(m.p[2]),
          addr: Number(m.p[3] & 0xffffffffn),
          prot: Number(m.p[0] >> 32n),
          maps: 0,
          unregistered: false
        };
        this.#remote.insert(w);
        break;
      }
      case SCIF_UNREGISTER: {
        const w = this.#remote.byId(id);
        if (w) this.#remote.remove(w);
        if (w && w.maps > 0) {
          w.unregistered = true;
          this.#link.node.tryPost(SCIF_UNREGISTER_NACK, m.dst, m.src, m.p[2], m.p[1]);
        } else {
          unregisterAck(this.#link.node, m);
        }
        break;
      }
      case SCIF_UNREGISTER_ACK:
      case SCIF_MUNMAP: {
        const w = this.#dying.get(id);
        if (w) {
          this.#dying.delete(id);
          this.#destroy(w);
        }
        break;
      }
    }
  }
  // ---- RMA: scif_readfrom, scif_writeto, scif_vreadfrom, scif_vwriteto ----
  /** Checks flags the way the kernel does, after the connection check. */
  static checkFlags(flags, vectored) {
    const allowed = RMA_FLAGS | (vectored ? SCIF_RMA_USECACHE : 0);
    if ((flags & ~allowed) !== 0) {
      throw new ScifError("EINVAL", `bad RMA flags 0x${flags.toString(16)}${vectored ? "" : " (SCIF_RMA_USECACHE is for vreadFrom/vwriteTo)"}`);
    }
  }
  /**
   * A transfer between our registered space at `local` (or the array `local`) and the peer's
   * at `remoteOffset`. "read" brings the peer's bytes to us, "write" takes ours to the peer.
   */
  async transfer(dir, local2, length, remoteOffset, flags) {
    const node2 = this.#link.node;
    const net = node2.net;
    _EndpointRma.checkFlags(flags, typeof local2 !== "number");
    if (length === 0) throw new ScifError("EINVAL", "the length is 0");
    const peer = this.#link.peer();
    if (peer && node2.isRemote(peer.id.node)) {
      return this.#delegate(dir, local2, length, remoteOffset, flags, peer);
    }
    node2.pumpFrom(this.#link.peer()?.id.node);
    const remote = this.#remote.cover(remoteOffset, length, dir === "read" ? SCIF_PROT_READ : SCIF_PROT_WRITE);
    let localPieces;
    let buffer = null;
    if (typeof local2 === "number") {
      localPieces = this.#local.cover(local2, length, dir === "read" ? SCIF_PROT_WRITE : SCIF_PROT_READ);
    } else if (local2.buffer === net.memory.buffer && net.heap.runOf(local2.byteOffset)) {
      localPieces = [
        {
          addr: local2.byteOffset,
          length
        }
      ];
    } else {
      buffer = local2;
      localPieces = [
        {
          addr: -1,
          length
        }
      ];
    }
    const ordered = (flags & SCIF_RMA_ORDERED) !== 0;
    const segments = zip(localPieces, remote);
    const dma = node2.dma;
    const byCpu = buffer !== null || (flags & SCIF_RMA_USECPU) !== 0 || (flags & SCIF_RMA_SYNC) !== 0 && dma.idle;
    if (byCpu) {
      const share = buffer === null && !ordered && (flags & SCIF_RMA_USECPU) === 0 && dma.started && length >= SHARE_FROM;
      const [front, back] = share ? cut(segments, Math.floor(length / 2 / 64) * 64) : [
        segments,
        []
      ];
      let seq2 = -1;
      for (const s of back) {
        seq2 = await (dir === "read" ? dma.copy(s.local, s.remote, s.length, false) : dma.copy(s.remote, s.local, s.length, false));
      }
      front.forEach((s, i) => {
        const last = ordered && i === front.length - 1;
        if (buffer) {
          if (dir === "read") buffer.set(net.u8.subarray(s.remote, s.remote + s.length), s.local);
          else orderedCopyFrom(net.u8, buffer, s.remote, s.local, s.length, last);
        } else if (dir === "read") orderedCopy(net.core.mem_copy, net.u8, s.local, s.remote, s.length, last);
        else orderedCopy(net.core.mem_copy, net.u8, s.remote, s.local, s.length, last);
      });
      if (seq2 >= 0) await dma.waitFor(seq2, net.spins);
      return;
    }
    const held = typeof local2 === "number" ? null : net.heap.runOf(local2.byteOffset)[0];
    if (held !== null) net.heap.retain(held);
    let seq = 0;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      const last = ordered && i === segments.length - 1;
      seq = dir === "read" ? await dma.copy(s.local, s.remote, s.length, last) : await dma.copy(s.remote, s.local, s.length, last);
    }
    if (held !== null) dma.after(seq, () => net.heap.release(held));
    if (flags & SCIF_RMA_SYNC) await dma.waitFor(seq, net.spins);
  }
  // ---- RMA with a peer in another process ----
  //
  // Its windows are in memory this process cannot reach, so each contiguous piece of ours goes
  // to the peer's stand-in as SCIF_RMA_XFER (p0 the stand-in endpoint's token | request id
  // << 32, p1 the remote offset, p2 our address << 32 | length, or the u64 value to store,
  // p3 kind | flags << 8 | our token << 32); its bridge performs the transfer at the far end, copies read bytes
  // into our memory, and answers SCIF_RMA_XFER_DONE. Such a transfer is complete when its
  // call resolves, whatever the flags, so fences have nothing more to wait for.
  async #delegate(dir, local2, length, remoteOffset, flags, peer) {
    const net = this.#link.node.net;
    let pieces;
    const held = [];
    let temp = 0;
    if (typeof local2 === "number") {
      const covered = this.#local.cover(local2, length, dir === "read" ? SCIF_PROT_WRITE : SCIF_PROT_READ);
      for (const p of covered) held.push(p.window.run);
      pieces = covered;
    } else if (local2.buffer === net.memory.buffer && net.heap.runOf(local2.byteOffset)) {
      held.push(net.heap.runOf(local2.byteOffset)[0]);
      pieces = [
        {
          addr: local2.byteOffset,
          length
        }
      ];
    } else {
      temp = net.heap.alloc(Math.ceil(length / 4096) * 4096, this.#link.node.nodeId);
      if (temp === 0) throw new ScifError("ENOMEM", "no shared memory left to stage the transfer");
      if (dir === "write") net.u8.set(local2, temp);
      pieces = [
        {
          addr: temp,
          length
        }
      ];
    }
    for (const run of held) net.heap.retain(run);
    try {
      let at = remoteOffset;
      for (const p of pieces) {
        await this.#xfer(peer, dir === "read" ? XFER_READ : XFER_WRITE, at, BigInt(p.addr) << 32n | BigInt(p.length), flags);
        at += p.length;
      }
      if (temp && dir === "read") local2.set(net.u8.subarray(temp, temp + length));
    } finally {
      if (temp) net.heap.release(temp);
      for (const run of held) net.heap.release(run);
    }
  }
  /** fenceSignal's SCIF_SIGNAL_REMOTE to a peer in another process. */
  delegateSignal(remoteOffset, value) {
    const peer = this.#link.peer();
    if (!peer) return Promise.reject(new ScifError("ECONNRESET", "the peer closed the connection"));
    return this.#xfer(peer, XFER_SIGNAL, remoteOffset, BigInt.asUintN(64, value), 0);
  }
  #xfer(peer, kind, remote, p2, flags) {
    const id = this.#nextRequest++;
    const done = new Promise((resolve, reject) => this.#delegated.set(id, {
      resolve,
      reject
    }));
    this.#link.node.post(SCIF_RMA_XFER, this.#link.localId, peer.id, BigInt(peer.token) | BigInt(id) << 32n, BigInt(remote), p2, BigInt(kind) | BigInt(flags) << 8n | BigInt(this.#link.token) << 32n);
    return keepAlive(done);
  }
  /** SCIF_RMA_XFER_DONE: p0 our token | request id << 32, p1 0 or the errno at the far end. */
  delegatedDone(m) {
    const id = Number(m.p[0] >> 32n);
    const waiter = this.#delegated.get(id);
    if (!waiter) return;
    this.#delegated.delete(id);
    const errno = Number(m.p[1]);
    if (errno === 0) waiter.resolve();
    else waiter.reject(ScifError.fromErrno(errno, `at node ${m.src.node}, in another process`));
  }
  /** scif_fence_signal's window check: 8 bytes in one window that allows writing, on our side
   * or the peer's; resolves to their address. */
  signalAddress(side, offset) {
    if (side === "remote") this.#link.node.pumpFrom(this.#link.peer()?.id.node);
    const list = side === "local" ? this.#local : this.#remote;
    const pieces = list.cover(offset, 8, SCIF_PROT_WRITE);
    if (pieces.length !== 1) {
      throw new ScifError("ENXIO", `the 8 bytes at ${offset} cross the end of a window`);
    }
    return pieces[0].addr;
  }
  // ---- remote mmap ----
  mmap(offset, length, prot) {
    const node2 = this.#link.node;
    node2.pumpFrom(this.#link.peer()?.id.node);
    const pages = Math.ceil(length / 4096) * 4096;
    const pieces = this.#remote.cover(offset, pages, prot);
    for (let i = 1; i < pieces.length; i++) {
      if (pieces[i].addr !== pieces[i - 1].addr + pieces[i - 1].length) {
        throw new ScifError("EINVAL", "the range spans windows whose memory is not contiguous: map each window on its own");
      }
    }
    const windows = pieces.map((p) => p.window);
    for (const w of windows) w.maps++;
    const view2 = new Uint8Array(node2.net.memory.buffer, pieces[0].addr, length);
    this.#maps.set(view2, windows);
    return view2;
  }
  munmap(view2) {
    const windows = this.#maps.get(view2);
    if (!windows) {
      throw new ScifError("EINVAL", "not a view this endpoint's mmap returned (or already unmapped)");
    }
    this.#maps.delete(view2);
    for (const w of windows) {
      if (--w.maps > 0 || !w.unregistered) continue;
      const peer = this.#link.peer();
      if (peer) {
        this.#link.node.tryPost(SCIF_MUNMAP, this.#link.localId, peer.id, BigInt(peer.token), BigInt(w.id));
      }
    }
  }
  // ---- teardown ----
  /** Our endpoint closes: every window of ours is retired (the peer may keep mapping them
   * until it unmaps), and our copies of the peer's windows are forgotten, mappings excepted. */
  close() {
    for (const w of [
      ...this.#local.windows
    ]) this.#retire(w);
    for (const w of [
      ...this.#remote.windows
    ]) {
      this.#remote.remove(w);
      w.unregistered = true;
    }
  }
  /** The peer is gone for good (its node was lost): nothing of ours is in its hands. */
  peerGone() {
    for (const w of this.#delegated.values()) w.reject(new ScifError("ENODEV", "the peer's node was lost"));
    this.#delegated.clear();
    for (const w of [
      ...this.#local.windows,
      ...this.#dying.values()
    ]) {
      this.#local.remove(w);
      this.#destroy(w);
    }
    this.#dying.clear();
    for (const w of [
      ...this.#remote.windows
    ]) this.#remote.remove(w);
    this.#maps.clear();
  }
};
function unregisterAck(node2, m) {
  node2.afterDma(() => node2.tryPost(SCIF_UNREGISTER_ACK, m.dst, m.src, m.p[2], m.p[1]));
}
function zip(local2, remote) {
  const out = [];
  let i = 0;
  let j = 0;
  let li = 0;
  let rj = 0;
  let done = 0;
  while (i < local2.length && j < remote.length) {
    const n = Math.min(local2[i].length - li, remote[j].length - rj);
    const l = local2[i].addr < 0 ? done : local2[i].addr + li;
    out.push({
      local: l,
      remote: remote[j].addr + rj,
      length: n
    });
    done += n;
    li += n;
    rj += n;
    if (li === local2[i].length) [i, li] = [
      i + 1,
      0
    ];
    if (rj === remote[j].length) [j, rj] = [
      j + 1,
      0
    ];
  }
  return out;
}
function cut(segments, n) {
  const front = [];
  const back = [];
  let done = 0;
  for (const s of segments) {
    if (done >= n) back.push(s);
    else if (done + s.length <= n) front.push(s);
    else {
      const k = n - done;
      front.push({
        local: s.local,
        remote: s.remote,
        length: k
      });
      back.push({
        local: s.local + k,
        remote: s.remote + k,
        length: s.length - k
      });
    }
    done += s.length;
  }
  return [
    front,
    back
  ];
}
function orderedCopyFrom(u8, from, dst, at, length, ordered) {
  if (!ordered) {
    u8.set(from.subarray(at, at + length), dst);
    return;
  }
  const last = Math.max(dst, dst + length - 1 & ~63);
  u8.set(from.subarray(at, at + (last - dst)), dst);
  for (let a = last; a < dst + length; a++) Atomics.store(u8, a, from[at + (a - dst)]);
}

// emu/_endpoint.ts
var MARK_PEER = 2147483648;
var SEQ2 = 2147483647;
var RESOLVED_COUNTS = Array.from({
  length: 257
}, (_, n) => Promise.resolve(n));
function resolvedCount(n) {
  return n <= 256 ? RESOLVED_COUNTS[n] : Promise.resolve(n);
}
var EmuEndpoint = class {
  node;
  token;
  state = "UNBOUND";
  localId = null;
  peerId = null;
  /** The peer endpoint's token, once connected. */
  peerToken = 0;
  #qp = null;
  #target = -1;
  #backlog = 0;
  #conreqs = [];
  #error = null;
  #peerEpoch = -1;
  #rma = null;
  #spins;
  #portReleased = false;
  #direct = null;
  constructor(node2, token) {
    this.node = node2;
    this.token = token;
    this.#spins = node2.net.spins;
  }
  get closed() {
    return this.state === "CLOSING" || this.state === "CLOSED";
  }
  // ---- scif_bind, scif_listen ----
  bind(port2) {
    if (port2 !== 0 && port2 < SCIF_ADMIN_PORT_END && !this.node.net.privileged) {
      throw new ScifError("EACCES", `port ${port2} is below SCIF_ADMIN_PORT_END and the network is not privileged`);
    }
    if (this.state === "BOUND") throw new ScifError("EINVAL", "the endpoint is already bound");
    if (this.state !== "UNBOUND") throw new ScifError("EISCONN", `bind in state ${this.state}`);
    const bound = port2 === 0 ? this.node.ports.allocate() : this.node.ports.reserve(port2);
    this.localId = {
      node: this.node.nodeId,
      port: bound
    };
    this.state = "BOUND";
    return bound;
  }
  listen(backlog) {
    switch (this.state) {
      case "BOUND":
        this.#backlog = backlog;
        this.state = "LISTENING";
        this.node.addListener(this);
        return;
      case "LISTENING":
      case "CONNECTED":
      case "CONNECTING":
        throw new ScifError("EISCONN", `listen in state ${this.state}`);
      default:
        throw new ScifError("EINVAL", `listen in state ${this.state}`);
    }
  }
  // ---- scif_connect ----
  async connect(dst) {
    this.node.checkReachable(dst.node);
    switch (this.state) {
      case "LISTENING":
        throw new ScifError("EOPNOTSUPP", "connect on a listening endpoint");
      case "CONNECTING":
      case "CONNECTED":
        throw new ScifError("EISCONN", `connect in state ${this.state}`);
      case "DISCONNECTED":
        throw new ScifError("EINVAL", "connect on a disconnected endpoint");
      case "UNBOUND":
        this.bind(0);
    }
    this.#qp = EndpointQp.alloc(this.node.net, this.node.nodeId);
    this.state = "CONNECTING";
    this.#target = dst.node;
    this.#error = null;
    try {
      this.node.post(SCIF_CNCT_REQ, this.localId, dst, BigInt(this.#qp.block), BigInt(this.token), BigInt(this.node.epoch));
      const until = performance.now() + this.node.net.connectTimeoutMs;
      while (this.state === "CONNECTING") {
        const left = until - performance.now();
        if (left <= 0) {
          this.#error = new ScifError("ECONNREFUSED", `no answer from ${dst.node}:${dst.port}`);
          break;
        }
        await this.node.waitEvent(left);
      }
    } catch (e) {
      this.#error = e;
    }
    const state = this.state;
    if (state === "CONNECTED") return this.localId;
    if (state === "CONNECTING") this.#unconnect();
    if (this.closed) throw new ScifError("EINTR", "the endpoint was closed while connecting");
    throw this.#error ?? new ScifError("ECONNREFUSED", `${dst.node}:${dst.port} refused the connection`);
  }
  /** Back to BOUND after a failed connect; nobody references our block. */
  #unconnect() {
    this.state = "BOUND";
    this.#qp?.free();
    this.#qp = null;
  }
  /** SCIF_CNCT_GNT for our connect. Returns false when we no longer want it (the caller NACKs). */
  granted(from, peerQp, peerToken) {
    if (this.state !== "CONNECTING" || from.node !== this.#target) return false;
    this.#qp.attach(peerQp, this.node.doorbellOf(from.node));
    this.peerId = from;
    this.peerToken = peerToken;
    this.#peerEpoch = this.node.knownEpoch(from.node);
    this.#connected();
    if (!this.node.tryPost(SCIF_CNCT_GNTACK, this.localId, from, BigInt(peerToken))) this.#peerLeft();
    return true;
  }
  #connected() {
    this.state = "CONNECTED";
    if (this.node.isRemote(this.peerId.node)) this.#spins = 0;
    this.#rma = new EndpointRma({
      node: this.node,
      token: this.token,
      localId: this.localId,
      peer: () => this.peerId && this.node.knownEpoch(this.peerId.node) === this.#peerEpoch ? {
        id: this.peerId,
        token: this.peerToken
      } : null
    });
  }
  /** The RMA state, for the node's routing of window messages. */
  get rmaState() {
    return this.#rma;
  }
  /** SCIF_CNCT_REJ for our connect. */
  rejected(from) {
    if (this.state !== "CONNECTING" || from.node !== this.#target) return;
    this.#error = new ScifError("ECONNREFUSED", `nothing accepts connections on ${from.node}:${from.port}`);
    this.#unconnect();
  }
  /** For a bridge (emu/_bridge.ts): binds `port` whatever its range, sharing it when it is
   * taken (a stand-in's ports belong to another process's node, which checked them). */
  bindProxy(port2) {
    if (this.state !== "UNBOUND") throw new ScifError("EISCONN", `bind in state ${this.state}`);
    try {
      this.node.ports.reserve(port2);
    } catch {
      this.node.ports.hold(port2);
    }
    this.localId = {
      node: this.node.nodeId,
      port: port2
    };
    this.state = "BOUND";
  }
  /** For a bridge: refuses the oldest pending connection request (SCIF_CNCT_REJ). */
  rejectOldest() {
    const req = this.#conreqs.shift();
    if (req) this.node.tryPost(SCIF_CNCT_REJ, this.localId, req.peer, BigInt(req.token));
  }
  // ---- scif_accept ----
  /** A connection request arrived for this listener; false when it must be refused. */
  queueRequest(req) {
    if (this.state !== "LISTENING" || this.#conreqs.length >= this.#backlog) return false;
    this.#conreqs.push(req);
    return true;
  }
  async accept(block) {
    if (this.state !== "LISTENING") throw new ScifError("EINVAL", `accept in state ${this.state}`);
    for (; ; ) {
      while (this.#conreqs.length === 0) {
        if (!block) throw new ScifError("EAGAIN", "no connection request is pending");
        await this.node.waitEvent();
        if (this.state !== "LISTENING") throw new ScifError("EINTR", "the listener was closed");
      }
      const req = this.#conreqs.shift();
      const ep2 = this.node.acceptedEndpoint(this);
      try {
        await ep2.#handshake(req);
        return ep2;
      } catch (e) {
        ep2.#destroy();
        if (!(e instanceof ScifError && e.code === "EAGAIN" && block)) throw e;
      }
    }
  }
  /** The accept side of the handshake, on the new endpoint. */
  async #handshake(req) {
    this.node.checkReachable(req.peer.node, req.epoch);
    this.state = "ACCEPTING";
    this.peerId = req.peer;
    this.peerToken = req.token;
    this.#peerEpoch = req.epoch;
    this.#target = req.peer.node;
    try {
      this.#qp = EndpointQp.alloc(this.node.net, this.node.nodeId);
    } catch (e) {
      this.node.tryPost(SCIF_CNCT_REJ, this.localId, req.peer, BigInt(req.token));
      throw e;
    }
    this.#qp.attach(req.qp, this.node.doorbellOf(req.peer.node));
    this.node.post(SCIF_CNCT_GNT, this.localId, req.peer, BigInt(this.#qp.block), BigInt(req.token), BigInt(this.token));
    while (this.state === "ACCEPTING") await this.node.waitEvent();
    if (this.state === "CONNECTED") return;
    throw this.#error ?? new ScifError("EINTR", "the node was closed during accept");
  }
  /** SCIF_CNCT_GNTACK / SCIF_CNCT_GNTNACK for our grant. */
  grantAnswered(ok) {
    if (this.state !== "ACCEPTING") return;
    if (ok) {
      this.#connected();
      return;
    }
    this.#qp?.detachPeer();
    this.#error = new ScifError("EAGAIN", "the requester withdrew its connection request");
    this.state = "BOUND";
  }
  // ---- scif_send, scif_recv ----
  #streamError() {
    return this.state === "DISCONNECTED" ? new ScifError("ECONNRESET", "the peer closed the connection") : new ScifError("ENOTCONN", `the endpoint is not connected (${this.state})`);
  }
  send(data, block) {
    if (this.state === "CONNECTED") {
      if (this.#direct || this.#spins === 0 && this.#takeDirect()) {
        return this.#direct.sendDirect(data, block);
      }
      const n = this.#qp.put(data, 0);
      if (n === data.length || !block) return resolvedCount(n);
      return this.#sendRest(data, n);
    }
    if (data.length === 0) return resolvedCount(0);
    return Promise.reject(this.#streamError());
  }
  /**
   * A peer in another process whose pipe runs in this thread: from now on sends go straight
   * to its socket. Taken only once every byte sent so far has left the ring and the pump holds
   * none, so no byte can overtake an earlier one.
   */
  #takeDirect() {
    if (!this.node.isRemote(this.peerId.node)) return false;
    const pipe = findPipe(this.peerId.node, this.peerToken);
    if (!pipe || !pipe.idle || !this.#qp.txDrained()) return false;
    this.#direct = pipe;
    return true;
  }
  /** A blocking send that found the ring full after `done` bytes. */
  async #sendRest(data, done) {
    const len = data.length;
    const qp = this.#qp;
    const connected = () => this.state === "CONNECTED";
    while (done < len) {
      await qp.waitForSpace(this.#spins, connected);
      if (this.state !== "CONNECTED") {
        if (done > 0) return done;
        throw this.#streamError();
      }
      done += qp.put(data, done);
    }
    return done;
  }
  recv(into, block) {
    if (this.state === "CONNECTED") {
      const n = this.#qp.take(into, 0, block ? this.#spins : 0);
      if (n === into.length || !block) return resolvedCount(n);
      return this.#recvRest(into, n);
    }
    if (into.length === 0) return resolvedCount(0);
    if (this.state === "DISCONNECTED") return this.#recvRest(into, 0, block);
    return Promise.reject(this.#streamError());
  }
  /** The rest of a recv: a blocking one that has `got` bytes and wants more, or any recv
   * after the peer left (which drains what it sent, then reports ECONNRESET). */
  async #recvRest(into, got, block = true) {
    const len = into.length;
    const qp = this.#qp;
    const connected = () => this.state === "CONNECTED";
    while (got < len) {
      const n = qp.take(into, got, this.state === "CONNECTED" ? this.#spins : 0);
      got += n;
      if (n > 0) continue;
      if (!block || this.state !== "CONNECTED") break;
      await qp.sleepForData(connected);
      if (this.state !== "CONNECTED" && this.state !== "DISCONNECTED") break;
    }
    if (got > 0 || this.state === "CONNECTED") return got;
    throw this.#streamError();
  }
  /** For a bridge: waits for at least one byte and takes what is there (up to into.length);
   * 0 once the peer closed and everything it sent was taken, or the endpoint is not connected. */
  async recvSome(into) {
    for (; ; ) {
      if (this.state !== "CONNECTED" && this.state !== "DISCONNECTED") return 0;
      const n = this.#qp.take(into, 0, this.state === "CONNECTED" ? this.#spins : 0);
      if (n > 0 || this.state !== "CONNECTED") return n;
      await this.#qp.sleepForData(() => this.state === "CONNECTED");
    }
  }
  // ---- scif_poll ----
  /** The poll events that hold now (the kernel's __scif_pollfd). */
  pollEvents() {
    switch (this.state) {
      case "LISTENING":
        return this.#conreqs.length > 0 ? POLLIN : 0;
      case "CONNECTED": {
        const qp = this.#qp;
        return (qp.count() > 0 ? POLLIN : 0) | (qp.space() > 0 ? POLLOUT : 0);
      }
      case "DISCONNECTED":
        return POLLHUP | (this.#qp.count() > 0 ? POLLIN : 0);
      default:
        return POLLERR;
    }
  }
  /** Cells a poll sleeps on for `events`, announced to the peer (see EndpointQp.announce). */
  pollCells(events) {
    if (this.state !== "CONNECTED") return [];
    return this.#qp.announce((events & POLLIN) !== 0, (events & POLLOUT) !== 0);
  }
  /** Withdraws what pollCells announced. */
  pollDone() {
    this.#qp?.unannounce();
  }
  // ---- registration, RMA, fences, mmap (the connection check is the kernel's scif_verify_epd) ----
  #verified() {
    if (this.state === "DISCONNECTED") throw new ScifError("ECONNRESET", "the peer closed the connection");
    if (this.state !== "CONNECTED") {
      throw new ScifError("ENOTCONN", `the endpoint is not connected (${this.state})`);
    }
    this.node.checkReachable(this.peerId.node, this.#peerEpoch);
    return this.#rma;
  }
  register(memory, offset, prot, fixed) {
    if (memory.byteOffset % 4096 !== 0) {
      throw new ScifError("EINVAL", `the memory's address ${memory.byteOffset} is not page aligned`);
    }
    return this.#verified().register(memory, offset, prot, fixed);
  }
  unregister(offset, length) {
    this.#verified().unregister(offset, length);
  }
  async readFrom(localOffset, length, remoteOffset, flags) {
    await this.#verified().transfer("read", localOffset, length, remoteOffset, flags);
  }
  async writeTo(localOffset, length, remoteOffset, flags) {
    await this.#verified().transfer("write", localOffset, length, remoteOffset, flags);
  }
  async vreadFrom(into, remoteOffset, flags) {
    await this.#verified().transfer("read", into, into.length, remoteOffset, flags);
  }
  async vwriteTo(from, remoteOffset, flags) {
    await this.#verified().transfer("write", from, from.length, remoteOffset, flags);
  }
  fenceMark(flags) {
    this.#verified();
    if (flags !== SCIF_FENCE_INIT_SELF && flags !== SCIF_FENCE_INIT_PEER) {
      throw new ScifError("EINVAL", "fenceMark takes exactly one of SCIF_FENCE_INIT_SELF and SCIF_FENCE_INIT_PEER");
    }
    if (flags === SCIF_FENCE_INIT_SELF) return Promise.resolve(this.#submitted(this.node.nodeId));
    return Promise.resolve((this.#submitted(this.peerId.node) | MARK_PEER) >>> 0);
  }
  #submitted(node2) {
    return this.node.net.load(nodeField(this.node.net.layout, node2, N_DMA_SUBMITTED)) & SEQ2;
  }
  async fenceWait(mark) {
    this.#verified();
    const peer = mark >= MARK_PEER;
    const node2 = peer ? this.peerId.node : this.node.nodeId;
    const abort = peer ? () => {
      try {
        this.#verified();
        return null;
      } catch (e) {
        return e;
      }
    } : void 0;
    await waitCompleted(this.node.net, node2, (peer ? mark - MARK_PEER : mark) & SEQ2, this.node.net.spins, abort);
  }
  async fenceSignal(localOffset, localValue, remoteOffset, remoteValue, flags) {
    const rma = this.#verified();
    const init2 = flags & (SCIF_FENCE_INIT_SELF | SCIF_FENCE_INIT_PEER);
    const signal = flags & (SCIF_SIGNAL_LOCAL | SCIF_SIGNAL_REMOTE);
    if ((flags & ~(init2 | signal)) !== 0 || init2 !== SCIF_FENCE_INIT_SELF && init2 !== SCIF_FENCE_INIT_PEER || signal === 0) {
      throw new ScifError("EINVAL", `bad fence_signal flags 0x${flags.toString(16)}`);
    }
    if (signal & SCIF_SIGNAL_LOCAL && localOffset % 4 !== 0 || signal & SCIF_SIGNAL_REMOTE && remoteOffset % 4 !== 0) {
      throw new ScifError("EINVAL", "signal offsets must be 4-byte aligned");
    }
    const local2 = signal & SCIF_SIGNAL_LOCAL ? rma.signalAddress("local", localOffset) : -1;
    if (signal & SCIF_SIGNAL_REMOTE && this.node.isRemote(this.peerId.node)) {
      if (local2 >= 0) await this.node.dma.signal(local2, localValue);
      await rma.delegateSignal(remoteOffset, remoteValue);
      return;
    }
    const remote = signal & SCIF_SIGNAL_REMOTE ? rma.signalAddress("remote", remoteOffset) : -1;
    const peer = init2 === SCIF_FENCE_INIT_PEER ? {
      node: this.peerId.node,
      epoch: this.#peerEpoch,
      mark: this.#submitted(this.peerId.node)
    } : void 0;
    if (local2 >= 0) await this.node.dma.signal(local2, localValue, peer);
    if (remote >= 0) await this.node.dma.signal(remote, remoteValue, peer);
  }
  mmap(remoteOffset, length, prot) {
    const rma = this.#verified();
    if (this.node.isRemote(this.peerId.node)) {
      throw new ScifError("EOPNOTSUPP", `node ${this.peerId.node} runs in another process: its windows are not in memory this process can map (readFrom/writeTo reach them)`);
    }
    return rma.mmap(remoteOffset, length, prot);
  }
  munmap(view2) {
    (this.#rma ?? this.#verified()).munmap(view2);
    if (this.closed) this.node.keepZombie(this.token, this.#rma, this.peerId.node);
  }
  // ---- scif_close and the peer's side of it ----
  close() {
    if (this.closed) throw new ScifError("EBADF", "the endpoint is closed");
    this.#releasePort();
    if (this.#rma) {
      this.#rma.close();
      this.node.keepZombie(this.token, this.#rma, this.peerId.node);
    }
    switch (this.state) {
      case "LISTENING":
        for (const req of this.#conreqs.splice(0)) {
          this.node.tryPost(SCIF_CNCT_REJ, this.localId, req.peer, BigInt(req.token));
        }
        this.#destroy();
        break;
      case "CONNECTED":
        this.state = "CLOSING";
        this.#qp.detachPeer();
        if (!this.node.tryPost(SCIF_DISCNCT, this.localId, this.peerId, BigInt(this.peerToken), BigInt(this.token))) {
          this.#destroy();
        }
        break;
      default:
        this.#destroy();
    }
    this.#wake();
  }
  /** Publishes what our receive ring has consumed (the node does it for all when rung). */
  publishConsumption() {
    if (this.state === "CONNECTED") this.#qp.publish();
  }
  /** SCIF_DISCNCT from the peer. */
  peerClosed() {
    if (this.state === "CONNECTED") this.#peerLeft();
  }
  #peerLeft() {
    this.state = "DISCONNECTED";
    this.#qp?.detachPeer();
    this.#wake();
  }
  /** SCIF_DISCNT_ACK for our close: the peer no longer touches our block. */
  disconnectAcknowledged() {
    if (this.state === "CLOSING") this.#destroy();
  }
  /** Node k's incarnation ended (the kernel's scif_invalidate_ep). */
  nodeGone(k) {
    if (this.#target !== k && this.peerId?.node !== k) return;
    this.#rma?.peerGone();
    switch (this.state) {
      case "CONNECTED":
        this.#peerLeft();
        return;
      case "CONNECTING":
        this.#error = new ScifError("ENODEV", `node ${k} was lost`);
        this.#unconnect();
        break;
      case "ACCEPTING":
        this.#qp?.detachPeer();
        this.#error = new ScifError("ENODEV", `node ${k} was lost`);
        this.state = "BOUND";
        break;
      case "CLOSING":
        this.#destroy();
        break;
    }
    this.#wake();
  }
  /** Forgets the endpoint entirely: port, queue pair, table entry. */
  #destroy() {
    if (this.state === "CLOSED") return;
    this.state = "CLOSED";
    this.#wake();
    this.#qp?.free();
    this.#qp = null;
    this.#releasePort();
    this.node.forget(this);
  }
  #releasePort() {
    if (this.localId && !this.#portReleased) this.node.ports.release(this.localId.port);
    this.#portReleased = true;
  }
  /** Wakes every call of this thread sleeping on this endpoint. */
  #wake() {
    this.#qp?.wake();
    this.node.kick();
  }
};

// emu/_liveness.ts
function inWorker() {
  return typeof globalThis.WorkerGlobalScope !== "undefined";
}
function locks() {
  const nav = globalThis.navigator;
  return nav?.locks ?? null;
}
function lockName(networkId, nodeId) {
  return `scif-emu:${networkId}:node:${nodeId}`;
}
async function hold2(name) {
  const lm = locks();
  if (!lm) return null;
  let release;
  const held = new Promise((r) => release = r);
  let granted;
  const answer = new Promise((r) => granted = r);
  lm.request(name, {
    ifAvailable: true
  }, (lock) => {
    granted(lock !== null);
    return lock === null ? void 0 : held;
  }).catch(() => granted(false));
  return await answer ? release : null;
}
function watch(name, onEnd) {
  const lm = locks();
  if (!lm) return () => {
  };
  const stop = new AbortController();
  lm.request(name, {
    mode: "shared",
    signal: stop.signal
  }, () => {
    if (!stop.signal.aborted) onEnd();
  }).catch(() => {
  });
  return () => stop.abort();
}

// emu/_nodeqp.ts
function word(core, at, i) {
  return BigInt.asUintN(64, core.msg_payload(at, i));
}
function resetNodeQp(net, reader, writer) {
  const b = nodeQp(net.layout, reader, writer);
  net.u8.fill(0, b, b + QP_DATA);
  const { core } = net;
  const size = NODEQP_RING_BYTES;
  core.rb_init(b + QP_RX_DESC, b + QP_DATA, size, b + QP_READ_CELL, b + QP_WRITE_CELL, b + QP_READER_WAITING, b + QP_WRITER_WAITING);
  core.rb_init(b + QP_TX_DESC, b + QP_DATA, size, b + QP_READ_CELL, b + QP_WRITE_CELL, b + QP_WRITER_WAITING, b + QP_READER_WAITING);
}
var NodeQueuePairs = class {
  #net;
  #self;
  #outbox;
  constructor(net, self2) {
    this.#net = net;
    this.#self = self2;
    this.#outbox = Array.from({
      length: net.layout.nodes
    }, () => []);
  }
  /** Queues `m` for node `m.dst.node` and tries to deliver it now. */
  post(m) {
    const box = this.#outbox[m.dst.node];
    box.push(m);
    if (box.length === 1) this.#flushTo(m.dst.node);
  }
  /** Moves queued messages into the rings. True while some are still waiting for room. */
  flush() {
    let left = false;
    for (let j = 0; j < this.#outbox.length; j++) {
      if (this.#outbox[j].length > 0 && this.#flushTo(j) > 0) left = true;
    }
    return left;
  }
  /** How many messages for node `j` wait for room in its ring. */
  waiting(j) {
    return this.#outbox[j].length;
  }
  /** Forgets what is queued for node `j` (it is gone). */
  drop(j) {
    this.#outbox[j].length = 0;
  }
  /** Hands every message waiting from node `j` to `handle`, in order. */
  drain(j, handle) {
    const { core, layout } = this.#net;
    const rx = nodeQp(layout, this.#self, j) + QP_RX_DESC;
    for (let at = core.msg_peek(rx); at !== 0; at = core.msg_peek(rx)) {
      const m = {
        op: core.msg_op(at),
        src: {
          node: core.msg_src_node(at),
          port: core.msg_src_port(at)
        },
        dst: {
          node: core.msg_dst_node(at),
          port: core.msg_dst_port(at)
        },
        p: [
          word(core, at, 0),
          word(core, at, 1),
          word(core, at, 2),
          word(core, at, 3)
        ]
      };
      core.msg_release(rx);
      try {
        handle(m);
      } catch (e) {
        if (!(e instanceof ScifError)) throw e;
      }
    }
  }
  #flushTo(j) {
    const box = this.#outbox[j];
    const { core, layout } = this.#net;
    const tx = nodeQp(layout, j, this.#self) + QP_TX_DESC;
    let sent = 0;
    while (sent < box.length) {
      const m = box[sent];
      if (core.msg_send(tx, m.src.node, m.src.port, m.dst.node, m.dst.port, m.op, m.p[0], m.p[1], m.p[2], m.p[3]) === 0) break;
      sent++;
    }
    if (sent > 0) {
      box.splice(0, sent);
      this.#net.ring(nodeField(layout, j, N_DOORBELL));
    }
    return box.length;
  }
};

// emu/_ports.ts
var PortTable = class {
  #refs = /* @__PURE__ */ new Map();
  /** Takes exactly `port` (EINVAL when it is in use: the kernel reports no EADDRINUSE). */
  reserve(port2) {
    if (this.#refs.has(port2)) throw new ScifError("EINVAL", `port ${port2} is in use`);
    this.#refs.set(port2, 1);
    return port2;
  }
  /** Takes the lowest free port above SCIF_PORT_RSVD (the kernel's scif_get_new_port). */
  allocate() {
    for (let p = SCIF_PORT_RSVD + 1; p <= SCIF_PORT_MAX; p++) {
      if (!this.#refs.has(p)) {
        this.#refs.set(p, 1);
        return p;
      }
    }
    throw new ScifError("ENOSPC", "no free port");
  }
  /** One more endpoint uses `port`. */
  hold(port2) {
    this.#refs.set(port2, (this.#refs.get(port2) ?? 0) + 1);
  }
  /** One endpoint less uses `port`; the last one frees it. */
  release(port2) {
    const refs = (this.#refs.get(port2) ?? 1) - 1;
    if (refs <= 0) this.#refs.delete(port2);
    else this.#refs.set(port2, refs);
  }
};

// emu/_node.ts
var RELEASE_WAIT_MS = 5e3;
var CLOSE_WAIT_MS = 200;
var POST_WAIT_MS = 3e3;
var EmuNode = class _EmuNode {
  kind = "emu";
  nodeId;
  net;
  epoch;
  ports = new PortTable();
  #qps;
  #stopped = false;
  #dispatcher = Promise.resolve();
  #listeners = /* @__PURE__ */ new Map();
  #endpoints = /* @__PURE__ */ new Map();
  #nextToken = 1;
  #known;
  #unwatch;
  #eventCell;
  #doorbell;
  #releaseLiveness;
  #dma = null;
  #allocations = /* @__PURE__ */ new Set();
  // RMA state of closed endpoints that the peer may still send window messages about.
  #zombies = /* @__PURE__ */ new Map();
  /** Set on a node that stands in for a node of another process. */
  forwarder = null;
  /** Called once the node has closed (the machine network's bookkeeping, emu/_machine.ts). */
  onClose = [];
  constructor(net, nodeId, epoch, liveness) {
    this.net = net;
    this.nodeId = nodeId;
    this.epoch = epoch;
    this.#releaseLiveness = liveness;
    const n = net.layout.nodes;
    this.#qps = new NodeQueuePairs(net, nodeId);
    this.#known = new Array(n).fill(-1);
    this.#known[nodeId] = epoch;
    this.#unwatch = new Array(n).fill(null);
    this.#eventCell = nodeField(net.layout, nodeId, N_EVENT);
    this.#doorbell = nodeField(net.layout, nodeId, N_DOORBELL);
  }
  /** Attaches node `nodeId` of `net` in this thread (EBUSY if it is attached elsewhere);
   * `remote`: as the stand-in of a node of another process (emu/_bridge.ts). */
  static async attach(net, nodeId, remote = false) {
    const l = net.layout;
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId >= l.nodes) {
      throw new ScifError("ENODEV", `node ${nodeId} does not exist (the network has ${l.nodes})`);
    }
    const state = nodeField(l, nodeId, N_STATE);
    let was = net.cas(state, NODE_OFFLINE, NODE_ATTACHING);
    if (was === NODE_LOST) was = net.cas(state, NODE_LOST, NODE_ATTACHING);
    if (was !== NODE_OFFLINE && was !== NODE_LOST) {
      throw new ScifError("EBUSY", `node ${nodeId} is already attached by another thread`);
    }
    let liveness = null;
    try {
      if (inWorker()) liveness = await holdLiveness(net, nodeId);
      await waitForRelease(net, nodeId);
    } catch (e) {
      liveness?.();
      net.store(state, was);
      throw e;
    }
    const lock = l.header + H_ATTACH_LOCK;
    while (net.cas(lock, 0, nodeId + 1) !== 0) {
    }
    let epoch;
    try {
      const previous = net.load(nodeField(l, nodeId, N_EPOCH));
      if (previous > 0) net.heap.reclaim(nodeId);
      for (let j = 0; j < l.nodes; j++) {
        resetNodeQp(net, nodeId, j);
        if (j !== nodeId) resetNodeQp(net, j, nodeId);
        const ej = net.load(nodeField(l, j, N_EPOCH));
        const online = j !== nodeId && net.load(nodeField(l, j, N_STATE)) === NODE_ONLINE;
        net.store(releaseCell(l, nodeId, j), online ? ej - 1 : ej);
      }
      epoch = previous + 1;
      net.store(nodeField(l, nodeId, N_EPOCH), epoch);
      net.store(nodeField(l, nodeId, N_WATCHABLE), liveness ? 1 : 0);
      net.store(nodeField(l, nodeId, N_REMOTE), remote ? 1 : 0);
      net.store(state, NODE_ONLINE);
    } finally {
      net.store(lock, 0);
    }
    const node2 = new _EmuNode(net, nodeId, epoch, liveness);
    net.ringAll();
    node2.#dispatcher = node2.#run();
    return node2;
  }
  // ---- NodeBackend ----
  openEndpoint() {
    this.#checkOpen();
    const ep2 = new EmuEndpoint(this, this.#nextToken++);
    this.#endpoints.set(ep2.token, ep2);
    return ep2;
  }
  getNodeIds() {
    this.#checkOpen();
    const nodes = [];
    for (let k = 0; k < this.net.layout.nodes; k++) {
      if (this.#stateOf(k) === NODE_ONLINE) nodes.push(k);
    }
    return {
      nodes,
      self: this.nodeId
    };
  }
  async poll(entries, timeoutMs) {
    this.#checkOpen();
    const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
    const eps = entries.map((e) => e.endpoint instanceof EmuEndpoint ? e.endpoint : null);
    const look = () => entries.map((e, i) => {
      const ep2 = eps[i];
      if (!ep2 || ep2.closed) return POLLNVAL;
      return ep2.pollEvents() & (e.events | POLLERR | POLLHUP);
    });
    for (; ; ) {
      let revents = look();
      if (revents.some((r) => r !== 0) || timeoutMs === 0) return revents;
      const cells = [];
      const nodes = /* @__PURE__ */ new Set();
      eps.forEach((ep2, i) => {
        if (!ep2) return;
        nodes.add(ep2.node);
        cells.push(...ep2.pollCells(entries[i].events));
      });
      for (const n of nodes) cells.push([
        n.#eventCell >> 2,
        this.net.load(n.#eventCell)
      ]);
      revents = look();
      const left = deadline - performance.now();
      if (revents.some((r) => r !== 0) || left <= 0) {
        eps.forEach((ep2) => ep2?.pollDone());
        return revents;
      }
      await sleepOnAny(this.net.i32, cells, left === Infinity ? Infinity : Math.ceil(left));
      eps.forEach((ep2) => ep2?.pollDone());
    }
  }
  allocate(length) {
    this.#checkOpen();
    const bytes = Math.ceil(length / PAGE) * PAGE;
    const addr = this.net.heap.alloc(bytes, this.nodeId);
    if (addr === 0) throw new ScifError("ENOMEM", `no ${bytes} bytes left in the network's shared memory`);
    this.#allocations.add(addr);
    return new Uint8Array(this.net.memory.buffer, addr, bytes);
  }
  free(memory) {
    this.#checkOpen();
    if (memory.buffer !== this.net.memory.buffer || !this.#allocations.has(memory.byteOffset)) {
      throw new ScifError("EINVAL", "not memory this node's allocate() returned, or freed already");
    }
    this.#allocations.delete(memory.byteOffset);
    this.net.heap.release(memory.byteOffset);
  }
  /** The node's DMA engine, made on first use. */
  get dma() {
    return this.#dma ??= new DmaEngine(this.net, this.nodeId);
  }
  /** Runs `fn` once every transfer queued to our DMA engine so far is done (now, if none is). */
  afterDma(fn) {
    if (this.#dma) this.#dma.after(this.#dma.submitted, fn);
    else fn();
  }
  /** Handles now the control messages node `j` has sent (before a lookup that must see them). */
  pumpFrom(j) {
    if (j !== void 0 && this.#known[j] !== -1 && !this.#stopped) {
      this.#qps.drain(j, (m) => this.#handle(m));
    }
  }
  /** Keeps a closed endpoint's RMA state reachable by the peer's window messages until it is
   * empty (called again when it may have become so). */
  keepZombie(token, rma, peerNode) {
    if (!rma.empty) this.#zombies.set(token, {
      rma,
      peerNode
    });
    else this.#zombies.delete(token);
  }
  async close() {
    if (this.#stopped) return;
    for (const ep2 of [
      ...this.#endpoints.values()
    ]) if (!ep2.closed) ep2.close();
    const until = performance.now() + CLOSE_WAIT_MS;
    while ((this.#endpoints.size > 0 || this.#zombies.size > 0) && performance.now() < until) {
      await sleepOn(this.net.i32, this.#eventCell >> 2, this.net.load(this.#eventCell), 10);
    }
    await this.#dma?.close();
    this.#dma = null;
    this.#stopped = true;
    this.setRemote(false);
    this.net.store(nodeField(this.net.layout, this.nodeId, N_STATE), NODE_OFFLINE);
    this.net.ringAll();
    for (let k = 0; k < this.#unwatch.length; k++) this.#unwatch[k]?.();
    await keepAlive(this.#dispatcher);
    this.#releaseLiveness?.();
    this.#releaseLiveness = null;
    for (const hook of this.onClose.splice(0)) await hook();
  }
  // ---- services for endpoints ----
  /** Forgets an endpoint that was destroyed. */
  forget(ep2) {
    this.#endpoints.delete(ep2.token);
    if (ep2.localId && this.#listeners.get(ep2.localId.port) === ep2) this.#listeners.delete(ep2.localId.port);
  }
  addListener(ep2) {
    this.#listeners.set(ep2.localId.port, ep2);
  }
  /** A new endpoint for accept, bound to the listener's port (one more reference on it). */
  acceptedEndpoint(listener) {
    const ep2 = this.openEndpoint();
    const port2 = listener.localId.port;
    this.ports.hold(port2);
    ep2.localId = {
      node: this.nodeId,
      port: port2
    };
    return ep2;
  }
  /** ENODEV unless node `node` exists and is online (in incarnation `epoch`, when given). */
  checkReachable(node2, epoch) {
    if (node2 < 0 || node2 >= this.net.layout.nodes) {
      throw new ScifError("ENODEV", `node ${node2} does not exist`);
    }
    if (this.#stateOf(node2) !== NODE_ONLINE || epoch !== void 0 && this.#known[node2] !== epoch) {
      throw new ScifError("ENODEV", `node ${node2} is not online`);
    }
  }
  /** Whether node `node` stands in for a node of another process (its memory is not ours). */
  isRemote(node2) {
    return this.net.load(nodeField(this.net.layout, node2, N_REMOTE)) === 1;
  }
  /** Says whether this node stands in for a node of another process (emu/_bridge.ts). */
  setRemote(remote) {
    this.net.store(nodeField(this.net.layout, this.nodeId, N_REMOTE), remote ? 1 : 0);
  }
  /**
   * A stand-in whose process went away: the node is lost, as a card that goes away. Peers
   * drop what referred to it (connections reset, pending connects fail with ENODEV); the id
   * may be attached again.
   */
  async lose() {
    if (this.#stopped) return;
    this.#stopped = true;
    const l = this.net.layout;
    this.net.store(nodeField(l, this.nodeId, N_STATE), NODE_LOST);
    this.net.ringAll();
    await this.#dispatcher;
    this.#dma?.close();
    this.#dma = null;
    this.setRemote(false);
    this.kick();
  }
  /** The incarnation of `node` this node has adopted (-1: none). */
  knownEpoch(node2) {
    return this.#known[node2];
  }
  /** The address of node `node`'s doorbell. */
  doorbellOf(node2) {
    return nodeField(this.net.layout, node2, N_DOORBELL);
  }
  /** Sleeps until something on this node changes (a message handled, a node lost), or
   * `timeoutMs` passes. */
  async waitEvent(timeoutMs = Infinity) {
    const i = this.#eventCell >> 2;
    await sleepOn(this.net.i32, i, Atomics.load(this.net.i32, i), timeoutMs);
  }
  /** Wakes every call of this thread waiting on this node. */
  kick() {
    this.net.ring(this.#eventCell);
  }
  /** Sends a control message. ENODEV when the destination's incarnation is not adopted. */
  post(op, src, dst, p0 = 0n, p1 = 0n, p2 = 0n, p3 = 0n) {
    if (this.#known[dst.node] === -1 && !this.#stopped) this.#syncPeers();
    if (this.#stopped || this.#known[dst.node] === -1 || this.#stateOf(dst.node) !== NODE_ONLINE) {
      throw new ScifError("ENODEV", `node ${dst.node} is not online`);
    }
    this.#qps.post({
      op,
      src,
      dst,
      p: [
        p0,
        p1,
        p2,
        p3
      ]
    });
  }
  /** Sends a control message and sees it into the destination's ring before returning, so that
   * whatever this thread publishes next (stream bytes, say) cannot overtake it. */
  postOrdered(op, src, dst, p0 = 0n, p1 = 0n, p2 = 0n, p3 = 0n) {
    this.post(op, src, dst, p0, p1, p2, p3);
    const until = performance.now() + POST_WAIT_MS;
    while (this.#qps.waiting(dst.node) > 0) {
      for (let j = 0; j < this.#known.length; j++) this.pumpFrom(j);
      this.#qps.flush();
      if (performance.now() > until) {
        throw new ScifError("ENODEV", `node ${dst.node} does not take control messages`);
      }
    }
  }
  /** Sends a control message if the destination is still there; says whether it went. */
  tryPost(op, src, dst, p0 = 0n, p1 = 0n, p2 = 0n, p3 = 0n) {
    try {
      this.post(op, src, dst, p0, p1, p2, p3);
      return true;
    } catch {
      return false;
    }
  }
  // ---- the control protocol ----
  async #run() {
    const i32 = this.net.i32;
    const db = this.#doorbell >> 2;
    while (!this.#stopped) {
      const seen = Atomics.load(i32, db);
      this.#syncPeers();
      for (let j = 0; j < this.#known.length; j++) {
        if (this.#known[j] !== -1) this.#qps.drain(j, (m) => this.#handle(m));
      }
      const backlog = this.#qps.flush();
      for (const ep2 of this.#endpoints.values()) ep2.publishConsumption();
      if (this.#stopped) break;
      if (Atomics.load(i32, db) !== seen) continue;
      await sleepOn(i32, db, seen, backlog ? 1 : Infinity, false);
    }
  }
  #handle(m) {
    switch (m.op) {
      case SCIF_CNCT_REQ:
        this.#connectRequest(m);
        break;
      case SCIF_CNCT_GNT:
        if (!this.#endpoints.get(Number(m.p[1]))?.granted(m.src, Number(m.p[0]), Number(m.p[2]))) {
          this.tryPost(SCIF_CNCT_GNTNACK, m.dst, m.src, m.p[2]);
        }
        break;
      case SCIF_CNCT_GNTACK:
      case SCIF_CNCT_GNTNACK:
        this.#endpoints.get(Number(m.p[0]))?.grantAnswered(m.op === SCIF_CNCT_GNTACK);
        break;
      case SCIF_CNCT_REJ:
        this.#endpoints.get(Number(m.p[0]))?.rejected(m.src);
        break;
      case SCIF_DISCNCT: {
        const ep2 = this.#endpoints.get(Number(m.p[0]));
        if (ep2 && ep2.peerToken === Number(m.p[1]) && ep2.peerId?.node === m.src.node) ep2.peerClosed();
        this.tryPost(SCIF_DISCNT_ACK, m.dst, m.src, m.p[1]);
        break;
      }
      case SCIF_DISCNT_ACK:
        this.#endpoints.get(Number(m.p[0]))?.disconnectAcknowledged();
        break;
      case SCIF_RMA_XFER:
        if (this.forwarder) this.forwarder.rmaRequest(this, m);
        else this.tryPost(SCIF_RMA_XFER_DONE, m.dst, m.src, m.p[0], 95n);
        break;
      case SCIF_RMA_XFER_DONE:
        this.#rmaOf(Number(m.p[0] & 0xffffffffn))?.delegatedDone(m);
        break;
      case SCIF_REGISTER:
      case SCIF_UNREGISTER:
      case SCIF_UNREGISTER_ACK:
      case SCIF_UNREGISTER_NACK:
      case SCIF_MUNMAP: {
        const token = Number(m.p[0] & 0xffffffffn);
        const zombie = this.#zombies.get(token);
        const rma = this.#rmaOf(token);
        if (rma) rma.message(m);
        else if (m.op === SCIF_UNREGISTER) unregisterAck(this, m);
        if (zombie?.rma.empty) this.#zombies.delete(token);
        break;
      }
      default:
        return;
    }
    this.kick();
  }
  /** The RMA state of endpoint `token`, open or closed (a zombie). */
  #rmaOf(token) {
    return this.#endpoints.get(token)?.rmaState ?? this.#zombies.get(token)?.rma ?? void 0;
  }
  #connectRequest(m) {
    if (this.forwarder) return this.forwarder.connectRequest(this, m);
    const l = this.#listeners.get(m.dst.port);
    if (!l || !l.queueRequest({
      peer: m.src,
      qp: Number(m.p[0]),
      token: Number(m.p[1]),
      epoch: Number(m.p[2])
    })) {
      this.tryPost(SCIF_CNCT_REJ, m.dst, m.src, m.p[1]);
    }
  }
  // ---- node add and node loss (the kernel's scif_nm.c) ----
  /** Compares the node table with the incarnations adopted; drops the ones that ended and
   * adopts new ones. */
  #syncPeers() {
    const l = this.net.layout;
    for (let k = 0; k < this.#known.length; k++) {
      if (k === this.nodeId) continue;
      const online = this.#stateOf(k) === NODE_ONLINE;
      const epoch = this.net.load(nodeField(l, k, N_EPOCH));
      const known = this.#known[k];
      if (known !== -1 && (!online || epoch !== known)) {
        this.#peerGone(k);
        this.#known[k] = -1;
        this.net.store(releaseCell(l, this.nodeId, k), known);
      }
      if (this.#known[k] === -1 && online) {
        this.#known[k] = epoch;
        if (this.net.load(nodeField(l, k, N_WATCHABLE)) === 1) {
          this.#unwatch[k] = watch(lockName(this.net.id, k), () => this.#ended(k, epoch));
        }
      }
    }
  }
  /** The liveness lock of node k's incarnation `epoch` was released: if k did not go offline
   * itself, its thread ended and the node is lost. */
  #ended(k, epoch) {
    const l = this.net.layout;
    if (this.net.load(nodeField(l, k, N_EPOCH)) === epoch) {
      this.net.cas(nodeField(l, k, N_STATE), NODE_ONLINE, NODE_LOST);
    }
    this.net.ringAll();
  }
  /** Node k's incarnation ended (the kernel's scif_cleanup_scifdev): reset what used it. */
  #peerGone(k) {
    this.#unwatch[k]?.();
    this.#unwatch[k] = null;
    for (const ep2 of [
      ...this.#endpoints.values()
    ]) ep2.nodeGone(k);
    for (const [token, z] of this.#zombies) {
      if (z.peerNode !== k) continue;
      z.rma.peerGone();
      this.#zombies.delete(token);
    }
    this.#qps.drop(k);
    this.kick();
  }
  #stateOf(k) {
    return this.net.load(nodeField(this.net.layout, k, N_STATE));
  }
  #checkOpen() {
    if (this.#stopped) throw new ScifError("ENODEV", `node ${this.nodeId} is closed`);
  }
};
async function holdLiveness(net, nodeId) {
  const until = performance.now() + RELEASE_WAIT_MS;
  for (; ; ) {
    const release = await hold2(lockName(net.id, nodeId));
    if (release) return release;
    if (performance.now() > until) {
      throw new ScifError("EBUSY", `node ${nodeId}'s previous thread still holds its liveness lock`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}
async function waitForRelease(net, nodeId) {
  const l = net.layout;
  const previous = net.load(nodeField(l, nodeId, N_EPOCH));
  if (previous === 0) return;
  const until = performance.now() + RELEASE_WAIT_MS;
  for (; ; ) {
    let holder = -1;
    for (let j = 0; j < l.nodes && holder < 0; j++) {
      if (j === nodeId || net.load(nodeField(l, j, N_STATE)) !== NODE_ONLINE) continue;
      if (net.load(releaseCell(l, j, nodeId)) < previous) holder = j;
    }
    if (holder < 0) return;
    if (performance.now() > until) {
      throw new ScifError("EBUSY", `node ${holder} has not released node ${nodeId}'s previous incarnation`);
    }
    net.ring(nodeField(l, holder, N_DOORBELL));
    await new Promise((r) => setTimeout(r, 1));
  }
}

// emu/network.ts
async function attachNode(handle) {
  if (typeof handle !== "object" || handle === null || handle.kind !== "scif-emu-network" || !(handle.memory instanceof WebAssembly.Memory) || !(handle.module instanceof WebAssembly.Module)) {
    throw new ScifError("EINVAL", "not a NetworkHandle (make one with Network.handle(nodeId))");
  }
  const shared = await EmuShared.of(handle.memory, handle.module);
  return new ScifNode(await EmuNode.attach(shared, handle.nodeId));
}

// bench/_lab.ts
var now = () => performance.timeOrigin + performance.now();
var me = self;
var role;
var node;
var ep;
var mem;
var loff = 0;
var roff = 0;
var view;
var line;
var port;
var tcp;
var sink = new Uint8Array(1);
var extra = [];
async function init(c) {
  role = c.role;
  node = await attachNode(c.handle);
  line = new Int32Array(c.line);
  port = c.port;
  mem = node.allocate(c.bytes);
  mem.fill(role === "a" ? 1 : 2);
  if (role === "b") {
    const l = node.open();
    l.bind(2e3);
    l.listen(1);
    me.postMessage({
      ready: true
    });
    ep = (await l.accept()).endpoint;
    l.close();
  } else {
    ep = node.open();
    await ep.connect({
      node: c.peer,
      port: 2e3
    });
  }
  loff = ep.register(mem);
  await ep.send(new Uint8Array(new Float64Array([
    loff
  ]).buffer));
  const got = new Uint8Array(8);
  await ep.recv(got);
  roff = new Float64Array(got.buffer)[0];
  if (role === "a") view = ep.mmap(roff, c.bytes, SCIF_PROT_READ | SCIF_PROT_WRITE);
  await ep.writeTo(loff, 64, roff);
  await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF));
  return {
    loff,
    roff
  };
}
async function openTcp(c) {
  if (role === "b") {
    const l = Deno.listen({
      hostname: "127.0.0.1",
      port: 0
    });
    me.postMessage({
      ready: true,
      port: l.addr.port
    });
    tcp = await l.accept();
    l.close();
  } else {
    tcp = await Deno.connect({
      hostname: "127.0.0.1",
      port: c.port
    });
  }
  tcp.setNoDelay(true);
  return 0;
}
async function readFull(into) {
  for (let off = 0; off < into.length; ) {
    const n = await tcp.read(into.subarray(off));
    if (n === null) throw new Error("TCP connection closed");
    off += n;
  }
}
async function writeFull(from) {
  for (let off = 0; off < from.length; ) off += await tcp.write(from.subarray(off));
}
async function bandwidth(c) {
  const { method, size, count } = c;
  const slots = Math.max(1, Math.floor(mem.length / size));
  const at = (i) => i % slots * size;
  if (role === "b") {
    if (method === "stream") {
      for (let i = 0; i < count; i++) await ep.recv(mem.subarray(at(i), at(i) + size));
      await ep.send(sink);
    } else if (method === "tcp") {
      for (let i = 0; i < count; i++) await readFull(mem.subarray(at(i), at(i) + size));
      await writeFull(sink);
    }
    return 0;
  }
  const t0 = now();
  switch (method) {
    case "memcpy":
      for (let i = 0; i < count; i++) view.set(mem.subarray(at(i), at(i) + size), at(i));
      break;
    case "writeTo":
      for (let i = 0; i < count; i++) await ep.writeTo(loff + at(i), size, roff + at(i), SCIF_RMA_SYNC);
      break;
    case "readFrom":
      for (let i = 0; i < count; i++) await ep.readFrom(loff + at(i), size, roff + at(i), SCIF_RMA_SYNC);
      break;
    case "stream":
      for (let i = 0; i < count; i++) await ep.send(mem.subarray(at(i), at(i) + size));
      await ep.recv(sink);
      break;
    case "tcp":
      for (let i = 0; i < count; i++) await writeFull(mem.subarray(at(i), at(i) + size));
      await readFull(sink);
      break;
  }
  return now() - t0;
}
async function latency(c) {
  const { method, iters } = c;
  const warm = iters >> 2;
  const ping = role === "a";
  let t0 = 0;
  const start = (i) => {
    if (i === warm) t0 = now();
  };
  switch (method) {
    case "raw":
    case "mmap": {
      const cell = method === "raw" ? line : new Int32Array((ping ? view : mem).buffer, (ping ? view : mem).byteOffset, 16);
      if (!ping) {
        Atomics.store(cell, 0, 0);
        me.postMessage({
          ready: true
        });
      }
      for (let i = 0; i < iters; i++) {
        start(i);
        if (ping) {
          Atomics.store(cell, 0, 2 * i + 1);
          while (Atomics.load(cell, 0) !== 2 * i + 2) ;
        } else {
          while (Atomics.load(cell, 0) !== 2 * i + 1) ;
          Atomics.store(cell, 0, 2 * i + 2);
        }
      }
      break;
    }
    case "sendrecv":
      await scifRoundTrips(ping, iters, start);
      break;
    case "tcp": {
      const buf = new Uint8Array(8);
      for (let i = 0; i < iters; i++) {
        start(i);
        if (ping) {
          await writeFull(buf);
          await readFull(buf);
        } else {
          await readFull(buf);
          await writeFull(buf);
        }
      }
      break;
    }
    case "postMessage":
      await messageRoundTrips(ping, iters, start);
      break;
  }
  return ping ? (now() - t0) * 1e3 / (iters - warm) : 0;
}
async function scifRoundTrips(ping, iters, start) {
  const buf = new Uint8Array(8);
  for (let i = 0; i < iters; i++) {
    start(i);
    if (ping) {
      await ep.send(buf);
      await ep.recv(buf);
    } else {
      await ep.recv(buf);
      await ep.send(buf);
    }
  }
}
function messageRoundTrips(ping, iters, start) {
  return new Promise((resolve) => {
    let i = 0;
    const buf = new Uint8Array(8);
    port.onmessage = () => {
      if (ping) {
        if (++i === iters) return resolve();
        start(i);
        port.postMessage(buf);
      } else {
        port.postMessage(buf);
        if (++i === iters) resolve();
      }
    };
    if (ping) {
      start(0);
      port.postMessage(buf);
    }
  });
}
function listen(c) {
  const l = node.open();
  l.bind(c.port);
  l.listen(512);
  (async () => {
    for (; ; ) extra.push((await l.accept()).endpoint);
  })().catch(() => {
  });
  return 0;
}
me.onmessage = async (e) => {
  const c = e.data;
  let result;
  switch (c.cmd) {
    case "init":
      result = await init(c);
      break;
    case "tcp":
      result = await openTcp(c);
      break;
    case "bandwidth":
      result = await bandwidth(c);
      break;
    case "latency":
      result = await latency(c);
      break;
    case "listen":
      result = listen(c);
      break;
    case "close":
      if (view) ep.munmap(view);
      tcp?.close();
      await node.close();
      result = 0;
      break;
  }
  me.postMessage({
    result
  });
};
