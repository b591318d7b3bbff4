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
  bind(port = 0) {
    const be = this.#open();
    return be.bind(portOf(port, "port"));
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
      const ep = await be.accept(blockOf(options));
      return {
        endpoint: new _Endpoint(ep),
        peer: {
          ...ep.peerId
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
  munmap(view) {
    this.#be.munmap(bytesOf(view, "view"));
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
    const ep = new Endpoint(this.#open().openEndpoint());
    this.#endpoints.add(ep);
    return ep;
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
    for (const ep of this.#endpoints) ep[Symbol.dispose]();
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
function coreBytes() {
  const s = atob(WASM_BASE64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
var compiled;
function coreModule() {
  return compiled ??= WebAssembly.compile(coreBytes());
}
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
var MAX_NODES = 64;
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
function nodeField(l, node, field) {
  return l.nodeTable + node * LINE + field;
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
    const me = owner + 1;
    for (let spins = 0; ; spins++) {
      const holder = Atomics.compareExchange(this.#i32, this.#lock, 0, me);
      if (holder === 0) return;
      if (spins > 1 << 22 && holder - 1 < this.#l.nodes) {
        const state2 = Atomics.load(this.#i32, nodeField(this.#l, holder - 1, N_STATE) >> 2);
        if (state2 === NODE_LOST && Atomics.compareExchange(this.#i32, this.#lock, holder, me) === holder) {
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
function integer(name, v, min, max) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ScifError("EINVAL", `${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}
async function createShared(options) {
  if (typeof options !== "object" || options === null) throw new ScifError("EINVAL", "options are required");
  const nodes = integer("nodes", options.nodes, 1, MAX_NODES);
  const memoryBytes = integer("memoryBytes", options.memoryBytes ?? 256 * MIB, 1 * MIB, 4096 * MIB - 65536);
  if (memoryBytes % 65536 !== 0) throw new ScifError("EINVAL", "memoryBytes must be a multiple of 64 KiB");
  const ringBytes = integer("ringBytes", options.ringBytes ?? 256 * 1024, 4096, 64 * MIB);
  if ((ringBytes & ringBytes - 1) !== 0) throw new ScifError("EINVAL", "ringBytes must be a power of two");
  const connectTimeoutMs = integer("connectTimeoutMs", options.connectTimeoutMs ?? 3e4, 1, 2 ** 31 - 1);
  const spins = integer("spins", options.spins ?? 1e5, 0, 1 << 30);
  const layout = computeLayout(nodes, memoryBytes, ringBytes);
  if (!layout) throw new ScifError("ENOMEM", `memoryBytes ${memoryBytes} is too small for ${nodes} nodes`);
  const pages = memoryBytes / 65536;
  const memory = new WebAssembly.Memory({
    initial: pages,
    maximum: pages,
    shared: true
  });
  const i32 = new Int32Array(memory.buffer);
  const set = (field, value) => Atomics.store(i32, layout.header + field >> 2, value);
  set(H_VERSION, NET_VERSION);
  set(H_NODES, nodes);
  set(H_RING_BYTES, ringBytes);
  set(H_CONNECT_TIMEOUT_MS, connectTimeoutMs);
  const id = crypto.getRandomValues(new Int32Array(4));
  id.forEach((v, i) => set(H_NET_ID + 4 * i, v));
  set(H_PRIVILEGED, options.privileged ? 1 : 0);
  set(H_SPIN, spins);
  set(H_MAGIC, NET_MAGIC);
  const module = await coreModule();
  const shared = await EmuShared.of(memory, module);
  return {
    shared,
    memory,
    module,
    nodes
  };
}

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
async function waitCompleted(net, node, seq, spins, abort) {
  const i32 = net.i32;
  const cell = nodeField(net.layout, node, N_DMA_COMPLETED) >> 2;
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
    const init = {
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
    worker.postMessage(init);
    return worker;
  }
};
function dmaEngineMain(copy) {
  const me = self;
  me.onmessage = async (e) => {
    const init = e.data;
    const instance = await WebAssembly.instantiate(init.module, {
      env: {
        memory: init.memory
      }
    });
    const core = instance.exports;
    const buffer = init.memory.buffer;
    const u8 = new Uint8Array(buffer);
    const i32 = new Int32Array(buffer);
    const i64 = new BigInt64Array(buffer);
    const rx = init.rx;
    const field = (node, f) => init.nodeTable + node * init.line + f >> 2;
    const store64 = (addr, value) => {
      if (addr % 8 === 0) Atomics.store(i64, addr / 8, value);
      else {
        Atomics.store(i32, addr / 4, Number(BigInt.asIntN(32, value)));
        Atomics.store(i32, addr / 4 + 1, Number(BigInt.asIntN(32, value >> 32n)));
      }
    };
    const waitPeer = (node, epoch, mark) => {
      const cell = field(node, init.fields.completed);
      for (; ; ) {
        const seen = Atomics.load(i32, cell);
        if ((seen - mark & 2147483647) < 1073741824) return true;
        if (Atomics.load(i32, field(node, init.fields.state)) !== init.fields.online) return false;
        if (Atomics.load(i32, field(node, init.fields.epoch)) !== epoch) return false;
        Atomics.wait(i32, cell, seen, 10);
      }
    };
    Atomics.store(i32, init.ready >> 2, 1);
    Atomics.notify(i32, init.ready >> 2);
    for (; ; ) {
      let at = core.msg_peek(rx);
      for (let i = 0; at === 0 && i < init.spins; i++) at = core.msg_peek(rx);
      if (at === 0) {
        core.rb_set_waiting(rx, 1);
        const seen = Atomics.load(i32, init.writeCell >> 2);
        if (core.msg_peek(rx) === 0) Atomics.wait(i32, init.writeCell >> 2, seen);
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
      if (core.msg_release(rx)) Atomics.notify(i32, init.readCell >> 2);
      if (op === 1) copy(core.mem_copy, u8, Number(p[0]), Number(p[1]), Number(p[2]), (p[3] & 1n) === 1n);
      else if (op === 2) {
        const node = Number(p[2] & 0xffffffffn) - 1;
        if (node < 0 || waitPeer(node, Number(p[2] >> 32n), Number(p[3]))) store64(Number(p[0]), p[1]);
      }
      Atomics.add(i32, init.completed >> 2, 1);
      Atomics.notify(i32, init.completed >> 2);
      if (op === 3) return me.close();
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
var key = (node, token) => `${node}:${token}`;
function findPipe(node, token) {
  return pipes.get(key(node, token));
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
    const node = this.#link.node;
    const net = node.net;
    _EndpointRma.checkFlags(flags, typeof local2 !== "number");
    if (length === 0) throw new ScifError("EINVAL", "the length is 0");
    const peer = this.#link.peer();
    if (peer && node.isRemote(peer.id.node)) {
      return this.#delegate(dir, local2, length, remoteOffset, flags, peer);
    }
    node.pumpFrom(this.#link.peer()?.id.node);
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
    const dma = node.dma;
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
    const node = this.#link.node;
    node.pumpFrom(this.#link.peer()?.id.node);
    const pages = Math.ceil(length / 4096) * 4096;
    const pieces = this.#remote.cover(offset, pages, prot);
    for (let i = 1; i < pieces.length; i++) {
      if (pieces[i].addr !== pieces[i - 1].addr + pieces[i - 1].length) {
        throw new ScifError("EINVAL", "the range spans windows whose memory is not contiguous: map each window on its own");
      }
    }
    const windows = pieces.map((p) => p.window);
    for (const w of windows) w.maps++;
    const view = new Uint8Array(node.net.memory.buffer, pieces[0].addr, length);
    this.#maps.set(view, windows);
    return view;
  }
  munmap(view) {
    const windows = this.#maps.get(view);
    if (!windows) {
      throw new ScifError("EINVAL", "not a view this endpoint's mmap returned (or already unmapped)");
    }
    this.#maps.delete(view);
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
function unregisterAck(node, m) {
  node.afterDma(() => node.tryPost(SCIF_UNREGISTER_ACK, m.dst, m.src, m.p[2], m.p[1]));
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
  constructor(node, token) {
    this.node = node;
    this.token = token;
    this.#spins = node.net.spins;
  }
  get closed() {
    return this.state === "CLOSING" || this.state === "CLOSED";
  }
  // ---- scif_bind, scif_listen ----
  bind(port) {
    if (port !== 0 && port < SCIF_ADMIN_PORT_END && !this.node.net.privileged) {
      throw new ScifError("EACCES", `port ${port} is below SCIF_ADMIN_PORT_END and the network is not privileged`);
    }
    if (this.state === "BOUND") throw new ScifError("EINVAL", "the endpoint is already bound");
    if (this.state !== "UNBOUND") throw new ScifError("EISCONN", `bind in state ${this.state}`);
    const bound = port === 0 ? this.node.ports.allocate() : this.node.ports.reserve(port);
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
    const state2 = this.state;
    if (state2 === "CONNECTED") return this.localId;
    if (state2 === "CONNECTING") this.#unconnect();
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
  bindProxy(port) {
    if (this.state !== "UNBOUND") throw new ScifError("EISCONN", `bind in state ${this.state}`);
    try {
      this.node.ports.reserve(port);
    } catch {
      this.node.ports.hold(port);
    }
    this.localId = {
      node: this.node.nodeId,
      port
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
      const ep = this.node.acceptedEndpoint(this);
      try {
        await ep.#handshake(req);
        return ep;
      } catch (e) {
        ep.#destroy();
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
  #submitted(node) {
    return this.node.net.load(nodeField(this.node.net.layout, node, N_DMA_SUBMITTED)) & SEQ2;
  }
  async fenceWait(mark) {
    this.#verified();
    const peer = mark >= MARK_PEER;
    const node = peer ? this.peerId.node : this.node.nodeId;
    const abort = peer ? () => {
      try {
        this.#verified();
        return null;
      } catch (e) {
        return e;
      }
    } : void 0;
    await waitCompleted(this.node.net, node, (peer ? mark - MARK_PEER : mark) & SEQ2, this.node.net.spins, abort);
  }
  async fenceSignal(localOffset, localValue, remoteOffset, remoteValue, flags) {
    const rma2 = this.#verified();
    const init = flags & (SCIF_FENCE_INIT_SELF | SCIF_FENCE_INIT_PEER);
    const signal = flags & (SCIF_SIGNAL_LOCAL | SCIF_SIGNAL_REMOTE);
    if ((flags & ~(init | signal)) !== 0 || init !== SCIF_FENCE_INIT_SELF && init !== SCIF_FENCE_INIT_PEER || signal === 0) {
      throw new ScifError("EINVAL", `bad fence_signal flags 0x${flags.toString(16)}`);
    }
    if (signal & SCIF_SIGNAL_LOCAL && localOffset % 4 !== 0 || signal & SCIF_SIGNAL_REMOTE && remoteOffset % 4 !== 0) {
      throw new ScifError("EINVAL", "signal offsets must be 4-byte aligned");
    }
    const local2 = signal & SCIF_SIGNAL_LOCAL ? rma2.signalAddress("local", localOffset) : -1;
    if (signal & SCIF_SIGNAL_REMOTE && this.node.isRemote(this.peerId.node)) {
      if (local2 >= 0) await this.node.dma.signal(local2, localValue);
      await rma2.delegateSignal(remoteOffset, remoteValue);
      return;
    }
    const remote = signal & SCIF_SIGNAL_REMOTE ? rma2.signalAddress("remote", remoteOffset) : -1;
    const peer = init === SCIF_FENCE_INIT_PEER ? {
      node: this.peerId.node,
      epoch: this.#peerEpoch,
      mark: this.#submitted(this.peerId.node)
    } : void 0;
    if (local2 >= 0) await this.node.dma.signal(local2, localValue, peer);
    if (remote >= 0) await this.node.dma.signal(remote, remoteValue, peer);
  }
  mmap(remoteOffset, length, prot) {
    const rma2 = this.#verified();
    if (this.node.isRemote(this.peerId.node)) {
      throw new ScifError("EOPNOTSUPP", `node ${this.peerId.node} runs in another process: its windows are not in memory this process can map (readFrom/writeTo reach them)`);
    }
    return rma2.mmap(remoteOffset, length, prot);
  }
  munmap(view) {
    (this.#rma ?? this.#verified()).munmap(view);
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
  reserve(port) {
    if (this.#refs.has(port)) throw new ScifError("EINVAL", `port ${port} is in use`);
    this.#refs.set(port, 1);
    return port;
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
  hold(port) {
    this.#refs.set(port, (this.#refs.get(port) ?? 0) + 1);
  }
  /** One endpoint less uses `port`; the last one frees it. */
  release(port) {
    const refs = (this.#refs.get(port) ?? 1) - 1;
    if (refs <= 0) this.#refs.delete(port);
    else this.#refs.set(port, refs);
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
    const state2 = nodeField(l, nodeId, N_STATE);
    let was = net.cas(state2, NODE_OFFLINE, NODE_ATTACHING);
    if (was === NODE_LOST) was = net.cas(state2, NODE_LOST, NODE_ATTACHING);
    if (was !== NODE_OFFLINE && was !== NODE_LOST) {
      throw new ScifError("EBUSY", `node ${nodeId} is already attached by another thread`);
    }
    let liveness = null;
    try {
      if (inWorker()) liveness = await holdLiveness(net, nodeId);
      await waitForRelease(net, nodeId);
    } catch (e) {
      liveness?.();
      net.store(state2, was);
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
      net.store(state2, NODE_ONLINE);
    } finally {
      net.store(lock, 0);
    }
    const node = new _EmuNode(net, nodeId, epoch, liveness);
    net.ringAll();
    node.#dispatcher = node.#run();
    return node;
  }
  // ---- NodeBackend ----
  openEndpoint() {
    this.#checkOpen();
    const ep = new EmuEndpoint(this, this.#nextToken++);
    this.#endpoints.set(ep.token, ep);
    return ep;
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
      const ep = eps[i];
      if (!ep || ep.closed) return POLLNVAL;
      return ep.pollEvents() & (e.events | POLLERR | POLLHUP);
    });
    for (; ; ) {
      let revents = look();
      if (revents.some((r) => r !== 0) || timeoutMs === 0) return revents;
      const cells = [];
      const nodes = /* @__PURE__ */ new Set();
      eps.forEach((ep, i) => {
        if (!ep) return;
        nodes.add(ep.node);
        cells.push(...ep.pollCells(entries[i].events));
      });
      for (const n of nodes) cells.push([
        n.#eventCell >> 2,
        this.net.load(n.#eventCell)
      ]);
      revents = look();
      const left = deadline - performance.now();
      if (revents.some((r) => r !== 0) || left <= 0) {
        eps.forEach((ep) => ep?.pollDone());
        return revents;
      }
      await sleepOnAny(this.net.i32, cells, left === Infinity ? Infinity : Math.ceil(left));
      eps.forEach((ep) => ep?.pollDone());
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
  keepZombie(token, rma2, peerNode) {
    if (!rma2.empty) this.#zombies.set(token, {
      rma: rma2,
      peerNode
    });
    else this.#zombies.delete(token);
  }
  async close() {
    if (this.#stopped) return;
    for (const ep of [
      ...this.#endpoints.values()
    ]) if (!ep.closed) ep.close();
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
  forget(ep) {
    this.#endpoints.delete(ep.token);
    if (ep.localId && this.#listeners.get(ep.localId.port) === ep) this.#listeners.delete(ep.localId.port);
  }
  addListener(ep) {
    this.#listeners.set(ep.localId.port, ep);
  }
  /** A new endpoint for accept, bound to the listener's port (one more reference on it). */
  acceptedEndpoint(listener) {
    const ep = this.openEndpoint();
    const port = listener.localId.port;
    this.ports.hold(port);
    ep.localId = {
      node: this.nodeId,
      port
    };
    return ep;
  }
  /** ENODEV unless node `node` exists and is online (in incarnation `epoch`, when given). */
  checkReachable(node, epoch) {
    if (node < 0 || node >= this.net.layout.nodes) {
      throw new ScifError("ENODEV", `node ${node} does not exist`);
    }
    if (this.#stateOf(node) !== NODE_ONLINE || epoch !== void 0 && this.#known[node] !== epoch) {
      throw new ScifError("ENODEV", `node ${node} is not online`);
    }
  }
  /** Whether node `node` stands in for a node of another process (its memory is not ours). */
  isRemote(node) {
    return this.net.load(nodeField(this.net.layout, node, N_REMOTE)) === 1;
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
  knownEpoch(node) {
    return this.#known[node];
  }
  /** The address of node `node`'s doorbell. */
  doorbellOf(node) {
    return nodeField(this.net.layout, node, N_DOORBELL);
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
      for (const ep of this.#endpoints.values()) ep.publishConsumption();
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
        const ep = this.#endpoints.get(Number(m.p[0]));
        if (ep && ep.peerToken === Number(m.p[1]) && ep.peerId?.node === m.src.node) ep.peerClosed();
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
        const rma2 = this.#rmaOf(token);
        if (rma2) rma2.message(m);
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
    for (const ep of [
      ...this.#endpoints.values()
    ]) ep.nodeGone(k);
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
async function createNetwork(options) {
  const { shared, memory, module, nodes } = await createShared(options);
  const mine = [];
  return {
    nodes,
    async node(nodeId) {
      const node = new ScifNode(await EmuNode.attach(shared, nodeId));
      mine.push(node);
      return node;
    },
    handle(nodeId) {
      integer("nodeId", nodeId, 0, nodes - 1);
      return {
        kind: "scif-emu-network",
        memory,
        module,
        nodeId
      };
    },
    async close() {
      await Promise.all(mine.splice(0).map((n) => n.close()));
    }
  };
}

// bench/lab.ts
var Hand = class {
  worker;
  #ready = null;
  #result = null;
  #readyData = {};
  constructor(script) {
    this.worker = new Worker(script, {
      type: "module"
    });
    this.worker.onmessage = (e) => {
      if (e.data.ready) {
        this.#readyData = e.data;
        this.#ready?.();
      } else this.#result?.(e.data.result);
    };
    this.worker.onerror = (e) => {
      throw new Error(`lab worker: ${e.message}`);
    };
  }
  /** Sends `c`; resolves to its result; `onReady` resolves at the Worker's "ready". */
  send(c, transfer = []) {
    const ready = new Promise((r) => this.#ready = () => r(this.#readyData));
    const result = new Promise((r) => this.#result = r);
    this.worker.postMessage(c, transfer);
    return {
      result,
      ready
    };
  }
};
var Lab = class _Lab {
  net;
  #a;
  #b;
  #crowd = [];
  constructor(net, a, b) {
    this.net = net;
    this.#a = a;
    this.#b = b;
  }
  /**
   * Starts the lab with windows of `bytes` on each side (the largest transfer). `worker` is
   * the lab Worker's script (bench/_lab.ts; the browser build's in a page); `tcp` connects the
   * two over TCP loopback too (default: when the runtime is Deno).
   */
  static async open(options) {
    const memoryBytes = Math.max(256 << 20, Math.ceil((2 * options.bytes + (96 << 20)) / 65536) * 65536);
    const net = await createNetwork({
      nodes: options.nodes ?? 8,
      memoryBytes
    });
    const script = options.worker ?? new URL("./_lab.ts", import.meta.url);
    const [a, b] = [
      new Hand(script),
      new Hand(script)
    ];
    const line = new SharedArrayBuffer(256);
    const { port1, port2 } = new MessageChannel();
    const lab = new _Lab(net, a, b);
    const bInit = b.send({
      cmd: "init",
      role: "b",
      handle: net.handle(1),
      peer: 0,
      bytes: options.bytes,
      line,
      port: port2
    }, [
      port2
    ]);
    await bInit.ready;
    await Promise.all([
      a.send({
        cmd: "init",
        role: "a",
        handle: net.handle(0),
        peer: 1,
        bytes: options.bytes,
        line,
        port: port1
      }, [
        port1
      ]).result,
      bInit.result
    ]);
    if (options.tcp ?? typeof globalThis.Deno?.connect === "function") {
      const bTcp = b.send({
        cmd: "tcp"
      });
      const { port } = await bTcp.ready;
      await Promise.all([
        a.send({
          cmd: "tcp",
          port
        }).result,
        bTcp.result
      ]);
    }
    return lab;
  }
  async #bandwidthMs(method, size, count) {
    const served = method === "stream" || method === "tcp" ? this.#b.send({
      cmd: "bandwidth",
      method,
      size,
      count
    }).result : null;
    const ms = await this.#a.send({
      cmd: "bandwidth",
      method,
      size,
      count
    }).result;
    await served;
    return ms;
  }
  /** GB/s moving transfers of `size` bytes from a to b for at least about `minMs`. */
  async bandwidth(method, size, minMs) {
    let count = 1;
    let ms = await this.#bandwidthMs(method, size, count);
    while (ms < minMs / 8 && count < 1 << 24) {
      count *= 8;
      ms = await this.#bandwidthMs(method, size, count);
    }
    count = Math.max(1, Math.ceil(count * minMs / Math.max(ms, 1e-3)));
    ms = await this.#bandwidthMs(method, size, count);
    return size * count / (ms * 1e6);
  }
  /** Runs `method`'s round trips, not timed, for at least `ms`: the first runs of a path share
   * the cores with the compiler threads that are optimizing it. */
  async warmUp(method, iters, ms = 300) {
    const t = performance.now();
    do
      await this.latency(method, iters);
    while (performance.now() - t < ms);
  }
  /** µs per 8-byte round trip between a and b (a quarter of `iters` warms up). */
  async latency(method, iters) {
    const b = this.#b.send({
      cmd: "latency",
      method,
      iters
    });
    if (method === "raw" || method === "mmap") await b.ready;
    const us = await this.#a.send({
      cmd: "latency",
      method,
      iters
    }).result;
    await b.result;
    return us;
  }
  /**
   * Crowds the network: nodes 2..nodes-1 come online in this thread and open `connections`
   * connections to a and b, which keep them idle. Resolves to the shared memory each idle
   * connection takes (its two endpoint queue pairs).
   */
  async crowd(connections) {
    await Promise.all([
      this.#a.send({
        cmd: "listen",
        port: 3e3
      }).result,
      this.#b.send({
        cmd: "listen",
        port: 3e3
      }).result
    ]);
    const h = this.net.handle(0);
    const shared = await EmuShared.of(h.memory, h.module);
    const before = shared.heap.usedPages();
    for (let k = 2; k < this.net.nodes; k++) this.#crowd.push(await this.net.node(k));
    const afterNodes = shared.heap.usedPages();
    const pending = [];
    for (let i = 0; i < connections; i++) {
      const ep = this.#crowd[i % this.#crowd.length].open();
      pending.push(ep.connect({
        node: i % 2,
        port: 3e3
      }));
    }
    await Promise.all(pending);
    void before;
    return (shared.heap.usedPages() - afterNodes) * 4096 / connections;
  }
  /** Ends the Workers and the network. */
  async close() {
    await Promise.all([
      this.#a.send({
        cmd: "close"
      }).result,
      this.#b.send({
        cmd: "close"
      }).result
    ]);
    this.#a.worker.terminate();
    this.#b.worker.terminate();
    await Promise.all(this.#crowd.map((n) => n.close()));
    await this.net.close();
  }
};
function median(xs) {
  const s = [
    ...xs
  ].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// demo/_chart.ts
function sizeLabel(bytes) {
  for (const [unit, n] of [
    [
      "GiB",
      2 ** 30
    ],
    [
      "MiB",
      2 ** 20
    ],
    [
      "KiB",
      2 ** 10
    ]
  ]) {
    if (bytes >= n) return `${+(bytes / n).toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}
function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(Math.max(v, 1e-9)));
  for (const m of [
    1,
    2,
    5,
    10
  ]) if (m * p >= v) return m * p;
  return 10 * p;
}
function esc(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function svgChart(options) {
  const { sizes, series } = options;
  const W = 960;
  const plot = {
    left: 80,
    top: 90,
    width: 640,
    height: 380
  };
  const H = plot.top + plot.height + 80 + 18 * options.notes.length;
  const top = niceMax(Math.max(...series.flatMap((s) => s.values)));
  const lx = (i) => plot.left + i / (sizes.length - 1) * plot.width;
  const ly = (v) => plot.top + plot.height - Math.min(v, top) / top * plot.height;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${plot.left}" y="36" font-size="20" font-weight="600" fill="#1b1f24">${esc(options.title)}</text>`);
  out.push(`<text x="${plot.left}" y="60" font-size="13" fill="#57606a">${esc(options.subtitle)}</text>`);
  for (let k = 0; k <= 5; k++) {
    const v = top * k / 5;
    const y = ly(v);
    out.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.left + plot.width}" y2="${y}" stroke="#eaeef2"/>`);
    out.push(`<text x="${plot.left - 10}" y="${y + 4}" font-size="12" text-anchor="end" fill="#57606a">${+v.toFixed(1)}</text>`);
  }
  sizes.forEach((s, i) => {
    const x = lx(i);
    out.push(`<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.top + plot.height}" stroke="#f3f5f7"/>`);
    if (i % 2 === 0 || sizes.length <= 10) {
      out.push(`<text x="${x}" y="${plot.top + plot.height + 20}" font-size="12" text-anchor="middle" fill="#57606a">${esc(sizeLabel(s))}</text>`);
    }
  });
  out.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#8c959f"/>`);
  out.push(`<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height + 44}" font-size="13" text-anchor="middle" fill="#1b1f24">transfer size (log scale)</text>`);
  out.push(`<text transform="translate(26 ${plot.top + plot.height / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="#1b1f24">GB/s</text>`);
  for (const s of series) {
    const pts = s.values.map((v, i) => `${lx(i).toFixed(1)},${ly(v).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="7 5"' : ""} stroke-linejoin="round"/>`);
    if (!s.dashed) {
      s.values.forEach((v, i) => out.push(`<circle cx="${lx(i).toFixed(1)}" cy="${ly(v).toFixed(1)}" r="3" fill="${s.color}"/>`));
    }
  }
  const legendX = plot.left + plot.width + 24;
  series.forEach((s, k) => {
    const y = plot.top + 14 + k * 26;
    out.push(`<line x1="${legendX}" y1="${y}" x2="${legendX + 28}" y2="${y}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="7 5"' : ""}/>`);
    out.push(`<text x="${legendX + 36}" y="${y + 4}" font-size="13" fill="#1b1f24">${esc(s.name)}</text>`);
  });
  options.notes.forEach((n, k) => {
    out.push(`<text x="${plot.left}" y="${plot.top + plot.height + 72 + 18 * k}" font-size="12.5" fill="#424a53">${esc(n)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}

// demo/_measure.ts
var LATENCY_PATHS = [
  {
    method: "raw",
    name: "raw Atomics ping-pong (one cache line)",
    slow: false
  },
  {
    method: "mmap",
    name: "SCIF mmap'd window",
    slow: false
  },
  {
    method: "sendrecv",
    name: "SCIF send/recv",
    slow: false
  },
  {
    method: "tcp",
    name: "TCP loopback",
    slow: true
  },
  {
    method: "postMessage",
    name: "postMessage",
    slow: true
  }
];
var BANDWIDTH_LINES = [
  {
    method: "writeTo",
    name: "SCIF RMA writeTo",
    mark: "W",
    color: "#0969da"
  },
  {
    method: "readFrom",
    name: "SCIF RMA readFrom",
    mark: "R",
    color: "#8250df"
  },
  {
    method: "stream",
    name: "SCIF send/recv stream",
    mark: "S",
    color: "#1a7f37"
  },
  {
    method: "tcp",
    name: "TCP loopback",
    mark: "T",
    color: "#cf222e"
  },
  {
    method: "memcpy",
    name: "memcpy, one thread (set)",
    mark: "M",
    color: "#6e7781",
    dashed: true
  }
];
function sweepSizes(quick2) {
  const sizes = [];
  for (let s = 1024; s <= (quick2 ? 64 << 20 : 128 << 20); s *= quick2 ? 4 : 2) sizes.push(s);
  return sizes;
}
async function measureLatency(lab, options) {
  const { quick: quick2, progress: progress2 } = options;
  const paths = LATENCY_PATHS.filter((p) => options.methods.includes(p.method));
  const iters = (slow) => slow ? quick2 ? 2e3 : 1e4 : quick2 ? 1e5 : 4e5;
  const rounds = quick2 ? 3 : 7;
  const runs = {};
  for (const p of paths) {
    progress2(`warming up: ${p.name}`, p === paths[0]);
    await lab.warmUp(p.method, iters(p.slow));
  }
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      progress2(`measuring round trips: ${p.name}, round ${r + 1}/${rounds}`, r === 0 && p === paths[0]);
      (runs[p.method] ??= []).push(await lab.latency(p.method, iters(p.slow)));
    }
  }
  const us = Object.fromEntries(paths.map((p) => [
    p.method,
    median(runs[p.method])
  ]));
  return {
    rounds,
    us,
    runs
  };
}
async function measureCrowd(lab, options) {
  options.progress("crowding the network: 8 nodes, 256 endpoints", true);
  const bytesPerIdleConnection = await lab.crowd(128);
  const runs = [];
  for (let r = 0; r < (options.quick ? 3 : 7); r++) {
    runs.push(await lab.latency("sendrecv", options.quick ? 1e5 : 4e5));
  }
  return {
    roundTripUs: median(runs),
    bytesPerIdleConnection
  };
}
async function measureBandwidth(lab, options) {
  const { sizes, minMs, progress: progress2 } = options;
  const lines = BANDWIDTH_LINES.filter((l) => options.methods.includes(l.method));
  const gbps = {};
  for (const l of lines) {
    progress2(`warming up: ${l.name}`, l === lines[0]);
    for (const size of [
      1024,
      65536,
      1 << 20
    ]) await lab.bandwidth(l.method, size, minMs / 2);
  }
  let step = 0;
  const steps = sizes.length * lines.length;
  for (const size of sizes) {
    for (const l of lines) {
      progress2(`measuring ${l.name}, ${sizeLabel(size)} transfers [${++step}/${steps}]`, step === 1);
      (gbps[l.method] ??= []).push(await lab.bandwidth(l.method, size, minMs));
    }
  }
  return gbps;
}
function goalsOf(sizes, gbps, us, crowd) {
  const goals = [];
  const add = (name, value, target, met) => {
    if (Number.isFinite(value)) goals.push({
      name,
      value,
      target,
      met
    });
  };
  const at = (s) => sizes.indexOf(s);
  const big = sizes.filter((s) => s >= 1 << 20).map(at);
  const rma2 = (i) => Math.min(gbps.writeTo?.[i] ?? NaN, gbps.readFrom?.[i] ?? NaN);
  const worst = (over) => big.length ? Math.min(...big.map(over)) : NaN;
  const vsCopy = worst((i) => rma2(i) / (gbps.memcpy?.[i] ?? NaN));
  const vsTcp = worst((i) => rma2(i) / (gbps.tcp?.[i] ?? NaN));
  const stream64k = at(65536) >= 0 ? (gbps.stream?.[at(65536)] ?? NaN) / (gbps.memcpy?.[at(65536)] ?? NaN) : NaN;
  add("RMA from 1 MiB up, worst of writeTo/readFrom vs memcpy", vsCopy, ">= 0.85", vsCopy >= 0.85);
  add("RMA from 1 MiB up vs TCP loopback", vsTcp, ">= 2x", vsTcp >= 2);
  add("send/recv stream at 64 KiB vs memcpy", stream64k, ">= 0.6", stream64k >= 0.6);
  const ratio = (a, b) => (a ?? NaN) / (b ?? NaN);
  const mmap = ratio(us.mmap, us.raw);
  const sendrecv = ratio(us.sendrecv, us.raw);
  const tcp = ratio(us.tcp, us.sendrecv);
  const pm = ratio(us.postMessage, us.sendrecv);
  add("8-byte round trip, mmap vs raw", mmap, "<= 1.2x", mmap <= 1.2);
  add("8-byte round trip, send/recv vs raw", sendrecv, "<= 2x", sendrecv <= 2);
  add("TCP loopback round trip vs send/recv", tcp, ">= 25x", tcp >= 25);
  add("postMessage round trip vs send/recv", pm, ">= 25x", pm >= 25);
  if (crowd) {
    const c = ratio(crowd.roundTripUs, us.sendrecv);
    add("send/recv round trip, 8 nodes + 256 endpoints vs one pair", c, "<= 1.5x", c <= 1.5);
  }
  return goals;
}
function seriesOf(f) {
  return BANDWIDTH_LINES.filter((l) => f.bandwidthGBps[l.method]).map((l) => ({
    ...l,
    values: f.bandwidthGBps[l.method]
  }));
}
function chartOf(f, between) {
  const us = f.roundTripUs;
  const paths = LATENCY_PATHS.filter((p) => us[p.method] !== void 0);
  const fmt = (v) => v < 10 ? v.toFixed(3) : v.toFixed(1);
  const notes = [
    `8-byte round trip: ${paths.map((p) => `${p.method} ${fmt(us[p.method])} us`).join(", ")}.`
  ];
  const vsCopy = f.goals.find((g) => g.name.startsWith("RMA from 1 MiB up, worst"));
  const vsTcp = f.goals.find((g) => g.name === "RMA from 1 MiB up vs TCP loopback");
  if (vsCopy) {
    notes.push(`From 1 MiB up RMA runs at >= ${vsCopy.value.toFixed(2)} of memcpy${vsTcp ? ` and >= ${vsTcp.value.toFixed(1)}x TCP loopback` : ""}${f.crowded ? `; an idle connection holds ${sizeLabel(f.crowded.bytesPerIdleConnection)} of shared memory` : ""}.`);
  }
  notes.push("RMA copies with WebAssembly memory.copy; a SYNC transfer of 256 KiB or more is split between", "the caller and the node's DMA engine Worker, so on two cores it can pass one thread's memcpy.", `Each point repeats its transfer for at least ${f.minMs} ms, walking through ${sizeLabel(f.sizes.at(-1))} windows as streaming data does.`);
  return svgChart({
    title: "SCIF for Deno: bandwidth against transfer size",
    subtitle: `Emulated SCIF network, ${between} on ${f.machine}${f.quick ? " (quick run)" : ""}`,
    sizes: f.sizes,
    series: seriesOf(f),
    notes
  });
}

// demo/_messages.ts
var enc = new TextEncoder();
var dec = new TextDecoder();
async function sendMessage(ep, text) {
  const body = enc.encode(text);
  const frame = new Uint8Array(2 + body.length);
  new DataView(frame.buffer).setUint16(0, body.length);
  frame.set(body, 2);
  await ep.send(frame);
}
async function recvMessage(ep) {
  const head = new Uint8Array(2);
  await ep.recv(head);
  const body = new Uint8Array(new DataView(head.buffer).getUint16(0));
  await ep.recv(body);
  return dec.decode(body);
}

// web/_protocol.ts
var OP_HELLO = 1;
var OP_PING = 2;
var OP_RMA = 3;
function pattern(i) {
  return i * 7 + 3 & 255;
}
async function hello(ep, text) {
  await ep.send(new Uint8Array([
    OP_HELLO
  ]));
  await sendMessage(ep, text);
  return await recvMessage(ep);
}
async function ping(ep, count) {
  const head = new Uint8Array(5);
  head[0] = OP_PING;
  new DataView(head.buffer).setUint32(1, count, true);
  await ep.send(head);
  const buf = new Uint8Array(8);
  const t02 = performance.now();
  for (let i = 0; i < count; i++) {
    await ep.send(buf);
    await ep.recv(buf);
  }
  return (performance.now() - t02) * 1e3 / count;
}
async function rma(ep, offset, mem) {
  for (let i = 0; i < mem.length; i++) mem[i] = pattern(i);
  const req = new Uint8Array(13);
  req[0] = OP_RMA;
  const view = new DataView(req.buffer);
  view.setFloat64(1, offset, true);
  view.setUint32(9, mem.length, true);
  await ep.send(req);
  const wrong = new Uint8Array(1);
  await ep.recv(wrong);
  if (wrong[0] !== 0) return false;
  for (let i = 0; i < mem.length; i++) if (mem[i] !== (pattern(i) + 1 & 255)) return false;
  return true;
}

// web/demo.ts
var state = {
  status: "running"
};
globalThis.scifDemo = state;
var params = new URLSearchParams(location.search);
var cards = Math.min(Math.max(Number(params.get("cards") ?? 2) | 0, 1), 7);
var quick = !params.has("full");
var t0 = performance.now();
var $ = (id) => document.getElementById(id);
function esc2(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function tableHtml(head, rows) {
  const tr = (cells, tag) => `<tr>${cells.map((c) => `<${tag}>${esc2(c)}</${tag}>`).join("")}</tr>`;
  return `<table><thead>${tr(head, "th")}</thead><tbody>${rows.map((r) => tr(r, "td")).join("")}</tbody></table>`;
}
function progress(text) {
  $("progress").textContent = `${text} (${((performance.now() - t0) / 1e3).toFixed(0)} s)`;
}
function log(text) {
  const li = document.createElement("li");
  li.textContent = text;
  $("log").append(li);
}
async function startCard(handle) {
  const w = new Worker(new URL("./card_worker.js", import.meta.url), {
    type: "module"
  });
  const ready = new Promise((resolve, reject) => {
    w.onmessage = (e) => e.data.ready ? resolve() : reject(new Error(e.data.error));
    w.onerror = (e) => reject(new Error(e.message));
  });
  w.postMessage({
    handle
  });
  await ready;
  return w;
}
async function withCard(host, id, fn) {
  const ep = host.open();
  try {
    await ep.connect({
      node: id,
      port: 2e3
    });
    return await fn(ep);
  } finally {
    ep.close();
  }
}
async function nodesAndCards() {
  progress(`starting the host and ${cards} card${cards > 1 ? "s" : ""}`);
  const net = await createNetwork({
    nodes: cards + 1,
    memoryBytes: 64 << 20
  });
  const host = await net.node(0);
  const workers = await Promise.all(Array.from({
    length: cards
  }, (_, i) => startCard(net.handle(i + 1))));
  const { nodes, self: self2 } = host.getNodeIds();
  state.nodes = nodes.map((id) => ({
    id,
    role: id === 0 ? "host" : "card",
    runsIn: id === self2 ? "this page (main thread)" : "a Web Worker"
  }));
  $("nodes").innerHTML = tableHtml([
    "node",
    "role",
    "runs in",
    "online"
  ], state.nodes.map((n) => [
    String(n.id),
    n.role,
    n.runsIn,
    "yes"
  ]));
  state.greetings = [];
  state.pingUs = [];
  state.rmaOk = [];
  const window = host.allocate(1 << 20);
  for (let id = 1; id <= cards; id++) {
    progress(`talking to card ${id}`);
    const reply = await withCard(host, id, (ep) => hello(ep, `hello card ${id}, this is the host`));
    state.greetings.push(reply);
    log(`host -> card ${id}: ${reply}`);
    const us = await withCard(host, id, async (ep) => (await ping(ep, 2e4), await ping(ep, 2e4)));
    state.pingUs.push(us);
    log(`ping-pong with card ${id}: 20,000 round trips of 8 bytes after 20,000 to warm up, ${us.toFixed(2)} \xB5s each`);
    const t = performance.now();
    const ok = await withCard(host, id, (ep) => rma(ep, ep.register(window), window));
    state.rmaOk.push(ok);
    log(`RMA with card ${id}: it read a 1 MiB window of the host (vreadFrom), added 1 to every byte and wrote it back (vwriteTo): ${ok ? "every byte checked" : "WRONG BYTES"} (${(performance.now() - t).toFixed(1)} ms)`);
  }
  host.free(window);
  for (const w of workers) w.terminate();
  await host.close();
  await net.close();
}
async function measure() {
  const sizes = sweepSizes(quick);
  const worker = new URL("./lab_worker.js", import.meta.url);
  const lab = await Lab.open({
    bytes: sizes.at(-1),
    worker,
    tcp: false
  });
  const latencyLab = await Lab.open({
    bytes: 1 << 20,
    worker,
    tcp: false
  });
  const latency = await measureLatency(latencyLab, {
    quick,
    methods: [
      "raw",
      "mmap",
      "sendrecv",
      "postMessage"
    ],
    progress
  });
  const crowd = await measureCrowd(latencyLab, {
    quick,
    progress
  });
  await latencyLab.close();
  const minMs = quick ? 60 : 120;
  const gbps = await measureBandwidth(lab, {
    sizes,
    methods: [
      "writeTo",
      "readFrom",
      "stream",
      "memcpy"
    ],
    minMs,
    progress
  });
  await lab.close();
  const figures = {
    machine: `${navigator.hardwareConcurrency} cores, ${navigator.userAgent.match(/(Chrome|Firefox|Safari)\/[\d.]+/)?.[0] ?? "a browser"}, ${(/* @__PURE__ */ new Date()).toISOString().slice(0, 10)}`,
    quick,
    minMs,
    sizes,
    bandwidthGBps: gbps,
    roundTripUs: latency.us,
    roundTripRuns: latency.runs,
    crowded: {
      nodes: 8,
      endpoints: 256,
      ...crowd
    },
    goals: goalsOf(sizes, gbps, latency.us, crowd)
  };
  state.figures = figures;
  $("chart").innerHTML = chartOf(figures, "two Web Workers");
  const us = latency.us;
  $("latency").innerHTML = tableHtml([
    "path",
    "round trip",
    "vs raw"
  ], LATENCY_PATHS.filter((p) => us[p.method] !== void 0).map((p) => [
    p.name,
    `${us[p.method].toFixed(3)} \xB5s`,
    `${(us[p.method] / us.raw).toFixed(2)}\xD7`
  ]).concat([
    [
      "SCIF send/recv, 8 nodes + 256 endpoints",
      `${crowd.roundTripUs.toFixed(3)} \xB5s`,
      `${(crowd.roundTripUs / us.raw).toFixed(2)}\xD7`
    ]
  ]));
  const lines = BANDWIDTH_LINES.filter((l) => gbps[l.method]);
  $("bandwidth").innerHTML = tableHtml([
    "size",
    ...lines.map((l) => `${l.name} (GB/s)`)
  ], sizes.map((s, i) => [
    sizeLabel(s),
    ...lines.map((l) => gbps[l.method][i].toFixed(2))
  ]));
  $("goals").innerHTML = tableHtml([
    "goal",
    "figure",
    "target",
    ""
  ], figures.goals.map((g) => [
    g.name,
    g.value.toFixed(2),
    g.target,
    g.met ? "met" : "not met"
  ]));
  $("memory").textContent = `An idle connection holds ${sizeLabel(crowd.bytesPerIdleConnection)} of shared memory (two 256 KiB endpoint rings and their cells). TCP is not reachable from a page, so the chart has no TCP line here; deno task demo draws it.`;
}
async function main() {
  if (!globalThis.crossOriginIsolated) {
    state.status = "not isolated";
    $("isolation").hidden = false;
    $("progress").textContent = "not started: this page is not cross-origin isolated";
    return;
  }
  await nodesAndCards();
  await measure();
  state.seconds = (performance.now() - t0) / 1e3;
  $("progress").textContent = `done in ${state.seconds.toFixed(0)} s`;
  state.status = "done";
}
main().catch((e) => {
  state.status = "failed";
  state.error = String(e?.stack ?? e);
  $("progress").textContent = `failed: ${e}`;
  console.error(e);
});
