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
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOMSG: 42,
  EIDRM: 43,
  ECHRNG: 44,
  EL2NSYNC: 45,
  EL3HLT: 46,
  EL3RST: 47,
  ELNRNG: 48,
  EUNATCH: 49,
  ENOCSI: 50,
  EL2HLT: 51,
  EBADE: 52,
  EBADR: 53,
  EXFULL: 54,
  ENOANO: 55,
  EBADRQC: 56,
  EBADSLT: 57,
  EBFONT: 59,
  ENOSTR: 60,
  ENODATA: 61,
  ETIME: 62,
  ENOSR: 63,
  ENONET: 64,
  ENOPKG: 65,
  EREMOTE: 66,
  ENOLINK: 67,
  EADV: 68,
  ESRMNT: 69,
  ECOMM: 70,
  EPROTO: 71,
  EMULTIHOP: 72,
  EDOTDOT: 73,
  EBADMSG: 74,
  EOVERFLOW: 75,
  ENOTUNIQ: 76,
  EBADFD: 77,
  EREMCHG: 78,
  ELIBACC: 79,
  ELIBBAD: 80,
  ELIBSCN: 81,
  ELIBMAX: 82,
  ELIBEXEC: 83,
  EILSEQ: 84,
  ERESTART: 85,
  ESTRPIPE: 86,
  EUSERS: 87,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EOPNOTSUPP: 95,
  EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
  ESTALE: 116,
  EUCLEAN: 117,
  ENOTNAM: 118,
  ENAVAIL: 119,
  EISNAM: 120,
  EREMOTEIO: 121,
  EDQUOT: 122,
  ENOMEDIUM: 123,
  EMEDIUMTYPE: 124,
  ECANCELED: 125,
  ENOKEY: 126,
  EKEYEXPIRED: 127,
  EKEYREVOKED: 128,
  EKEYREJECTED: 129,
  EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131,
  ERFKILL: 132,
  EHWPOISON: 133
};
var ScifError = class _ScifError extends Error {
  /** The Linux errno name, e.g. "ECONNREFUSED". */
  code;
  /** The Linux x86-64 errno number, e.g. 111. */
  errno;
  /** Makes an error for `code`; `detail` says what happened. */
  constructor(code, detail) {
    const known = typeof code === "string" && Object.hasOwn(ERRNO, code);
    const name = known ? code : "EINVAL";
    super(known ? detail ? `${name}: ${detail}` : name : `EINVAL: unknown errno name ${String(code)}`);
    this.name = "ScifError";
    this.code = name;
    this.errno = ERRNO[name];
  }
  /** The error for a Linux errno number (as the hardware backend reads it). A number Linux
   * does not define gives EINVAL (22), the number named in the message. */
  static fromErrno(errno, detail) {
    const name = BY_NUMBER.get(errno);
    if (name) return new _ScifError(name, detail);
    return new _ScifError("EINVAL", `${detail ? `${detail}: ` : ""}unknown errno ${String(errno)}`);
  }
};
var BY_NUMBER = new Map(Object.entries(ERRNO).map(([name, n]) => [
  n,
  name
]));

// _abort.ts
function abortError(signal, what) {
  const reason = signal.reason;
  const why = reason instanceof Error ? reason.message : reason === void 0 ? "aborted" : String(reason);
  return new ScifError("EINTR", `${what} was aborted (${why})`);
}
function signalOf(signal, what) {
  if (signal === void 0) return void 0;
  if (typeof AbortSignal === "undefined" || !(signal instanceof AbortSignal)) {
    throw new ScifError("EINVAL", `signal must be an AbortSignal, got ${String(signal)}`);
  }
  if (signal.aborted) throw abortError(signal, what);
  return signal;
}
function optionSignal(options, what) {
  if (options === void 0) return void 0;
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  return signalOf(options.signal, what);
}
function onAbort(signal, fn) {
  if (!signal) return () => {
  };
  signal.addEventListener("abort", fn, {
    once: true
  });
  return () => signal.removeEventListener("abort", fn);
}
function raceAbort(p, signal, what) {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const stop = onAbort(signal, () => reject(abortError(signal, what)));
    p.then((v) => {
      stop();
      resolve(v);
    }, (e) => {
      stop();
      reject(e);
    });
  });
}

// _streams.ts
var CHUNK = 64 * 1024;
function readableOf(ep, onDone) {
  let pending = null;
  let cancelled = false;
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: CHUNK,
    async pull(controller) {
      const request = controller.byobRequest;
      const view = request.view;
      pending = new AbortController();
      let n;
      try {
        n = await ep.recvSome(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), {
          signal: pending.signal
        });
      } catch (e) {
        if (pending.signal.aborted) return;
        throw e;
      } finally {
        pending = null;
      }
      if (cancelled) {
        ep.unread(new Uint8Array(view.buffer, view.byteOffset, n));
        return;
      }
      if (n === 0) {
        onDone();
        controller.close();
        request.respond(0);
      } else request.respond(n);
    },
    cancel() {
      cancelled = true;
      onDone();
      pending?.abort(new ScifError("EINTR", "the readable stream was cancelled"));
    }
  });
}
function writableOf(ep) {
  const stop = new AbortController();
  let signal = null;
  return new WritableStream({
    async write(chunk, controller) {
      if (!(chunk instanceof Uint8Array)) {
        throw new ScifError("EINVAL", "a chunk written to an endpoint must be a Uint8Array");
      }
      signal ??= AbortSignal.any([
        stop.signal,
        controller.signal
      ]);
      let at = 0;
      while (at < chunk.length) {
        at += await ep.send(at === 0 ? chunk : chunk.subarray(at), {
          signal
        });
      }
    },
    close() {
      if (!ep.closed) ep.close();
    },
    abort(reason) {
      stop.abort(reason ?? new ScifError("EINTR", "the writable stream was aborted"));
    }
  }, new CountQueuingStrategy({
    highWaterMark: 1
  }));
}

// _validate.ts
function blockOf(options) {
  if (options === void 0) return true;
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  const b2 = options.block;
  if (b2 !== void 0 && typeof b2 !== "boolean") throw new ScifError("EINVAL", "block must be a boolean");
  return b2 ?? true;
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
function nodeIdOf(v, what) {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new ScifError("EINVAL", `${what} must be a node id, an integer, got ${String(v)}`);
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

// _offset.ts
var OFF_END = 1n << 63n;
var LONG_MAX = OFF_END - 1n;
var U64_END = 1n << 64n;
var MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
function offOfBig(v) {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}
function offsetOf(v, what) {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) return v === 0 ? 0 : v;
    throw new ScifError("EINVAL", `${what} must be an integer${Number.isInteger(v) ? " exactly: a number beyond 2^53 is not one, pass a bigint" : ""}, got ${v}`);
  }
  if (typeof v === "bigint") {
    if (v >= -OFF_END && v < U64_END) return offOfBig(BigInt.asIntN(64, v));
    throw new ScifError("EINVAL", `${what} must be a 64-bit offset, in [-2^63, 2^64), got ${v}n`);
  }
  throw new ScifError("EINVAL", `${what} must be an offset: an integer or a bigint, got ${String(v)}`);
}
function offBig(o) {
  return typeof o === "bigint" ? o : BigInt(o);
}
function offAdd(o, n) {
  if (typeof o === "number") {
    const r2 = o + n;
    if (Number.isSafeInteger(r2)) return r2;
  }
  const r = offBig(o) + BigInt(n);
  if (r < -OFF_END || r >= OFF_END) {
    throw new ScifError("ENXIO", `offset ${offText(o)} + ${n} leaves the space`);
  }
  return offOfBig(r);
}
function offAligned(o, n) {
  return typeof o === "number" ? o % n === 0 : (o & BigInt(n - 1)) === 0n;
}
function offPage(o) {
  return typeof o === "number" ? Math.floor(o / SCIF_PAGE_SIZE) : Number(o >> 12n);
}
function offInPage(o) {
  return typeof o === "number" ? o - Math.floor(o / SCIF_PAGE_SIZE) * SCIF_PAGE_SIZE : Number(o & 4095n);
}
function endsPastLongMax(o, length) {
  return BigInt(length) > LONG_MAX - offBig(o);
}
function mmapOverflows(o, length) {
  const pages = BigInt(Math.ceil(length / SCIF_PAGE_SIZE)) * BigInt(SCIF_PAGE_SIZE);
  return BigInt.asUintN(64, offBig(o)) + pages >= U64_END;
}
function offText(o) {
  if (typeof o === "number") return String(o);
  return o < 0n ? `-0x${(-o).toString(16)}` : `0x${o.toString(16)}`;
}

// endpoint.ts
function waited(p, signal, what) {
  if (signal) p.catch(() => {
  });
  return raceAbort(p, signal, what);
}
var Endpoint = class _Endpoint {
  #be;
  /** @internal Made by ScifNode.open() and accept(). */
  constructor(backend) {
    this.#be = backend;
  }
  #readable = null;
  #writable = null;
  /**
   * The bytes the peer sends, as a byte stream (BYOB readers take them straight into their
   * buffer). Bytes not read stay in the ring, holding the peer's sends back; the peer's close
   * ends the stream cleanly once every byte it sent was read; cancel leaves the endpoint open,
   * its unread bytes in place, and the next `readable` is a new stream that reads on.
   *
   * @example
   * ```ts ignore
   * for await (const text of ep.readable.pipeThrough(new TextDecoderStream())) console.log(text);
   * ```
   */
  get readable() {
    if (!this.#readable || this.#readableDone) {
      this.#readableDone = false;
      this.#readable = readableOf(this, () => this.#readableDone = true);
    }
    return this.#readable;
  }
  #readableDone = false;
  /**
   * A stream whose chunks are sent to the peer: a write resolves once its bytes are in the
   * peer's ring, so `writer.ready` follows the ring's space. Closing it closes the endpoint
   * once every byte is sent (SCIF has no half-close: pipeTo's `preventClose` keeps it open).
   *
   * @example
   * ```ts ignore
   * await ReadableStream.from(["hello"]).pipeThrough(new TextEncoderStream()).pipeTo(ep.writable);
   * ```
   */
  get writable() {
    return this.#writable ??= writableOf(this);
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
    if (typeof backlog !== "number" || !Number.isInteger(backlog) || backlog < -(2 ** 31) || backlog >= 2 ** 31) {
      throw new ScifError("EINVAL", `backlog must be an integer (a C int), got ${String(backlog)}`);
    }
    be.listen(backlog);
  }
  /**
   * scif_connect: connects to `dst` (binding first if unbound). Resolves to this endpoint's port
   * id. An abort of `options.signal` ends the wait with EINTR and, as POSIX's connect after
   * EINTR, the request goes on: the endpoint connects later (poll shows POLLOUT) or the request
   * fails; a second connect meanwhile is EISCONN.
   */
  connect(dst, options) {
    return rejected(() => {
      const be = this.#open();
      if (typeof dst !== "object" || dst === null) throw new ScifError("EINVAL", "dst must be a port id");
      const node = nodeIdOf(dst.node, "dst.node");
      const port = portOf(dst.port, "dst.port");
      const signal = optionSignal(options, "connect");
      const connecting = be.connect({
        node,
        port
      }, signal).then((id) => ({
        ...id
      }));
      if (signal) connecting.catch(() => {
      });
      return raceAbort(connecting, signal, "connect");
    });
  }
  /** scif_accept: takes the next connection request (waiting for one unless `block: false`;
   * an abort of `options.signal` ends the wait with EINTR, and requests stay queued). */
  accept(options) {
    return rejected(async () => {
      const be = this.#open();
      const block = blockOf(options);
      const ep = await be.accept(block, optionSignal(options, "accept"));
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
      const be = this.#open();
      return be.send(bytesOf(data, "data"), blockOf(options), optionSignal(options, "send"));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  /** scif_recv: receives into `into`; blocking (default) fills it, non-blocking takes what is there. Resolves to the count. */
  recv(into, options) {
    try {
      const be = this.#open();
      const buf = bytesOf(into, "into");
      const block = blockOf(options);
      const signal = optionSignal(options, "recv");
      const k = this.#takeUnread(buf);
      if (k === 0) return be.recv(buf, block, signal);
      if (k === buf.length || !block) return Promise.resolve(k);
      return be.recv(buf.subarray(k), block, signal).then((n) => k + n, () => k);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  // Bytes a cancelled readable had taken from the ring but could not hand over (a read that
  // completed as the cancel came): the next recv or recvSome takes them first.
  #unread = null;
  /** @internal For the readable stream: bytes taken that belong before the ring's. */
  unread(bytes) {
    if (bytes.length === 0) return;
    if (!this.#unread) this.#unread = bytes.slice();
    else {
      const all2 = new Uint8Array(bytes.length + this.#unread.length);
      all2.set(bytes);
      all2.set(this.#unread, bytes.length);
      this.#unread = all2;
    }
  }
  #takeUnread(into) {
    const u = this.#unread;
    if (!u) return 0;
    const k = Math.min(u.length, into.length);
    into.set(u.subarray(0, k));
    this.#unread = k === u.length ? null : u.subarray(k);
    return k;
  }
  /**
   * Receives what has arrived, at least one byte, up to `into.length` — a socket read's
   * habit, where SCIF's blocking recv waits until `into` is full. Resolves to the count; 0 at
   * the end of the stream (the peer closed and every byte it sent was taken: where recv
   * reports ECONNRESET). ENOTCONN on an endpoint that is not connected.
   *
   * @example
   * ```ts ignore
   * const buf = new Uint8Array(64 * 1024);
   * for (let n; (n = await ep.recvSome(buf)) > 0;) console.log(n, "bytes");
   * ```
   */
  recvSome(into, options) {
    try {
      const be = this.#open();
      const buf = bytesOf(into, "into");
      const signal = optionSignal(options, "recv");
      const k = this.#takeUnread(buf);
      if (k > 0) return Promise.resolve(k);
      return be.recvSome(buf, signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  register(memory, options = {}) {
    const be = this.#open();
    if (typeof options !== "object" || options === null) {
      throw new ScifError("EINVAL", "options must be an object");
    }
    const { offset, prot = SCIF_PROT_READ | SCIF_PROT_WRITE, fixed = false, bigint } = options;
    if (typeof fixed !== "boolean") throw new ScifError("EINVAL", "fixed must be a boolean (SCIF_MAP_FIXED)");
    if (bigint !== void 0 && typeof bigint !== "boolean") {
      throw new ScifError("EINVAL", `bigint must be a boolean, got ${String(bigint)}`);
    }
    let at;
    if (fixed) {
      at = offsetOf(offset, "offset");
      if (!offAligned(at, SCIF_PAGE_SIZE)) {
        throw new ScifError("EINVAL", `offset ${offText(at)} is not page aligned (${SCIF_PAGE_SIZE})`);
      }
      if (at < 0) throw new ScifError("EINVAL", `offset ${offText(at)} is negative`);
    }
    if (integerOf(prot, "prot") & ~(SCIF_PROT_READ | SCIF_PROT_WRITE)) {
      throw new ScifError("EINVAL", `prot has bits other than SCIF_PROT_READ | SCIF_PROT_WRITE: ${prot}`);
    }
    bytesOf(memory, "memory");
    if (memory.byteLength === 0) throw new ScifError("EINVAL", "the memory is empty");
    pageAligned(memory.byteLength, "the memory's length");
    if (at !== void 0 && endsPastLongMax(at, memory.byteLength)) {
      throw new ScifError("EINVAL", `a window at ${offText(at)} of ${memory.byteLength} bytes would end past 2^63 - 1`);
    }
    const got = be.register(memory, at, prot, fixed);
    if (bigint ?? typeof offset === "bigint") return offBig(got);
    if (typeof got === "number") return got;
    let undone = "";
    try {
      be.unregister(got, memory.byteLength);
    } catch (e) {
      undone = ` (unregistering it again failed, ${e.message}: it stays until the endpoint closes)`;
    }
    throw new ScifError("EOVERFLOW", `the window's offset ${offText(got)} is beyond 2^53 and no number holds it exactly: register with { bigint: true } to receive it as a bigint${undone}`);
  }
  /**
   * scif_unregister: removes the whole windows that make up [offset, offset + length). Mappings
   * the peer holds of them stay valid until it unmaps them. `offset` is a number or a bigint.
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
    const at = offsetOf(offset, "offset");
    if (!offAligned(at, SCIF_PAGE_SIZE)) {
      throw new ScifError("EINVAL", `offset ${offText(at)} is not page aligned (${SCIF_PAGE_SIZE})`);
    }
    if (at < 0 || endsPastLongMax(at, length)) {
      throw new ScifError("EINVAL", `[${offText(at)}, +${length}) is outside [0, 2^63 - 1]`);
    }
    be.unregister(at, length);
  }
  /**
   * scif_readfrom: copies `length` bytes of the peer's registered space at `remoteOffset` into
   * ours at `localOffset`. Without SCIF_RMA_SYNC the node's DMA engine does it and the call may
   * resolve first (order it with fences); SCIF_RMA_USECPU copies in this thread. An abort of
   * `options.signal` ends the call's wait with EINTR; the transfer is not undone (its bytes may
   * still land: order with a fence before reusing the memory). Offsets are
   * numbers or bigints, any byte of a window (`offset + 100n` inside one near 2^63); a range
   * that is not all in windows, a negative offset included, is ENXIO.
   *
   * @example
   * ```ts ignore
   * await ep.readFrom(localOffset, 4096, remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  readFrom(localOffset, length, remoteOffset, flags = 0, options) {
    return rejected(() => {
      const be = this.#open();
      const args = this.#copyArgs(localOffset, length, remoteOffset, flags);
      const signal = optionSignal(options, "readFrom");
      return waited(be.readFrom(...args), signal, "readFrom");
    });
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
  writeTo(localOffset, length, remoteOffset, flags = 0, options) {
    return rejected(() => {
      const be = this.#open();
      const args = this.#copyArgs(localOffset, length, remoteOffset, flags);
      const signal = optionSignal(options, "writeTo");
      return waited(be.writeTo(...args), signal, "writeTo");
    });
  }
  /** The checks of an RMA's arguments that are not the kernel's: what C cannot pass. Negative
   * offsets and ranges past the end go on to the backend, whose window walk answers ENXIO. */
  #copyArgs(localOffset, length, remoteOffset, flags) {
    return [
      offsetOf(localOffset, "localOffset"),
      integerOf(length, "length", 0),
      offsetOf(remoteOffset, "remoteOffset"),
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
  vreadFrom(into, remoteOffset, flags = 0, options) {
    return rejected(() => {
      const be = this.#open();
      const bytes = bytesOf(into, "into");
      const remote = offsetOf(remoteOffset, "remoteOffset");
      const f = integerOf(flags, "flags");
      const signal = optionSignal(options, "vreadFrom");
      return waited(be.vreadFrom(bytes, remote, f), signal, "vreadFrom");
    });
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
  vwriteTo(from, remoteOffset, flags = 0, options) {
    return rejected(() => {
      const be = this.#open();
      const bytes = bytesOf(from, "from");
      const remote = offsetOf(remoteOffset, "remoteOffset");
      const f = integerOf(flags, "flags");
      const signal = optionSignal(options, "vwriteTo");
      return waited(be.vwriteTo(bytes, remote, f), signal, "vwriteTo");
    });
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
  fenceWait(mark, options) {
    return rejected(() => {
      const m = integerOf(mark, "mark", 0);
      if (m >= 2 ** 32) throw new ScifError("EINVAL", `not a fence mark: ${mark}`);
      const be = this.#open();
      return be.fenceWait(m, optionSignal(options, "fenceWait"));
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
    return rejected(() => this.#open().fenceSignal(offsetOf(localOffset, "localOffset"), u64Of(localValue, "localValue"), offsetOf(remoteOffset, "remoteOffset"), u64Of(remoteValue, "remoteValue"), integerOf(flags, "flags")));
  }
  /**
   * mmap of the peer's window: a live view of `length` bytes of the peer's registered space at
   * `remoteOffset` (page aligned; a number or a bigint). Stores through it are the peer's
   * memory, with no call; `prot` (SCIF_PROT_READ | SCIF_PROT_WRITE) must be allowed by the
   * window. The view stays valid until munmap, even after the peer unregisters or closes. A range
   * that runs past 2^64 (as mmap(2)'s unsigned file offset) is EOVERFLOW; one not in the peer's
   * windows, a negative offset included, ENXIO.
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
    const at = offsetOf(remoteOffset, "remoteOffset");
    if (!offAligned(at, SCIF_PAGE_SIZE)) {
      throw new ScifError("EINVAL", `remoteOffset ${offText(at)} is not page aligned (${SCIF_PAGE_SIZE})`);
    }
    if (integerOf(length, "length", 0) === 0) throw new ScifError("EINVAL", "the length is 0");
    if (integerOf(prot, "prot") & ~(SCIF_PROT_READ | SCIF_PROT_WRITE)) {
      throw new ScifError("EINVAL", `bad prot ${prot}`);
    }
    if (mmapOverflows(at, length)) {
      throw new ScifError("EOVERFLOW", `[${offText(at)}, +${length}) runs past 2^64 as mmap's file offset`);
    }
    return be.mmap(at, length, prot);
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
  /**
   * The connections a listening endpoint accepts, one after another, until it is closed (a
   * blocked accept then ends with EINTR, and the iteration with it); any other failure of
   * accept is thrown.
   *
   * @example
   * ```ts ignore
   * for await (const { endpoint, peer } of listener) {
   *   console.log("connection from", peer);
   *   endpoint.close();
   * }
   * ```
   */
  async *[Symbol.asyncIterator]() {
    for (; ; ) {
      let next;
      try {
        next = await this.accept();
      } catch (e) {
        if (e instanceof ScifError && (e.code === "EINTR" || e.code === "EBADF")) return;
        throw e;
      }
      yield next;
    }
  }
  /** Closes the endpoint unless it is closed already. */
  [Symbol.dispose]() {
    if (!this.#be.closed) this.#be.close();
  }
};

// _node_events.ts
var NodeEvent = class extends Event {
  /** The node id. */
  node;
  /** @internal Made by the library. */
  constructor(type, node) {
    super(type);
    this.node = node;
  }
};
var NodeWatch = class {
  #target;
  #node;
  #online;
  #unwatch;
  constructor(target, node) {
    this.#target = target;
    this.#node = node;
    this.#online = new Set(node.onlineNodes());
    this.#unwatch = node.watchNodes((replaced) => this.#look(replaced));
  }
  #look(replaced) {
    let now;
    try {
      now = new Set(this.#node.onlineNodes());
    } catch {
      return;
    }
    const before = this.#online;
    this.#online = now;
    for (const n of replaced) {
      if (before.has(n) && now.has(n)) {
        this.#target.dispatchEvent(new NodeEvent("noderemove", n));
        this.#target.dispatchEvent(new NodeEvent("nodeadd", n));
      }
    }
    for (const n of [
      ...before
    ].sort((a, b2) => a - b2)) {
      if (!now.has(n)) this.#target.dispatchEvent(new NodeEvent("noderemove", n));
    }
    for (const n of [
      ...now
    ].sort((a, b2) => a - b2)) {
      if (!before.has(n)) this.#target.dispatchEvent(new NodeEvent("nodeadd", n));
    }
  }
  stop() {
    this.#unwatch?.();
    this.#unwatch = null;
  }
};
function nodeEventsOf(target, closed, signal) {
  const queue = [];
  let wake = null;
  let done = false;
  const on = (e) => {
    queue.push(e);
    wake?.();
  };
  const end = () => {
    if (done) return;
    done = true;
    target.removeEventListener("nodeadd", on);
    target.removeEventListener("noderemove", on);
    signal?.removeEventListener("abort", end);
    wake?.();
  };
  target.addEventListener("nodeadd", on);
  target.addEventListener("noderemove", on);
  signal?.addEventListener("abort", end, {
    once: true
  });
  closed.then(end);
  const it = {
    [Symbol.asyncIterator]: () => it,
    async next() {
      for (; ; ) {
        if (queue.length > 0) return {
          value: queue.shift(),
          done: false
        };
        if (done) return {
          value: void 0,
          done: true
        };
        await new Promise((r) => wake = r);
        wake = null;
      }
    },
    return() {
      end();
      queue.length = 0;
      return Promise.resolve({
        value: void 0,
        done: true
      });
    }
  };
  return it;
}

// node.ts
var backends = /* @__PURE__ */ new WeakMap();
var ScifNode = class extends EventTarget {
  #be;
  #closed = false;
  #watch = null;
  #ended;
  #closedPromise = new Promise((r) => this.#ended = r);
  /** @internal Made by openNode(), Network.node() and attachNode(). */
  constructor(backend) {
    super();
    this.#be = backend;
    backends.set(this, backend);
  }
  addEventListener(type, listener, options) {
    super.addEventListener(type, listener, options);
    if (type === "nodeadd" || type === "noderemove") this.#startWatch();
  }
  removeEventListener(type, listener, options) {
    super.removeEventListener(type, listener, options);
  }
  #startWatch() {
    if (this.#watch || this.#closed) return;
    const be = this.#be;
    this.#watch = new NodeWatch(this, {
      onlineNodes: () => be.getNodeIds().nodes,
      watchNodes: (onChange) => be.watchNodes(onChange)
    });
  }
  /**
   * The node events (see addEventListener) as they come, until the node closes or
   * `options.signal` aborts (either ends the iteration).
   *
   * @example
   * ```ts ignore
   * for await (const e of node.nodeEvents({ signal: AbortSignal.timeout(60_000) })) {
   *   console.log(e.type, e.node);
   * }
   * ```
   */
  nodeEvents(options) {
    this.#open();
    if (options !== void 0 && (typeof options !== "object" || options === null)) {
      throw new ScifError("EINVAL", "options must be an object");
    }
    const signal = options?.signal;
    if (signal !== void 0 && !(signal instanceof AbortSignal)) {
      throw new ScifError("EINVAL", "signal must be an AbortSignal");
    }
    const events = nodeEventsOf(this, this.#closedPromise, signal);
    this.#startWatch();
    return events;
  }
  /** This node's SCIF node id (the host is 0). */
  get nodeId() {
    return this.#be.nodeId;
  }
  /** Which backend serves this node. */
  get backend() {
    return this.#be.kind;
  }
  /**
   * Where this node's network is: `"hardware"` (/dev/scif), `"threads"` (a network of this
   * program's threads: `createNetwork`, or `openNode({ network: "thread" })`), or `"machine"`
   * (the machine's emulated network, shared by every program that joins it, in memory they all
   * map; linked to other machines over TCP when configured).
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * const node = await openNode();
   * if (node.network === "machine") console.log("other programs on this machine can reach me");
   * await node.close();
   * ```
   */
  get network() {
    return this.#be.network;
  }
  #open() {
    if (this.#closed) throw new ScifError("ENODEV", "the node is closed");
    return this.#be;
  }
  /** scif_open: a new, unbound endpoint. */
  open() {
    return new Endpoint(this.#open().openEndpoint());
  }
  /** scif_get_node_ids: the online nodes, ascending, and this node's id. */
  getNodeIds() {
    return this.#open().getNodeIds();
  }
  /**
   * scif_poll: waits until an entry's events hold or `timeoutMs` passes (-1: no limit, 0: look
   * only). Sets each entry's `revents`; resolves to how many entries have any. An abort of
   * `options.signal` ends the wait with EINTR (the entries' revents are then 0).
   */
  async poll(entries, timeoutMs, options) {
    const be = this.#open();
    if (!Array.isArray(entries)) throw new ScifError("EINVAL", "entries must be an array");
    if (typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs < -1 || timeoutMs >= 2 ** 31) {
      throw new ScifError("EINVAL", `timeoutMs must be an integer in [-1, 2^31) (a C int), got ${String(timeoutMs)}`);
    }
    const list = entries.map((e) => {
      if (typeof e !== "object" || e === null || !(e.endpoint instanceof Endpoint)) {
        throw new ScifError("EINVAL", "each entry needs an endpoint");
      }
      if (typeof e.events !== "number" || !Number.isInteger(e.events) || e.events < 0 || e.events > 65535) {
        throw new ScifError("EINVAL", `events must be an integer in [0, 0xffff], got ${String(e.events)}`);
      }
      if (!Reflect.set(e, "revents", 0)) {
        throw new ScifError("EINVAL", "an entry's revents cannot be written (a frozen entry?)");
      }
      return {
        endpoint: e.endpoint.backend,
        events: e.events
      };
    });
    const revents = await be.poll(list, timeoutMs, optionSignal(options, "poll"));
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
  /**
   * The node's counters: `droppedMessages`, the control messages from other nodes that were
   * malformed and dropped (a buggy peer shows here, instead of crashing or confusing this node).
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * const node = await openNode();
   * console.log(node.stats().droppedMessages); // 0 among well-behaved peers
   * await node.close();
   * ```
   */
  stats() {
    return this.#open().stats();
  }
  /** Gives back memory from `allocate`: it is freed once no window or transfer uses it. */
  free(memory) {
    this.#open().free(bytesOf(memory, "memory"));
  }
  /** Closes every endpoint of the node (opened or accepted through it), then the node. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch?.stop();
    this.#watch = null;
    this.#ended();
    await this.#be.close();
  }
  /**
   * Closes the node unless it is closed already: `await using node = await openNode()`.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * {
   *   await using node = await openNode({ network: "thread" });
   *   node.open().bind(0);
   * } // closed here, with its endpoints
   * ```
   */
  [Symbol.asyncDispose]() {
    return this.close();
  }
};

// _deno.ts
function denoGlobal() {
  return globalThis.Deno;
}
function ffiPermitted() {
  const deno = denoGlobal();
  if (typeof deno?.dlopen !== "function") return false;
  try {
    return deno.permissions.querySync({
      name: "ffi"
    }).state === "granted";
  } catch {
    return false;
  }
}

// core/scif_core.ts
var WASM_BASE64 = [
  "AGFzbQEAAAABWAxgAX8Bf2ACf38Bf2ACf38AYAJ/fwF8YAN/f38Bf2ADf39/AGACf34AYAF/AGAHf39/f39/fwBgCn9/f39/f35+",
  "fn4Bf2ACf38BfmAKf39/f39/fn5+fgACEgEDZW52Bm1lbW9yeQIDAYCABAMkIwEAAwEAAwYBAAQAAAIABwUAAgAIBAACAAAACQAA",
  "CgALAAAFBmITfwBBAAt/AEEEC38AQQgLfwBBDAt/AEEQC38AQRQLfwBBGAt/AEEcC38AQSALfwBBJAt/AEEoC38AQcAAC38AQX8L",
  "fwBBKAt/AEEwC38AQTgLfwBBPAt/AEEQC38AQcAACwexBTYHUkJfQkFTRQMAB1JCX1NJWkUDAQxSQl9SRUFEX0NFTEwDAg1SQl9X",
  "UklURV9DRUxMAwMLUkJfQ1VSX1JFQUQDBAxSQl9DVVJfV1JJVEUDBQtSQl9XQUlUX09XTgMGDFJCX1dBSVRfUEVFUgMHDFJCX1NF",
  "RU5fUkVBRAMIB1JCX1NFQUwDCQZSQl9LRVkDCg1SQl9ERVNDX0JZVEVTAwsJUkJfQlJPS0VOAwwJcmJfc2VhbGVkAA0HcmJfc2Vh",
  "bAAOB3JiX21hc2sAEgdyYl9pbml0ABMLcmJfcmV0YXJnZXQADwhyYl9zcGFjZQALD3JiX3dyaXRlX29mZnNldAAIC3JiX3Byb2R1",
  "Y2VkABEIcmJfd3JpdGUACQlyYl9jb21taXQAFwhyYl9jb3VudAAVDnJiX3JlYWRfb2Zmc2V0ABALcmJfY29uc3VtZWQAFgtyYl9n",
  "ZXRfbmV4dAAUEnJiX3VwZGF0ZV9yZWFkX3B0cgAKDnJiX3NldF93YWl0aW5nAAwGU1RfS0VZAw0GU1RfUE9TAw4HU1RfTEVGVAMP",
  "BVNUX0FUAxAJU1RfSEVBREVSAxEHc3RfaW5pdAAGCHN0X3NwYWNlAAENc3Rfc3Bpbl9zcGFjZQAACnN0X3Jlc2VydmUAAglzdF9j",
  "b21taXQABwdzdF9wZWVrAAUKc3RfcmVsZWFzZQADCnN0X3B1Ymxpc2gABAlNU0dfQllURVMDEgptc2dfZW5jb2RlAB8MbXNnX3Ny",
  "Y19ub2RlABkMbXNnX3NyY19wb3J0ABgMbXNnX2RzdF9ub2RlACEMbXNnX2RzdF9wb3J0ACAGbXNnX29wAB4LbXNnX3BheWxvYWQA",
  "HQhtc2dfc2VuZAAaCG1zZ19wZWVrABwLbXNnX3JlbGVhc2UAGwhtZW1fY29weQAiCv0iI7QCAgN/AX4gACgCJCAAKQMAIACtQpX4",
  "qfqXt96bnn9+hSAAKQMIQhGJhSAAKQMYQh+JhSAAKQMoQi+JhSIFQiCIIAWFp0GV08feBXNHBH9BfwUgACAAKAII/hACACICNgIg",
  "IAAoAgRBAWsiBCACIAQgACgCFHFBcHFrQQFrcUEBaiICQSBrQQAgAkEwTxsLIQIDQCACRSABIANKcQRAIAAoAiQgACkDACAArUKV",
  "+Kn6l7fem55/foUgACkDCEIRiYUgACkDGEIfiYUgACkDKEIviYUiBUIgiCAFhadBldPH3gVzRwR/QX8FIAAgACgCCP4QAgAiAjYC",
  "ICAAKAIEQQFrIgQgAiAEIAAoAhRxQXBxa0EBa3FBAWoiAkEga0EAIAJBME8bCyECIANBAWohAwwBCwsgAguOAQIBfgF/IAAoAiQg",
  "ACkDACAArUKV+Kn6l7fem55/foUgACkDCEIRiYUgACkDGEIfiYUgACkDKEIviYUiASABQiCIhadBldPH3gVzRwRAQX8PCyAAIAAo",
  "Agj+EAIAIgI2AiAgAiAAKAIEQQFrIgIgACgCFHFBcHFrQQFrIAJxQQFqIgBBIGtBACAAQTBPGwuCAgICfwF+IAAoAiQgACkDACAA",
  "rUKV+Kn6l7fem55/foUgACkDCEIRiYUgACkDGEIfiYUgACkDKEIviYUiBCAEQiCIhadBldPH3gVzRwRARAAAAAAAAPC/DwsgASAA",
  "KAIEQQFrIgNBAWpBAnYiAk0EQCABIQILIAAoAiAgACgCFCADcUFwcWtBAWsgA3FBAWoiAUEga0EAIAFBME8bIgEgAkkEQCAAIAAo",
  "Agj+EAIAIgE2AiAgASAAKAIUIANxQXBxa0EBayADcUEBaiIBQSBrQQAgAUEwTxshAQsgACgCFCADcUFwcUEQaiADcbhEAAAAAAAA",
  "oEGiIAEgAiABIAJJG7igC+ICAgN/AX4gACgCJCAAKQMAIACtQpX4qfqXt96bnn9+hSAAKQMIQhGJhSAAKQMYQh+JhSAAKQMoQi+J",
  "hSIFIAVCIIiFp0GV08feBXNHBEBBfw8LIAAoAgRBAWshAiAAKAI4IgMgAUkEQEF/DwsgACAAKAI8IAFqIAJxIgQ2AjwgACADIAFr",
  "IgE2AjggAQRAQQAPCyAAIAApAzAgBEEPakFwcSACcSIBIAAoAhAgAnFBcHFrIAJxrXw3AzAgACABNgIQIAEgACgCIGsgAnEgAkEB",
  "akECdk8Ef0EBBSAAKAIc/hACAAsEQCAAKAIkIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mF",
  "IgUgBUIgiIWnQZXTx94Fc0cEf0F/BSAAIAAoAhAgACgCBEEBa3EiATYCICAAKAIIIAH+FwIAIAAoAhz+EAIAQQBHCw8LQQAL2wEC",
  "AX4BfyAAKAIkIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mFIgEgAUIgiIWnQZXTx94Fc0cE",
  "QEF/DwsgACgCICAAKAIQRgRAQQAPCyAAKAIkIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mF",
  "IgEgAUIgiIWnQZXTx94Fc0cEf0F/BSAAIAAoAhAgACgCBEEBa3EiAjYCICAAKAIIIAL+FwIAIAAoAhz+EAIAQQBHCwuwAgIFfwF+",
  "IAAoAiQgACkDACAArUKV+Kn6l7fem55/foUgACkDCEIRiYUgACkDGEIfiYUgACkDKEIviYUiByAHQiCIhadBldPH3gVzRwRARAAA",
  "AAAAAPC/DwsgACgCBEEBayIFQQFqQQJ2IQMgACgCOCIEBEAgAyAESQR8RAAAAAAAAPC/BSAAKAI8IAVxuEQAAAAAAACgQaIgBLig",
  "Cw8LIAAoAhAgBXFBcHEiBCAAKAIAaiEGIAApAyggACkDMEIBfIUhBwNAIAb+EQMAIAdSBEAgASACTARARAAAAAAAAAAADwsgAkEB",
  "aiECDAELCyAGKAIIIgFFIAEgA0tyBEBEAAAAAAAA8L8PCyAAIAE2AjggACAEQRBqIAVxIgA2AjwgALhEAAAAAAAAoEGiIAG4oAuv",
  "AQEBfiAAKAIkIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mFIgIgAkIgiIWnQZXTx94Fc0cE",
  "QA8LIAAgATcDKCAAQgA3AzAgAEEANgI4IABBADYCPCAAIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAAp",
  "AyhCL4mFIgEgAUIgiIWnQZXTx94FczYCJAv0AQIBfgN/IAAoAiQgACkDACAArUKV+Kn6l7fem55/foUgACkDCEIRiYUgACkDGEIf",
  "iYUgACkDKEIviYUiAiACQiCIhadBldPH3gVzRwRAQX8PCyAAKAIEQQFrIQQgAQR/IAEgBEEBakECdksFQQELBEBBfw8LIAAoAhQg",
  "BHFBcHEiBSAAKAIAaiEDIAApAzAhAiAFIAFBD2pBcHFBEGoiBWogBHEhBCADIAE2AgggA0EANgIMIAAgAiAFrXw3AzAgACAENgIU",
  "IAMgACkDKCACQgF8hf4YAwAgACgCHP4QAgBFBEBBAA8LIAAoAgwgBP4XAgBBAQsQACAAKAIUIAAoAgRBAWtxC+kBAgF+A38gAkUg",
  "ACgCJCAAKQMAIACtQpX4qfqXt96bnn9+hSAAKQMIQhGJhSAAKQMYQh+JhSAAKQMoQi+JhSIDIANCIIiFp0GV08feBXNHBH9BAAUg",
  "ACAAKAII/hACACIENgIgIAAoAgRBAWsgBCAAKAIUa0EBa3ELIAJJcgRAQX9BACACGw8LIAAoAhQgACgCBCIFQQFrcSIGIAAoAgAi",
  "BGogASACIAUgBmsiBSACIAVJGyIF/AoAACACIAVLBEAgBCABIAVqIAIgBWv8CgAACyAAIAAoAgRBAWsgACgCFCACanE2AhRBAAt+",
  "AgF+AX8gACgCJCAAKQMAIACtQpX4qfqXt96bnn9+hSAAKQMIQhGJhSAAKQMYQh+JhSAAKQMoQi+JhSIBIAFCIIiFp0GV08feBXNH",
  "BEBBfw8LIAAgACgCECAAKAIEQQFrcSICNgIgIAAoAgggAv4XAgAgACgCHP4QAgBBAEcLdgIBfgF/IAAoAiQgACkDACAArUKV+Kn6",
  "l7fem55/foUgACkDCEIRiYUgACkDGEIfiYUgACkDKEIviYUiASABQiCIhadBldPH3gVzRwRAQQAPCyAAIAAoAgj+EAIAIgI2AiAg",
  "ACgCBEEBayACIAAoAhRrQQFrcQtYAQF+IAAoAiQgACkDACAArUKV+Kn6l7fem55/foUgACkDCEIRiYUgACkDGEIfiYUgACkDKEIv",
  "iYUiAiACQiCIhadBldPH3gVzRgRAIAAoAhggAf4XAgALC0oBAX4gACgCJCAAKQMAIACtQpX4qfqXt96bnn9+hSAAKQMIQhGJhSAA",
  "KQMYQh+JhSAAKQMoQi+JhSIBIAFCIIiFp0GV08feBXNGC0kBAX4gACAAKQMAIACtQpX4qfqXt96bnn9+hSAAKQMIQhGJhSAAKQMY",
  "Qh+JhSAAKQMoQi+JhSIBIAFCIIiFp0GV08feBXM2AiQLwAECAX4BfyAAKAIkIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmF",
  "IAApAxhCH4mFIAApAyhCL4mFIgMgA0IgiIWnQZXTx94Fc0cEQA8LIAEgACgCECAAKAIEQQFrcSIE/hcCACAAIAQ2AiAgACABNgII",
  "IAAgAjYCGCAAIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mFIgMgA0IgiIWnQZXTx94FczYC",
  "JAsQACAAKAIQIAAoAgRBAWtxCxgAIAAgACgCBEEBayAAKAIUIAFqcTYCFAsKACAAKAIEQQFrC6UBAQF+IAAgATYCACAAIAI2AgQg",
  "ACADNgIIIAAgBDYCDCAAIAJBAWsiASAD/hACAHE2AhAgACAE/hACACABcTYCFCAAIAU2AhggACAGNgIcIAAgACgCEDYCICAAQgA3",
  "AyggACAAKQMAIACtQpX4qfqXt96bnn9+hSAAKQMIQhGJhSAAKQMYQh+JhSAAKQMoQi+JhSIHIAdCIIiFp0GV08feBXM2AiQL4QEC",
  "AX4DfyACRSAAKAIkIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mFIgMgA0IgiIWnQZXTx94F",
  "c0cEf0EABSAAKAIM/hACACEEIAAoAgRBAWsgBCAAKAIQa3ELIAJJcgRAQX9BACACGw8LIAEgACgCECAAKAIEIgVBAWtxIgYgACgC",
  "ACIEaiACIAUgBmsiBSACIAVJGyIF/AoAACACIAVLBEAgASAFaiAEIAIgBWv8CgAACyAAIAAoAgRBAWsgACgCECACanE2AhBBAAtu",
  "AgF+AX8gACgCJCAAKQMAIACtQpX4qfqXt96bnn9+hSAAKQMIQhGJhSAAKQMYQh+JhSAAKQMoQi+JhSIBIAFCIIiFp0GV08feBXNH",
  "BEBBAA8LIAAoAgz+EAIAIQIgACgCBEEBayACIAAoAhBrcQsYACAAIAAoAgRBAWsgACgCECABanE2AhALcwEBfiAAKAIkIAApAwAg",
  "AK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mFIgEgAUIgiIWnQZXTx94Fc0cEQEEADwsgACgCDCAAKAIU",
  "IAAoAgRBAWtx/hcCACAAKAIc/hACAEEARwsHACAALwECCwcAIAAvAQAL8gICAX4BfyAAKAIkIAApAwAgAK1Clfip+pe33puef36F",
  "IAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mFIgogCkIgiIWnQZXTx94Fc0cEf0EABSAAIAAoAgj+EAIAIgs2AiAgACgCBEEBayAL",
  "IAAoAhRrQQFrcQtBwABJBEBBAA8LIAAoAgAgACgCFCAAKAIEQQFrcUFAcWoiCyABOwEAIAsgAjsBAiALIAM7AQQgCyAEOwEGIAsg",
  "BTYCCCALQQA2AgwgCyAGNwMQIAsgBzcDGCALIAg3AyAgCyAJNwMoIAtCADcDMCALQgA3AzggACAAKAIEQQFrIAAoAhRBQGtxNgIU",
  "QQNBASAAKAIkIAApAwAgAK1Clfip+pe33puef36FIAApAwhCEYmFIAApAxhCH4mFIAApAyhCL4mFIgYgBkIgiIWnQZXTx94Fc0cE",
  "f0EABSAAKAIMIAAoAhQgACgCBEEBa3H+FwIAIAAoAhz+EAIACxsLlAECAX4BfyAAIAAoAgRBAWsgACgCEEFAa3E2AhAgACgCJCAA",
  "KQMAIACtQpX4qfqXt96bnn9+hSAAKQMIQhGJhSAAKQMYQh+JhSAAKQMoQi+JhSIBIAFCIIiFp0GV08feBXNHBH9BfwUgACAAKAIQ",
  "IAAoAgRBAWtxIgI2AiAgACgCCCAC/hcCACAAKAIc/hACAEEARwsLjwECAX4BfyAAKAIkIAApAwAgAK1Clfip+pe33puef36FIAAp",
  "AwhCEYmFIAApAxhCH4mFIAApAyhCL4mFIgEgAUIgiIWnQZXTx94Fc0cEf0EABSAAKAIM/hACACECIAAoAgRBAWsgAiAAKAIQa3EL",
  "QcAASQRAQQAPCyAAKAIAIAAoAhAgACgCBEEBa3FBQHFqCxMAIABBEGogAUEDcUEDdGopAwALBwAgACgCCAtWACAAIAE7AQAgACAC",
  "OwECIAAgAzsBBCAAIAQ7AQYgACAFNgIIIABBADYCDCAAIAY3AxAgACAHNwMYIAAgCDcDICAAIAk3AyggAEIANwMwIABCADcDOAsH",
  "ACAALwEGCwcAIAAvAQQLDAAgACABIAL8CgAACw=="
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

// _runtime.ts
function networkMissing() {
  const g = globalThis;
  if (g.crossOriginIsolated === false) {
    return "cross-origin isolation (this page is not cross-origin isolated, so it may not share memory with its Workers): serve the page and its scripts with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (deno task serve does)";
  }
  if (typeof g.SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer, which the network's memory is: run in Deno, Node.js, Bun or a cross-origin isolated page of Chromium or Firefox";
  }
  if (!sharedWasmMemory()) {
    return "WebAssembly threads (a shared WebAssembly.Memory), which the network's memory is: run in Deno, Node.js, Bun or a current browser";
  }
  if (typeof Atomics.waitAsync !== "function" && typeof Worker !== "function") {
    return "Atomics.waitAsync, or Workers to wait in with Atomics.wait, so that a node hears the other nodes' messages without blocking its thread; this runtime has neither: run in Deno, Node.js, Bun or a current browser";
  }
  return null;
}
function sharedWasmMemory() {
  try {
    const memory = new WebAssembly.Memory({
      initial: 1,
      maximum: 1,
      shared: true
    });
    return memory.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
function requireNetworkRuntime(call) {
  const missing = networkMissing();
  if (missing !== null) {
    throw new ScifError("EOPNOTSUPP", `${call}: the emulated network needs ${missing}`);
  }
}
function workerThreads() {
  const process = globalThis.process;
  if (typeof process?.getBuiltinModule !== "function") return null;
  try {
    const wt = process.getBuiltinModule("node:worker_threads");
    return typeof wt?.Worker === "function" ? wt : null;
  } catch {
    return null;
  }
}
function inWorkerThread() {
  if (typeof globalThis.WorkerGlobalScope !== "undefined") return true;
  if (globalThis.Deno !== void 0) return false;
  const wt = workerThreads();
  return wt !== null && wt.isMainThread === false;
}

// emu/bus/_web_locks.ts
function inWorker() {
  return inWorkerThread();
}
var BEAT_MS = 250;
var LOSS_MS = 5e3;
function locks() {
  const nav = globalThis.navigator;
  return nav?.locks ?? null;
}
function lockName(networkId, slot) {
  return `scif-emu:${networkId}:slot:${slot}`;
}
async function hold(name) {
  const lm = locks();
  if (!lm) return beat(name);
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
  if (!lm) return watchBeats(name, onEnd);
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
function unref(t) {
  const deno = globalThis.Deno;
  if (typeof t === "number") deno?.unrefTimer?.(t);
  else t?.unref?.();
}
function beat(name) {
  if (typeof BroadcastChannel !== "function") return () => {
  };
  const channel = new BroadcastChannel(name);
  unref(channel);
  const timer = setInterval(() => channel.postMessage("beat"), BEAT_MS);
  unref(timer);
  channel.postMessage("beat");
  let released = false;
  return () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    channel.postMessage("end");
    channel.close();
  };
}
function watchBeats(name, onEnd) {
  if (typeof BroadcastChannel !== "function") return () => {
  };
  const channel = new BroadcastChannel(name);
  let last = performance.now();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    channel.close();
  };
  const end = () => {
    if (stopped) return;
    stop();
    onEnd();
  };
  channel.onmessage = (e) => {
    if (e.data === "end") end();
    else last = performance.now();
  };
  unref(channel);
  const timer = setInterval(() => {
    if (performance.now() - last > LOSS_MS) end();
  }, BEAT_MS);
  unref(timer);
  return stop;
}

// emu/_wait.ts
var sleepers = 0;
var keeper;
var denoTimers = globalThis.Deno;
function isRefTimer(t) {
  return typeof t === "object" && t !== null && typeof t.ref === "function" && typeof t.unref === "function";
}
function hold2() {
  if (sleepers++ !== 0) return;
  if (denoTimers?.refTimer) {
    keeper ??= setInterval(() => {
    }, 1 << 30);
    denoTimers.refTimer(keeper);
  } else if (keeper === void 0) {
    const t = setInterval(() => {
    }, 1 << 30);
    if (isRefTimer(t)) keeper = t;
    else {
      clearInterval(t);
      keeper = null;
    }
  } else if (isRefTimer(keeper)) keeper.ref();
}
function unhold() {
  if (--sleepers !== 0 || keeper === void 0 || keeper === null) return;
  if (denoTimers?.unrefTimer) denoTimers.unrefTimer(keeper);
  else if (isRefTimer(keeper)) keeper.unref();
}
async function keepAlive(p) {
  hold2();
  try {
    return await p;
  } finally {
    unhold();
  }
}
var LocalWakers = class {
  #byCell = /* @__PURE__ */ new Map();
  /** Wakes every sleeper of this thread (they look again at what they wait for). */
  wakeAll() {
    if (this.#byCell.size === 0) return;
    const all2 = [
      ...this.#byCell.values()
    ];
    this.#byCell.clear();
    for (const wakers of all2) for (const wake of wakers) wake();
  }
  /** Wakes this thread's sleepers on cell `index`. */
  wake(index) {
    const wakers = this.#byCell.get(index);
    if (!wakers) return;
    this.#byCell.delete(index);
    for (const wake of wakers) wake();
  }
  /** Sleeps until this thread's wake(index) or wakeAll(), a change of the cell seen at the
   * start, or `timeoutMs` (no runtime waiter is made: a waitAsync costs native memory per
   * call, see emu/bus/_bus.ts). False on timeout. */
  async sleep(i32, index, expected, timeoutMs, keepProcess) {
    if (Atomics.load(i32, index) !== expected) return true;
    if (timeoutMs <= 0) return false;
    const [woken, withdraw] = this.add(index);
    let timer;
    const late = timeoutMs === Infinity ? null : new Promise((r) => timer = setTimeout(() => r("timed-out"), timeoutMs));
    if (keepProcess) hold2();
    try {
      return await (late ? Promise.race([
        woken,
        late
      ]) : woken) !== "timed-out";
    } finally {
      if (keepProcess) unhold();
      clearTimeout(timer);
      withdraw();
    }
  }
  /** sleep() on several cells at once. */
  async sleepAny(i32, cells, timeoutMs) {
    for (const [index, expected] of cells) if (Atomics.load(i32, index) !== expected) return true;
    if (timeoutMs <= 0) return false;
    const entries = cells.map(([index]) => this.add(index));
    let timer;
    const late = timeoutMs === Infinity ? [] : [
      new Promise((r) => timer = setTimeout(() => r("timed-out"), timeoutMs))
    ];
    hold2();
    try {
      return await Promise.race([
        ...entries.map(([w]) => w),
        ...late
      ]) !== "timed-out";
    } finally {
      unhold();
      clearTimeout(timer);
      for (const [, withdraw] of entries) withdraw();
    }
  }
  /** A promise that wake(index) resolves, and the function that withdraws it. */
  add(index) {
    let wake;
    const woken = new Promise((r) => wake = () => r("ok"));
    const wakers = this.#byCell.get(index);
    if (wakers) wakers.push(wake);
    else this.#byCell.set(index, [
      wake
    ]);
    const withdraw = () => {
      const list = this.#byCell.get(index);
      const at = list?.indexOf(wake) ?? -1;
      if (at >= 0) {
        list.splice(at, 1);
        if (list.length === 0) this.#byCell.delete(index);
      }
    };
    return [
      woken,
      withdraw
    ];
  }
};
function delay(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// emu/bus/_wait_async.ts
var WAIT_SLICE_MS = 1e3;
var HAVE_WAIT_ASYNC = typeof Atomics.waitAsync === "function";
function waitAsync(i32, index, value) {
  if (HAVE_WAIT_ASYNC && !forceWorkers) {
    const w = Atomics.waitAsync(i32, index, value);
    return w.async ? w.value : null;
  }
  if (Atomics.load(i32, index) !== value) return null;
  return workerWait(i32, index, value);
}
var forceWorkers = false;
var idle = [];
var all = /* @__PURE__ */ new Set();
function startWaiter() {
  if (typeof Worker !== "function") {
    throw new ScifError("ENOSYS", "this runtime has neither Atomics.waitAsync nor Workers: another thread could not wake this one");
  }
  const src = `(${waiterMain.toString()})()`;
  const url = URL.createObjectURL(new Blob([
    src
  ], {
    type: "text/javascript"
  }));
  const worker = new Worker(url, {
    type: "module",
    name: "scif waiter"
  });
  URL.revokeObjectURL(url);
  const waiter = {
    worker,
    answer: null
  };
  worker.onmessage = (e) => {
    const answer = waiter.answer;
    waiter.answer = null;
    answer?.(e.data);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    console.error(`scif: a waiter Worker failed: ${e.message}`);
  };
  all.add(waiter);
  return waiter;
}
async function workerWait(i32, index, value) {
  const waiter = idle.pop() ?? startWaiter();
  try {
    for (; ; ) {
      const answered = new Promise((r2) => waiter.answer = r2);
      waiter.worker.postMessage({
        buffer: i32.buffer,
        index,
        value,
        ms: WAIT_SLICE_MS
      });
      const r = await answered;
      if (r === "timed-out" && Atomics.load(i32, index) === value) continue;
      return r;
    }
  } finally {
    idle.push(waiter);
  }
}
function waiterMain() {
  const me = self;
  me.onmessage = (e) => {
    const { buffer, index, value, ms } = e.data;
    me.postMessage(Atomics.wait(new Int32Array(buffer), index, value, ms));
  };
}

// emu/bus/threads.ts
var ThreadsBus = class {
  kind = "threads";
  pollsLiveness = false;
  #i32;
  #netId;
  #local = new LocalWakers();
  #remap;
  #mine = /* @__PURE__ */ new Set();
  #waiters = /* @__PURE__ */ new Map();
  constructor(i32, netId, remap) {
    this.#i32 = i32;
    this.#netId = netId;
    this.#remap = remap;
  }
  get handle() {
    return this.#remap ? {
      kind: "threads",
      fd: this.#remap.fd
    } : null;
  }
  notify(index) {
    this.#local.wake(index);
  }
  wakeAll() {
    this.#local.wakeAll();
  }
  sleep(index, expected, timeoutMs, keepProcess) {
    return this.#local.sleep(this.#i32, index, expected, timeoutMs, keepProcess);
  }
  sleepAny(cells, timeoutMs) {
    return this.#local.sleepAny(this.#i32, cells, timeoutMs);
  }
  async waitRing(index, timeoutMs) {
    if (Atomics.load(this.#i32, index) !== 1) return true;
    let pending = this.#waiters.get(index);
    if (!pending) {
      const w = waitAsync(this.#i32, index, 1);
      if (!w) return true;
      pending = w.then(() => {
        this.#waiters.delete(index);
        this.#local.wake(index);
        return "ok";
      });
      this.#waiters.set(index, pending);
    }
    return await this.#local.sleep(this.#i32, index, 1, timeoutMs, false);
  }
  holds(slot) {
    return this.#mine.has(slot);
  }
  ring(index, slot) {
    if (this.#mine.has(slot)) this.#local.wake(index);
    else Atomics.notify(this.#i32, index);
  }
  async holdSlot(slot) {
    const release = inWorker() ? await hold(lockName(this.#netId, slot)) : () => {
    };
    if (!release) return null;
    this.#mine.add(slot);
    return () => {
      this.#mine.delete(slot);
      release();
    };
  }
  holderAlive(_slot) {
    return true;
  }
  watchSlot(slot, onEnd) {
    return watch(lockName(this.#netId, slot), onEnd);
  }
  mapSpans(spans, length) {
    return this.#remap ? this.#remap.mapSpans(spans, length) : null;
  }
  unmapView(view) {
    return this.#remap ? this.#remap.unmapView(view) : false;
  }
};

// emu/_layout.ts
var NET_BASE = 65536;
var NET_MAGIC = 1179206483;
var NET_VERSION = 5;
var LINE = 128;
var PAGE = 4096;
var MAX_NODES = 64;
var MAX_SLOTS = 64;
var PORTS = 65536;
var H_MAGIC = 0;
var H_VERSION = 4;
var H_NODES = 8;
var H_RING_BYTES = 12;
var H_CONNECT_TIMEOUT_MS = 16;
var H_HEAP_LOCK = 20;
var H_HEAP_HINT = 24;
var H_PRIVILEGED = 28;
var H_SPIN = 32;
var H_SLOTS = 36;
var H_NET_ID = 40;
var H_KIND = 56;
var H_PAGES = 60;
var H_FENCE_TIMEOUT_MS = 64;
var NET_THREADS = 1;
var NET_MACHINE = 2;
var N_STATE = 0;
var N_EPOCH = 4;
var N_SLOT = 8;
var N_MODE = 12;
var NODE_OFFLINE = 0;
var NODE_ATTACHING = 1;
var NODE_ONLINE = 2;
var NODE_LOST = 3;
var MODE_THREAD = 0;
var MODE_LOCAL = 1;
var MODE_REMOTE = 2;
var S_STATE = 0;
var S_NODE = 4;
var S_EPOCH = 8;
var S_DOORBELL = 12;
var S_EVENT = 16;
var S_DMA_SUBMITTED = 20;
var S_DMA_COMPLETED = 24;
var S_PID = 28;
var S_WATCHABLE = 32;
var S_HOLDER = 36;
var S_DROPPED = 40;
var S_FD = 44;
var S_STANDIN = 48;
var S_SLEEPING = 52;
var S_DMA_WAITERS = 56;
var S_WAKES = 60;
var SLOT_FREE = 0;
var SLOT_ATTACHING = 1;
var SLOT_ACTIVE = 2;
var SLOT_DEAD = 3;
var SLOT_RECLAIMING = 4;
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
var SLOTQP_RING_BYTES = 8192;
var SLOTQP_BLOCK = QP_DATA + SLOTQP_RING_BYTES;
function computeLayout(nodes, slots, memoryBytes, ringBytes) {
  const header = NET_BASE;
  const nodeTable = header + LINE;
  const slotTable = nodeTable + nodes * LINE;
  const release = slotTable + slots * LINE;
  const slotQps = align(release + slots * slots * 4, PAGE);
  const portTables = slotQps + slots * slots * SLOTQP_BLOCK;
  const afterPorts = portTables + nodes * PORTS * 4;
  const rest = memoryBytes - afterPorts;
  if (rest <= 2 * PAGE) return null;
  let heapPages = Math.floor((rest - PAGE) / (PAGE + 8));
  const pageTable = afterPorts;
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
    slots,
    memoryBytes,
    ringBytes,
    header,
    nodeTable,
    slotTable,
    release,
    slotQps,
    portTables,
    pageTable,
    refTable,
    heap,
    heapPages
  };
}
function slotQp(l, reader, writer) {
  return l.slotQps + (reader * l.slots + writer) * SLOTQP_BLOCK;
}
function nodeField(l, node, field) {
  return l.nodeTable + node * LINE + field;
}
function slotField(l, slot, field) {
  return l.slotTable + slot * LINE + field;
}
function releaseCell(l, j, k) {
  return l.release + (j * l.slots + k) * 4;
}
function portCell(l, node, port) {
  return l.portTables + (node * PORTS + port) * 4;
}
function align(n, a) {
  return n + a - 1 & ~(a - 1);
}

// emu/_init.ts
var MIB = 1024 * 1024;
function integer(name, v, min, max, fallback) {
  if (v === void 0 && fallback !== void 0) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ScifError("EINVAL", `${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}
function networkParams(options, defaultMemory = 256 * MIB) {
  if (typeof options !== "object" || options === null) throw new ScifError("EINVAL", "options are required");
  const nodes = integer("nodes", options.nodes, 1, MAX_NODES);
  const memoryBytes = integer("memoryBytes", options.memoryBytes, 1 * MIB, 4096 * MIB - 65536, defaultMemory);
  if (memoryBytes % 65536 !== 0) throw new ScifError("EINVAL", "memoryBytes must be a multiple of 64 KiB");
  const ringBytes = integer("ringBytes", options.ringBytes, 4096, 64 * MIB, 256 * 1024);
  if ((ringBytes & ringBytes - 1) !== 0) throw new ScifError("EINVAL", "ringBytes must be a power of two");
  const connectTimeoutMs = integer("connectTimeoutMs", options.connectTimeoutMs, 1, 2 ** 31 - 1, 3e4);
  const fenceTimeoutMs = integer("fenceTimeoutMs", options.fenceTimeoutMs, 1, 2 ** 31 - 1, 3e4);
  const spins = integer("spins", options.spins, 0, 1 << 30, 1e5);
  if (options.privileged !== void 0 && typeof options.privileged !== "boolean") {
    throw new ScifError("EINVAL", "privileged must be a boolean");
  }
  let slots = options.slots === void 0 ? Math.min(MAX_SLOTS, Math.max(nodes * 2, 2)) : integer("slots", options.slots, 1, MAX_SLOTS);
  let layout = computeLayout(nodes, slots, memoryBytes, ringBytes);
  if (!layout && options.slots === void 0) {
    slots = nodes;
    layout = computeLayout(nodes, slots, memoryBytes, ringBytes);
  }
  if (!layout) throw new ScifError("ENOMEM", `memoryBytes ${memoryBytes} is too small for ${nodes} nodes`);
  return {
    nodes,
    slots,
    memoryBytes,
    ringBytes,
    connectTimeoutMs,
    fenceTimeoutMs,
    privileged: options.privileged ?? false,
    spins,
    layout
  };
}
function initNetwork(i32, p, kind, modes) {
  const l = p.layout;
  const set = (field, value) => Atomics.store(i32, l.header + field >> 2, value);
  set(H_VERSION, NET_VERSION);
  set(H_NODES, p.nodes);
  set(H_SLOTS, p.slots);
  set(H_RING_BYTES, p.ringBytes);
  set(H_CONNECT_TIMEOUT_MS, p.connectTimeoutMs);
  set(H_FENCE_TIMEOUT_MS, p.fenceTimeoutMs);
  const id = crypto.getRandomValues(new Int32Array(4));
  id.forEach((v, i) => set(H_NET_ID + 4 * i, v));
  set(H_PRIVILEGED, p.privileged ? 1 : 0);
  set(H_SPIN, p.spins);
  set(H_KIND, kind);
  set(H_PAGES, p.memoryBytes / 65536);
  for (let n = 0; n < p.nodes; n++) {
    const mode = modes?.[n] ?? MODE_THREAD;
    Atomics.store(i32, nodeField(l, n, N_MODE) >> 2, mode);
    Atomics.store(i32, nodeField(l, n, N_STATE) >> 2, mode === MODE_LOCAL ? NODE_ONLINE : NODE_OFFLINE);
  }
  set(H_MAGIC, NET_MAGIC);
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
async function waitCompleted(net, slot, seq, spins, abort, timeoutMs = Infinity, signal) {
  const i32 = net.i32;
  const addr = slotField(net.layout, slot, S_DMA_COMPLETED);
  const cell = addr >> 2;
  for (let i = 0; i < spins; i++) if (reached(Atomics.load(i32, cell), seq)) return;
  const stop = onAbort(signal, () => net.notify(addr));
  const waiters = slotField(net.layout, slot, S_DMA_WAITERS) >> 2;
  if (!abort) Atomics.add(i32, waiters, 1);
  const until = performance.now() + timeoutMs;
  try {
    for (; ; ) {
      const seen = Atomics.load(i32, cell);
      if (reached(seen, seq)) return;
      const e = abort?.();
      if (e) throw e;
      if (signal?.aborted) throw abortError(signal, "fenceWait");
      const left = until - performance.now();
      if (left <= 0) {
        throw new ScifError("ETIMEDOUT", `fence mark ${seq} was not reached within ${timeoutMs} ms`);
      }
      await net.sleep(addr, seen, Math.min(left, abort ? PEER_POLL_MS : Infinity));
    }
  } finally {
    stop();
    if (!abort) Atomics.sub(i32, waiters, 1);
  }
}
var PEER_POLL_MS = 5;
var DmaEngine = class {
  #net;
  #slot;
  #block;
  #submitted;
  #completed;
  #worker = null;
  /** Why no engine can be started in this runtime (then nothing is ever queued). */
  #unavailable = null;
  /** The Blob URL the engine's Worker runs from, until it runs. */
  #url = null;
  #after = [];
  #watching = false;
  #failed = null;
  constructor(net, slot) {
    this.#net = net;
    this.#slot = slot;
    this.#submitted = slotField(net.layout, slot, S_DMA_SUBMITTED);
    this.#completed = slotField(net.layout, slot, S_DMA_COMPLETED);
    net.store(this.#completed, net.load(this.#submitted));
    const block = net.heap.alloc(QP_DATA + RING_BYTES, slot);
    if (block === 0) throw new ScifError("ENOMEM", "no shared memory left for a DMA queue");
    this.#block = block;
    const b2 = block;
    net.core.rb_init(b2 + QP_RX_DESC, b2 + QP_DATA, RING_BYTES, b2 + QP_READ_CELL, b2 + QP_WRITE_CELL, b2 + QP_READER_WAITING, b2 + QP_WRITER_WAITING);
    net.core.rb_init(b2 + QP_TX_DESC, b2 + QP_DATA, RING_BYTES, b2 + QP_READ_CELL, b2 + QP_WRITE_CELL, b2 + QP_WRITER_WAITING, b2 + QP_READER_WAITING);
  }
  /** The sequence number of the last descriptor queued (a fence mark). */
  get submitted() {
    return this.#net.load(this.#submitted) & SEQ;
  }
  /** Whether the engine's Worker is serving its queue (it takes a while to start). */
  get started() {
    const running = this.#worker !== null && this.#net.load(this.#block + READY_CELL) === 1;
    if (running && this.#url !== null) this.#revoke();
    return running;
  }
  /** Revokes the Blob URL the engine was started from (it runs: the URL was read). */
  #revoke() {
    if (this.#url !== null) URL.revokeObjectURL(this.#url);
    this.#url = null;
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
   * `peer` is given, after that slot's engine has completed `peer.mark`. */
  signal(addr, value, peer) {
    const wait = peer ? BigInt(peer.slot + 1) | BigInt(peer.epoch) << 32n : 0n;
    return this.#submit(DMA_SIGNAL, BigInt(addr), BigInt.asUintN(64, value), wait, BigInt(peer?.mark ?? 0));
  }
  /** Starts the engine's Worker now rather than at the first transfer (a Worker started by a
   * Worker takes about half a second to run). */
  start() {
    try {
      this.#engine();
    } catch {
    }
  }
  /** Throws the EOPNOTSUPP of a runtime where no engine can run; else starts it (at most once). */
  available() {
    this.#engine();
  }
  #engine() {
    if (this.#unavailable) throw this.#unavailable;
    try {
      return this.#worker ??= this.#start();
    } catch (e) {
      this.#unavailable = e instanceof ScifError ? e : new ScifError("EOPNOTSUPP", `the DMA engine of slot ${this.#slot} could not be started (${String(e)}): pass SCIF_RMA_SYNC or SCIF_RMA_USECPU, which copy in the calling thread`);
      throw this.#unavailable;
    }
  }
  async #submit(op, p0, p1, p2, p3) {
    this.#engine();
    const { core, i32 } = this.#net;
    const tx = this.#block + QP_TX_DESC;
    for (; ; ) {
      const sent = core.msg_send(tx, 0, 0, 0, 0, op, p0, p1, p2, p3);
      if (sent !== 0) {
        const seq = Atomics.add(i32, this.#submitted >> 2, 1) + 1 & SEQ;
        if (sent === 3) Atomics.notify(i32, this.#block + QP_WRITE_CELL >> 2);
        if (!this.started) await this.#ready();
        return seq;
      }
      core.rb_set_waiting(tx, 1);
      const cell = this.#block + QP_READ_CELL;
      const seen = Atomics.load(i32, cell >> 2);
      if (core.rb_space(tx) < 64) await this.#net.sleep(cell, seen, 10);
      core.rb_set_waiting(tx, 0);
    }
  }
  /** Resolves once the engine's Worker serves its queue. */
  async #ready() {
    const cell = this.#block + READY_CELL;
    while (Atomics.load(this.#net.i32, cell >> 2) !== 1) {
      if (this.#failed) throw this.#failed;
      await this.#net.sleep(cell, 0, 100);
    }
    this.#revoke();
  }
  /** Resolves once sequence number `seq` is done. */
  waitFor(seq, spins) {
    return waitCompleted(this.#net, this.#slot, seq, spins);
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
      if (!this.#failed) {
        try {
          const seq = await this.#submit(DMA_STOP, 0n, 0n, 0n, 0n);
          let timer;
          await Promise.race([
            this.waitFor(seq, 0),
            new Promise((r) => timer = setTimeout(r, 1e3))
          ]);
          clearTimeout(timer);
        } catch {
        }
      }
      this.#worker.terminate();
      this.#worker = null;
    }
    for (const a of this.#after.splice(0)) a.fn();
    this.#net.heap.release(this.#block, this.#slot);
  }
  #start() {
    const main2 = `(${dmaEngineMain.toString()})(${orderedCopy.toString()})`;
    const name = `scif DMA engine of slot ${this.#slot}`;
    const fail = (message) => {
      this.#failed = new ScifError("ENODEV", `the DMA engine of slot ${this.#slot} could not run: ${message}`);
    };
    let worker;
    if (typeof Worker === "function") {
      const url = URL.createObjectURL(new Blob([
        main2
      ], {
        type: "text/javascript"
      }));
      const web = new Worker(url, {
        type: "module",
        name
      });
      web.onerror = (e) => {
        e.preventDefault();
        fail(e.message);
      };
      this.#url = url;
      worker = {
        postMessage: (m) => web.postMessage(m),
        terminate: () => (web.terminate(), this.#revoke())
      };
    } else {
      const wt = workerThreads();
      if (!wt) {
        throw new ScifError("EOPNOTSUPP", "an RMA without SCIF_RMA_SYNC (and fenceSignal) goes to the node's DMA engine, a thread of its own, and this runtime has no Worker to run it: pass SCIF_RMA_SYNC or SCIF_RMA_USECPU, which copy in the calling thread");
      }
      const shim = `const { parentPort } = require("node:worker_threads");
const self = { set onmessage(f) { parentPort.on('message', (data) => f({ data })); }, close() { parentPort.close?.(); } };
`;
      const node = new wt.Worker(shim + main2, {
        eval: true,
        name
      });
      node.unref();
      node.on("error", (e) => fail(String(e)));
      worker = {
        postMessage: (m) => node.postMessage(m),
        terminate: () => void node.terminate()
      };
    }
    const l = this.#net.layout;
    const init = {
      memory: this.#net.memory,
      module: this.#net.module,
      rx: this.#block + QP_RX_DESC,
      ready: this.#block + READY_CELL,
      writeCell: this.#block + QP_WRITE_CELL,
      readCell: this.#block + QP_READ_CELL,
      completed: this.#completed,
      waiters: slotField(l, this.#slot, S_DMA_WAITERS),
      doorbell: slotField(l, this.#slot, S_DOORBELL),
      sleeping: slotField(l, this.#slot, S_SLEEPING),
      wakes: slotField(l, this.#slot, S_WAKES),
      slotTable: l.slotTable,
      line: LINE,
      fields: {
        completed: S_DMA_COMPLETED,
        state: S_STATE,
        epoch: S_EPOCH,
        active: SLOT_ACTIVE
      },
      spins: this.#net.spins,
      futex: this.#net.kind === NET_MACHINE
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
    const field = (slot, f) => init.slotTable + slot * init.line + f >> 2;
    const D = globalThis.Deno;
    const fx = init.futex ? D.dlopen("libc.so.6", {
      futex: {
        name: "syscall",
        parameters: [
          "i64",
          "pointer",
          "i64",
          "i64",
          "buffer",
          "pointer",
          "i64"
        ],
        result: "i64"
      }
    }).symbols.futex : null;
    const base = fx ? D.UnsafePointer.value(D.UnsafePointer.of(u8)) : 0n;
    const at = (index) => D.UnsafePointer.create(base + BigInt(index * 4));
    const wake = (index) => {
      Atomics.notify(i32, index);
      if (fx) fx(202n, at(index), 1n, 0x7fffffffn, null, null, 0n);
    };
    const ts10ms = new Uint8Array(16);
    new DataView(ts10ms.buffer).setBigInt64(8, 10000000n, true);
    const wait10ms = (index, seen) => {
      if (fx) fx(202n, at(index), 0n, BigInt(seen), ts10ms, null, 0n);
      else Atomics.wait(i32, index, seen, 10);
    };
    const store64 = (addr, value) => {
      if (addr % 8 === 0) Atomics.store(i64, addr / 8, value);
      else {
        Atomics.store(i32, addr / 4, Number(BigInt.asIntN(32, value)));
        Atomics.store(i32, addr / 4 + 1, Number(BigInt.asIntN(32, value >> 32n)));
      }
    };
    const waitPeer = (slot, epoch, mark) => {
      const cell = field(slot, init.fields.completed);
      for (; ; ) {
        const seen = Atomics.load(i32, cell);
        if ((seen - mark & 2147483647) < 1073741824) return true;
        if (Atomics.load(i32, field(slot, init.fields.state)) !== init.fields.active) return false;
        if (Atomics.load(i32, field(slot, init.fields.epoch)) !== epoch) return false;
        wait10ms(cell, seen);
      }
    };
    const ring = () => {
      Atomics.add(i32, init.wakes >> 2, 1);
      Atomics.add(i32, init.doorbell >> 2, 1);
      if (Atomics.compareExchange(i32, init.sleeping >> 2, 1, 0) === 1) wake(init.sleeping >> 2);
    };
    Atomics.store(i32, init.ready >> 2, 1);
    Atomics.notify(i32, init.ready >> 2);
    ring();
    for (; ; ) {
      let at2 = core.msg_peek(rx);
      for (let i = 0; at2 === 0 && i < init.spins; i++) at2 = core.msg_peek(rx);
      if (at2 === 0) {
        core.rb_set_waiting(rx, 1);
        const seen = Atomics.load(i32, init.writeCell >> 2);
        if (core.msg_peek(rx) === 0) Atomics.wait(i32, init.writeCell >> 2, seen);
        core.rb_set_waiting(rx, 0);
        continue;
      }
      const op = core.msg_op(at2);
      const p = [
        0,
        1,
        2,
        3
      ].map((w) => BigInt.asUintN(64, core.msg_payload(at2, w)));
      if (core.msg_release(rx)) Atomics.notify(i32, init.readCell >> 2);
      if (op === 1) copy(core.mem_copy, u8, Number(p[0]), Number(p[1]), Number(p[2]), (p[3] & 1n) === 1n);
      else if (op === 2) {
        const slot = Number(p[2] & 0xffffffffn) - 1;
        if (slot < 0 || waitPeer(slot, Number(p[2] >> 32n), Number(p[3]))) store64(Number(p[0]), p[1]);
      }
      Atomics.add(i32, init.completed >> 2, 1);
      wake(init.completed >> 2);
      if (Atomics.load(i32, init.waiters >> 2) > 0) ring();
      if (op === 3) return me.close();
    }
  };
}

// emu/_messages.ts
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
var XFER_WRITE = 1;
var XFER_READ = 2;
var XFER_SIGNAL = 3;
var U32 = 0xffffffffn;
var b = BigInt;
function encode(m) {
  switch (m.op) {
    case SCIF_CNCT_REQ:
      return [
        b(m.qp),
        b(m.token),
        b(m.epoch),
        0n
      ];
    case SCIF_CNCT_GNT:
      return [
        b(m.qp),
        b(m.token),
        b(m.from),
        0n
      ];
    case SCIF_CNCT_GNTACK:
    case SCIF_CNCT_GNTNACK:
    case SCIF_CNCT_REJ:
    case SCIF_DISCNT_ACK:
      return [
        b(m.token),
        0n,
        0n,
        0n
      ];
    case SCIF_DISCNCT:
      return [
        b(m.token),
        b(m.from),
        0n,
        0n
      ];
    case SCIF_REGISTER:
      return [
        b(m.token) | b(m.prot) << 32n,
        b(m.offset),
        b(m.length),
        b(m.addr) | b(m.id) << 32n
      ];
    case SCIF_UNREGISTER:
      return [
        b(m.token),
        b(m.id),
        b(m.from),
        0n
      ];
    case SCIF_UNREGISTER_ACK:
    case SCIF_UNREGISTER_NACK:
    case SCIF_MUNMAP:
      return [
        b(m.token),
        b(m.id),
        0n,
        0n
      ];
    case SCIF_RMA_XFER:
      return [
        b(m.token) | b(m.request) << 32n,
        BigInt.asUintN(64, b(m.offset)),
        m.kind === XFER_SIGNAL ? BigInt.asUintN(64, m.value) : b(m.addr) << 32n | b(m.length),
        b(m.kind) | b(m.flags) << 8n | b(m.from) << 32n
      ];
    case SCIF_RMA_XFER_DONE:
      return [
        b(m.token) | b(m.request) << 32n,
        b(m.errno),
        0n,
        0n
      ];
  }
}
function token(w) {
  return w > 0n && w < 0x80000000n ? Number(w) : null;
}
function address(w, bounds) {
  return w > 0n && w < b(bounds.memoryBytes) && (w & 4095n) === 0n ? Number(w) : null;
}
function decode(op, src, dst, p, bounds) {
  const [p0, p1, p2, p3] = p;
  switch (op) {
    case SCIF_CNCT_REQ:
    case SCIF_CNCT_GNT: {
      const qp = address(p0, bounds);
      const t = token(p1);
      const third = token(p2);
      if (qp === null || t === null || third === null || p3 !== 0n) return null;
      return op === SCIF_CNCT_REQ ? {
        op,
        src,
        dst,
        qp,
        token: t,
        epoch: third
      } : {
        op,
        src,
        dst,
        qp,
        token: t,
        from: third
      };
    }
    case SCIF_CNCT_GNTACK:
    case SCIF_CNCT_GNTNACK:
    case SCIF_CNCT_REJ:
    case SCIF_DISCNT_ACK: {
      const t = token(p0);
      if (t === null || p1 !== 0n || p2 !== 0n || p3 !== 0n) return null;
      return {
        op,
        src,
        dst,
        token: t
      };
    }
    case SCIF_DISCNCT: {
      const t = token(p0);
      const from = token(p1);
      if (t === null || from === null) return null;
      return {
        op,
        src,
        dst,
        token: t,
        from
      };
    }
    case SCIF_REGISTER: {
      const t = token(p0 & U32);
      const prot = Number(p0 >> 32n);
      const addr = address(p3 & U32, bounds);
      const id = token(p3 >> 32n);
      if (t === null || addr === null || id === null || prot > 3) return null;
      if (p1 > LONG_MAX || (p1 & 4095n) !== 0n || p2 === 0n || (p2 & 4095n) !== 0n) return null;
      if (p2 > b(bounds.memoryBytes) - b(addr) || p2 > LONG_MAX - p1) return null;
      return {
        op,
        src,
        dst,
        token: t,
        id,
        prot,
        offset: offOfBig(p1),
        length: Number(p2),
        addr
      };
    }
    case SCIF_UNREGISTER: {
      const t = token(p0);
      const id = token(p1);
      const from = token(p2);
      if (t === null || id === null || from === null) return null;
      return {
        op,
        src,
        dst,
        token: t,
        id,
        from
      };
    }
    case SCIF_UNREGISTER_ACK:
    case SCIF_UNREGISTER_NACK:
    case SCIF_MUNMAP: {
      const t = token(p0);
      const id = token(p1);
      if (t === null || id === null) return null;
      return {
        op,
        src,
        dst,
        token: t,
        id
      };
    }
    case SCIF_RMA_XFER: {
      const t = token(p0 & U32);
      const request = token(p0 >> 32n);
      const kind = Number(p3 & 0xffn);
      const flags = Number(p3 >> 8n & 0xffn);
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
        value: p2
      };
    }
    case SCIF_RMA_XFER_DONE: {
      const t = token(p0 & U32);
      const request = token(p0 >> 32n);
      if (t === null || request === null || p1 > 4095n) return null;
      return {
        op,
        src,
        dst,
        token: t,
        request,
        errno: Number(p1)
      };
    }
    default:
      return null;
  }
}

// emu/_dispatch.ts
var HANDLERS = {
  [SCIF_CNCT_REQ](t, m, from) {
    if (t.forwarder) {
      t.forwarder.connectRequest(m, from);
      return true;
    }
    if (!t.listener(m.dst.port)?.queueRequest(m, from)) {
      t.tryPost(from, {
        op: SCIF_CNCT_REJ,
        src: m.dst,
        dst: m.src,
        token: m.token
      });
    }
    return true;
  },
  [SCIF_CNCT_GNT](t, m, from) {
    const ep = t.endpoint(m.token);
    if (ep?.granted(m, from)) return true;
    t.tryPost(from, {
      op: SCIF_CNCT_GNTNACK,
      src: m.dst,
      dst: m.src,
      token: m.from
    });
    return ep !== void 0;
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
    t.tryPost(from, {
      op: SCIF_DISCNT_ACK,
      src: m.dst,
      dst: m.src,
      token: m.from
    });
    return ours || ep === void 0;
  },
  [SCIF_DISCNT_ACK](t, m, from) {
    t.endpoint(m.token)?.disconnectAcknowledged(from);
    return true;
  },
  [SCIF_REGISTER]: windowMessage,
  [SCIF_UNREGISTER](t, m, from) {
    const rma2 = t.rmaOf(m.token);
    if (rma2 && !rma2.isPeer(from)) return false;
    if (rma2) rma2.message(m);
    else t.unregisterAck(from, m);
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
        errno: 95
      });
    }
    return true;
  },
  [SCIF_RMA_XFER_DONE](t, m, from) {
    const rma2 = t.rmaOf(m.token);
    if (!rma2) return true;
    if (!rma2.isPeer(from)) return false;
    rma2.delegatedDone(m);
    return true;
  }
};
function windowMessage(t, m, from) {
  if (!("token" in m)) return false;
  const rma2 = t.rmaOf(m.token);
  if (!rma2) return true;
  if (!rma2.isPeer(from)) return false;
  rma2.message(m);
  return true;
}
function dispatch(t, m, from) {
  if (m === null) {
    t.dropped();
    return false;
  }
  const handler = HANDLERS[m.op];
  let ok = false;
  try {
    ok = handler(t, m, from);
  } catch {
  }
  if (!ok) t.dropped();
  return ok;
}

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
  #owner;
  #attached = false;
  #peerAttached = false;
  #broken = false;
  #told = false;
  #peerSlot = -1;
  constructor(net, block, owner) {
    this.#net = net;
    this.#owner = owner;
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
  /** Allocates a block for an endpoint of slot `owner` (ENOMEM when the memory is full). */
  static alloc(net, owner) {
    const block = net.heap.alloc(QP_DATA + net.layout.ringBytes, owner);
    if (block === 0) throw new ScifError("ENOMEM", "no shared memory left for an endpoint queue pair");
    net.u8.set(crypto.getRandomValues(new Uint8Array(8)), block + QP_KEY);
    return new _EndpointQp(net, block, owner);
  }
  /** Builds both ring views once the peer's block (of slot `peerSlot`) is known. */
  attach(peer, peerSlot) {
    this.#peerSlot = peerSlot;
    const own = this.block;
    const core = this.#core;
    core.rb_init(this.#rx, this.#rxBase, this.#size, peer + QP_READ_CELL, this.#rxWriteCell, peer + QP_READER_WAITING, own + QP_WRITER_WAITING);
    core.rb_init(this.#tx, peer + QP_DATA, this.#size, this.#txReadCell, peer + QP_WRITE_CELL, peer + QP_WRITER_WAITING, own + QP_READER_WAITING);
    core.st_init(this.#rx, this.#key(own));
    core.st_init(this.#tx, this.#key(peer));
    this.#txBase = peer + QP_DATA;
    this.#txWriteCell = peer + QP_WRITE_CELL;
    this.#rxReadCell = peer + QP_READ_CELL;
    this.#attached = true;
    this.#peerAttached = true;
  }
  /** The u64 key of the receive ring of the block at `block` (two i32 loads: a 64-bit view
   * of the whole memory made per connection would be garbage of its own). */
  #key(block) {
    const i = block + QP_KEY >> 2;
    return BigInt(Atomics.load(this.#i32, i + 1) >>> 0) << 32n | BigInt(Atomics.load(this.#i32, i) >>> 0);
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
    this.#net.heap.release(this.block, this.#owner);
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
      if (r < 0) {
        this.#broken = true;
        break;
      }
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
      const c = core.st_commit(this.#tx, n);
      if (c < 0) {
        this.#broken = true;
        break;
      }
      if (c) this.#wakeReader();
      done += n;
    } while (from + done < data.length);
    return done;
  }
  /** Whether the peer wrote a record header no writer could have made, or a view of ours was
   * stored over (its seal: core-as/rb.ts): nothing more moves through this queue pair. */
  get broken() {
    return this.#broken;
  }
  /** Notes a broken result of the core (negative); returns `r`. */
  #check(r) {
    if (r < 0) this.#broken = true;
    return r;
  }
  /** Copies what is available into into[from..], spinning up to `spins` turns while the ring
   * is empty, and publishes the consumption. Returns the count, or -1 the first time the ring
   * is found broken (0 after that). */
  take(into, from, spins) {
    if (this.#broken) return this.#tellBroken();
    const core = this.#core;
    let r = core.st_peek(this.#rx, 0);
    if (r === 0) {
      this.publish();
      if (spins === 0 || (r = core.st_peek(this.#rx, spins)) === 0) {
        return this.#broken ? this.#tellBroken() : 0;
      }
    }
    if (r < 0) {
      this.#broken = true;
      return this.#tellBroken();
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
    const c = core.st_release(this.#rx, n);
    if (c > 0) this.#wakeWriter();
    else if (c < 0) this.#broken = true;
    return n;
  }
  /** take()'s answer for a broken queue pair: -1 the first time, 0 after. */
  #tellBroken() {
    if (this.#told) return 0;
    this.#told = true;
    return -1;
  }
  /** Data bytes of the record being received (0: nothing has arrived). */
  count() {
    if (!this.#attached || this.#broken) return 0;
    const r = this.#check(this.#core.st_peek(this.#rx, 0));
    return r < 0 ? 0 : r - (r / PACK | 0) * PACK;
  }
  /** Publishes the read offset if records were consumed since (see core-as/stream.ts). */
  publish() {
    if (this.#attached && this.#check(this.#core.st_publish(this.#rx)) > 0) this.#wakeWriter();
  }
  /** Whether everything we sent has been read (as far as the peer has published). */
  txDrained() {
    return this.#peerAttached && this.#core.st_space(this.#tx) === this.#size - 32;
  }
  /** Bytes that may be sent now (0 once the peer is gone). */
  space() {
    return this.#peerAttached ? Math.max(0, this.#check(this.#core.st_space(this.#tx))) : 0;
  }
  /** The reader sleeps: wake it, in this thread or through its slot's doorbell. */
  #wakeReader() {
    this.#net.notify(this.#txWriteCell);
    this.#net.wakeSlot(this.#peerSlot);
  }
  /** The writer waits for room: wake it, in this thread or through its slot's doorbell. */
  #wakeWriter() {
    this.#net.notify(this.#rxReadCell);
    this.#net.wakeSlot(this.#peerSlot);
  }
  /** Asks the peer's dispatcher to publish what its endpoint has read (we wait for room, and
   * its reader may not be reading now). Not a wake-up of its calls. */
  #ringPeer() {
    this.#net.ringSlot(this.#peerSlot);
  }
  /** Sleeps until the peer publishes bytes or `wake()` is called, unless `alive()` turns false
   * or bytes arrived meanwhile. */
  async sleepForData(alive) {
    const core = this.#core;
    core.rb_set_waiting(this.#rx, 1);
    const cell = this.#rxWriteCell;
    const seen = Atomics.load(this.#i32, cell >> 2);
    if (core.st_peek(this.#rx, 0) === 0 && alive()) await this.#net.sleep(cell, seen);
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
      this.#ringPeer();
      const cell = this.#txReadCell;
      const seen = Atomics.load(this.#i32, cell >> 2);
      if (core.st_space(this.#tx) === 0 && alive()) await this.#net.sleep(cell, seen);
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
      this.#ringPeer();
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
    this.#net.notify(this.#rxWriteCell);
    this.#net.notify(this.#txReadCell);
  }
};

// _window.ts
var ALLOCATE_LIMIT = 2 ** 53;
var WindowList = class {
  #es = [];
  /** Every window, by offset (a copy). */
  get windows() {
    return this.#es.map((e) => e.w);
  }
  /** How many windows there are. */
  get size() {
    return this.#es.length;
  }
  /** The index of the first window that ends after page `page` begins (hi > page). */
  #firstEndingAfter(page) {
    let lo = 0;
    let hi = this.#es.length;
    while (lo < hi) {
      const mid = lo + hi >> 1;
      if (this.#es[mid].hi <= page) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** The windows that overlap [offset, offset + length) (length > 0). */
  overlapping(offset, length) {
    const p = offPage(offset);
    const endPage = p + Math.ceil((offInPage(offset) + length) / SCIF_PAGE_SIZE);
    const out = [];
    for (let i = this.#firstEndingAfter(p); i < this.#es.length && this.#es[i].lo < endPage; i++) {
      out.push(this.#es[i].w);
    }
    return out;
  }
  /** Whether any window overlaps [offset, offset + length). */
  overlaps(offset, length) {
    return this.overlapping(offset, length).length > 0;
  }
  /** Inserts `w` (its offset page aligned; the caller checked that it overlaps none). */
  insert(w) {
    const lo = offPage(w.offset);
    const e = {
      w,
      lo,
      hi: lo + w.length / SCIF_PAGE_SIZE
    };
    this.#es.splice(this.#firstEndingAfter(lo), 0, e);
  }
  remove(w) {
    const i = this.#es.findIndex((e) => e.w === w);
    if (i >= 0) this.#es.splice(i, 1);
  }
  /** The window with id `id`. */
  byId(id) {
    return this.#es.find((e) => e.w.id === id)?.w;
  }
  /** The highest free, page-aligned range of `length` bytes below ALLOCATE_LIMIT's last page
   * and above page 0 (which the kernel never hands out either), or -1. */
  allocate(length) {
    const pages = Math.ceil(length / SCIF_PAGE_SIZE);
    let top = ALLOCATE_LIMIT / SCIF_PAGE_SIZE - 1;
    for (let i = this.#es.length - 1; i >= -1; i--) {
      const e = this.#es[i];
      const floor = e ? Math.max(e.hi, 1) : 1;
      if (top - floor >= pages) return (top - pages) * SCIF_PAGE_SIZE;
      if (e) top = Math.min(top, e.lo);
      if (top <= 1) break;
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
    let p = offPage(offset);
    let b2 = offInPage(offset);
    let left = length;
    const pieces = [];
    for (let i = this.#firstEndingAfter(p); left > 0; i++) {
      const e = this.#es[i];
      if (!e || e.lo > p) {
        throw new ScifError("ENXIO", `offset ${offText(offset)}${pieces.length ? " + " + (length - left) : ""} is not in a registered window`);
      }
      const w = e.w;
      if ((w.prot & prot) !== prot) {
        throw new ScifError("EPERM", `the window at offset ${offText(w.offset)} does not allow ${prot & 2 ? "writing" : "reading"}`);
      }
      const into = (p - e.lo) * SCIF_PAGE_SIZE + b2;
      const n = Math.min(left, w.length - into);
      pieces.push({
        window: w,
        addr: w.addr + into,
        length: n
      });
      left -= n;
      p = e.hi;
      b2 = 0;
    }
    return pieces;
  }
  /** The whole windows that make up [offset, offset + length) exactly (unregister): ENXIO
   * unless the range starts at a window's start and ends at a window's end, with no hole. */
  exactly(offset, length) {
    const pieces = this.cover(offset, length, 0);
    const first = pieces[0];
    const last = pieces[pieces.length - 1];
    if (first.addr !== first.window.addr || last.addr + last.length !== last.window.addr + last.window.length) {
      throw new ScifError("ENXIO", `[${offText(offset)}, +${length}) does not start and end on window boundaries`);
    }
    return pieces.map((p) => p.window);
  }
};

// emu/_transfer.ts
var SHARE_FROM = 256 * 1024;
function zip(local, remote) {
  const out = [];
  let i = 0;
  let j = 0;
  let li = 0;
  let rj = 0;
  let done = 0;
  while (i < local.length && j < remote.length) {
    const n = Math.min(local[i].length - li, remote[j].length - rj);
    const l = local[i].addr < 0 ? done : local[i].addr + li;
    out.push({
      local: l,
      remote: remote[j].addr + rj,
      length: n
    });
    done += n;
    li += n;
    rj += n;
    if (li === local[i].length) [i, li] = [
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
async function move(net, dma, dir, segments, buffer, flags, held, slot) {
  const ordered = (flags & SCIF_RMA_ORDERED) !== 0;
  const length = segments.reduce((n, s) => n + s.length, 0);
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
  dma.available();
  if (held !== null) net.heap.retain(held);
  let seq = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const last = ordered && i === segments.length - 1;
    seq = dir === "read" ? await dma.copy(s.local, s.remote, s.length, last) : await dma.copy(s.remote, s.local, s.length, last);
  }
  if (held !== null) dma.after(seq, () => net.heap.release(held, slot));
  if (flags & SCIF_RMA_SYNC) await dma.waitFor(seq, net.spins);
}

// emu/_rma_far.ts
var XFER_PIECE = 1 << 20;
var FarRma = class {
  #link;
  #local;
  #pending = /* @__PURE__ */ new Map();
  #nextRequest = 1;
  constructor(link, local) {
    this.#link = link;
    this.#local = local;
  }
  /** Requests waiting for their answer. */
  get pending() {
    return this.#pending.size;
  }
  /** A transfer between our registered space at `local` (or the array `local`, `run` the heap
   * run that holds it when it is in shared memory) and the peer's at `remoteOffset`. */
  async transfer(dir, local, run, length, remoteOffset, flags, peer) {
    const node = this.#link.node;
    const net = node.net;
    let spans;
    const held = [];
    let temp = 0;
    if (!(local instanceof Uint8Array)) {
      const covered = this.#local.cover(local, length, dir === "read" ? SCIF_PROT_WRITE : SCIF_PROT_READ);
      for (const p of covered) held.push(p.window.run);
      spans = covered;
    } else if (run !== null) {
      held.push(run);
      spans = [
        {
          addr: local.byteOffset,
          length
        }
      ];
    } else {
      temp = net.heap.alloc(Math.ceil(length / 4096) * 4096, node.slot);
      if (temp === 0) throw new ScifError("ENOMEM", "no shared memory left to stage the transfer");
      if (dir === "write") net.u8.set(local, temp);
      spans = [
        {
          addr: temp,
          length
        }
      ];
    }
    for (const r of held) net.heap.retain(r);
    try {
      offAdd(remoteOffset, length);
      let at = remoteOffset;
      for (const p of spans) {
        for (let done = 0; done < p.length; done += XFER_PIECE) {
          const n = Math.min(XFER_PIECE, p.length - done);
          await this.#xfer(peer, dir === "read" ? XFER_READ : XFER_WRITE, at, p.addr + done, n, 0n, flags);
          at = offAdd(at, n);
        }
      }
      if (temp && dir === "read") local.set(net.u8.subarray(temp, temp + length));
    } finally {
      if (temp) net.heap.release(temp, node.slot);
      for (const r of held) net.heap.release(r, node.slot);
    }
  }
  /** fenceSignal's SCIF_SIGNAL_REMOTE. */
  signal(remoteOffset, value) {
    const peer = this.#link.peer();
    if (!peer) return Promise.reject(new ScifError("ECONNRESET", "the peer closed the connection"));
    return this.#xfer(peer, XFER_SIGNAL, remoteOffset, 0, 0, value, 0);
  }
  #xfer(peer, kind, offset, addr, length, value, flags) {
    const request = this.#nextRequest++;
    const done = new Promise((resolve, reject) => this.#pending.set(request, {
      resolve,
      reject
    }));
    this.#link.node.post(peer.slot, {
      op: SCIF_RMA_XFER,
      src: this.#link.localId,
      dst: peer.id,
      token: peer.token,
      from: this.#link.token,
      request,
      kind,
      flags,
      offset,
      addr,
      length,
      value
    });
    return keepAlive(done);
  }
  /** SCIF_RMA_XFER_DONE: errno 0 (done) or the errno at the far end. */
  done(m) {
    const waiter = this.#pending.get(m.request);
    if (!waiter) return;
    this.#pending.delete(m.request);
    if (m.errno === 0) waiter.resolve();
    else waiter.reject(ScifError.fromErrno(m.errno, `at node ${m.src.node}, on another machine`));
  }
  /** The peer is gone: what waits for it fails. */
  peerGone() {
    for (const w of this.#pending.values()) w.reject(new ScifError("ECONNRESET", "the peer is gone"));
    this.#pending.clear();
  }
};

// emu/_rma.ts
var RMA_FLAGS = SCIF_RMA_USECPU | SCIF_RMA_SYNC | SCIF_RMA_ORDERED;
var EndpointRma = class _EndpointRma {
  #link;
  #local = new WindowList();
  #remote = new WindowList();
  #dying = /* @__PURE__ */ new Map();
  #maps = /* @__PURE__ */ new Map();
  #nextId = 1;
  #far;
  #peerGone = false;
  constructor(link) {
    this.#link = link;
    this.#far = new FarRma(link, this.#local);
  }
  /** True when nothing is left that messages could still be about. */
  get empty() {
    return this.#local.size === 0 && this.#dying.size === 0 && this.#maps.size === 0 && this.#far.pending === 0;
  }
  isPeer(from) {
    return from === this.#link.peerSlot;
  }
  /** Whether the peer stands in for a node of another machine (its windows are there). */
  #peerFar() {
    return this.#link.node.net.slot(this.#link.peerSlot, S_STANDIN) === 1;
  }
  // ---- scif_register, scif_unregister ----
  /** A fixed offset may be anywhere the kernel allows ([0, 2^63), checked by the caller); the
   * offsets we choose are below 2^53 (numbers). */
  register(memory, offset, prot, fixed) {
    const node = this.#link.node;
    const net = node.net;
    if (memory.buffer !== net.memory.buffer) {
      throw new ScifError("EFAULT", "the memory is not in the network's shared memory (use ScifNode.allocate)");
    }
    const run = net.heap.runOf(memory.byteOffset);
    if (!run || !run.user || run.owner !== node.slot || memory.byteOffset + memory.byteLength > run.head + run.bytes) {
      throw new ScifError("EFAULT", "the memory is not inside one live allocation of this node's allocate()");
    }
    const length = memory.byteLength;
    let at;
    if (fixed) {
      at = offset;
      if (this.#local.overlaps(at, length)) {
        throw new ScifError("EADDRINUSE", `[${offText(at)}, +${length}) overlaps a window`);
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
      run: run.head
    };
    net.heap.retain(w.run);
    this.#local.insert(w);
    if (!this.#peerFar()) node.dma.start();
    const peer = this.#link.peer();
    node.postOrdered(peer.slot, {
      op: SCIF_REGISTER,
      src: this.#link.localId,
      dst: peer.id,
      token: peer.token,
      id: w.id,
      prot,
      offset: at,
      length,
      addr: w.addr
    });
    return at;
  }
  unregister(offset, length) {
    for (const w of this.#local.exactly(offset, length)) this.#retire(w);
  }
  /** Takes a window out of the address space and asks the peer to let go of it. */
  #retire(w) {
    this.#local.remove(w);
    const peer = this.#link.peer();
    const told = peer && this.#link.node.tryPost(peer.slot, {
      op: SCIF_UNREGISTER,
      src: this.#link.localId,
      dst: peer.id,
      token: peer.token,
      id: w.id,
      from: this.#link.token
    });
    if (told) this.#dying.set(w.id, w);
    else this.#destroy(w);
  }
  /** Releases a window's memory once our own queued transfers are done with it. */
  #destroy(w) {
    const node = this.#link.node;
    node.afterDma(() => node.net.heap.release(w.run, node.slot));
  }
  /** The peer's side of our windows. */
  message(m) {
    switch (m.op) {
      case SCIF_REGISTER: {
        const run = this.#link.node.net.heap.runOf(m.addr);
        if (!run || !run.user || run.owner !== this.#link.peerSlot || m.addr + m.length > run.head + run.bytes || this.#remote.overlaps(m.offset, m.length) || this.#remote.byId(m.id)) {
          this.#link.node.dropped();
          return;
        }
        this.#remote.insert({
          id: m.id,
          offset: m.offset,
          length: m.length,
          addr: m.addr,
          prot: m.prot,
          maps: 0,
          unregistered: false
        });
        break;
      }
      case SCIF_UNREGISTER: {
        const w = this.#remote.byId(m.id);
        if (w) this.#remote.remove(w);
        if (w && w.maps > 0) {
          w.unregistered = true;
          this.#link.node.tryPost(this.#link.peerSlot, {
            op: SCIF_UNREGISTER_NACK,
            src: m.dst,
            dst: m.src,
            token: m.from,
            id: m.id
          });
        } else this.#link.node.unregisterAck(this.#link.peerSlot, m);
        break;
      }
      case SCIF_UNREGISTER_ACK:
      case SCIF_MUNMAP: {
        const w = this.#dying.get(m.id);
        if (w) {
          this.#dying.delete(m.id);
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
  /** The run of the network's shared memory that holds all of `a`, if any (the DMA engine can
   * reach it); null for a private array. */
  #runOf(a) {
    const net = this.#link.node.net;
    if (a.buffer !== net.memory.buffer) return null;
    const run = net.heap.runOf(a.byteOffset);
    return run && a.byteOffset + a.byteLength <= run.head + run.bytes ? run.head : null;
  }
  /**
   * A transfer between our registered space at `local` (or the array `local`) and the peer's
   * at `remoteOffset`.
   */
  async transfer(dir, local, length, remoteOffset, flags) {
    const node = this.#link.node;
    const vectored = local instanceof Uint8Array;
    _EndpointRma.checkFlags(flags, vectored);
    if (length === 0) throw new ScifError("EINVAL", "the length is 0");
    const peer = this.#link.peer();
    if (peer && this.#peerFar()) {
      return this.#far.transfer(dir, local, vectored ? this.#runOf(local) : null, length, remoteOffset, flags, peer);
    }
    node.pumpFrom(this.#link.peerSlot);
    const remote = this.#remote.cover(remoteOffset, length, dir === "read" ? SCIF_PROT_READ : SCIF_PROT_WRITE);
    let localSpans;
    let buffer = null;
    let held = null;
    if (!vectored) {
      localSpans = this.#local.cover(local, length, dir === "read" ? SCIF_PROT_WRITE : SCIF_PROT_READ);
    } else if ((held = this.#runOf(local)) !== null) {
      localSpans = [
        {
          addr: local.byteOffset,
          length
        }
      ];
    } else {
      buffer = local;
      localSpans = [
        {
          addr: -1,
          length
        }
      ];
    }
    await move(node.net, node.dma, dir, zip(localSpans, remote), buffer, flags, held, node.slot);
  }
  /** fenceSignal's SCIF_SIGNAL_REMOTE to a peer on another machine. */
  delegateSignal(remoteOffset, value) {
    return this.#far.signal(remoteOffset, value);
  }
  /** Whether the peer's windows are on another machine (fences then have nothing to wait for). */
  get far() {
    return this.#peerFar();
  }
  /** SCIF_RMA_XFER_DONE for a transfer to a peer on another machine. */
  delegatedDone(m) {
    this.#far.done(m);
  }
  /** scif_fence_signal's window check: 8 bytes in one window that allows writing, on our side
   * or the peer's; resolves to their address. */
  signalAddress(side, offset) {
    if (side === "remote") this.#link.node.pumpFrom(this.#link.peerSlot);
    const list = side === "local" ? this.#local : this.#remote;
    const pieces = list.cover(offset, 8, SCIF_PROT_WRITE);
    if (pieces.length !== 1) {
      throw new ScifError("ENXIO", `the 8 bytes at ${offText(offset)} cross the end of a window`);
    }
    return pieces[0].addr;
  }
  // ---- remote mmap ----
  mmap(offset, length, prot) {
    const node = this.#link.node;
    if (this.#peerFar()) {
      throw new ScifError("EOPNOTSUPP", "the peer is a node of another machine: its windows are not in memory this machine shares (readFrom/writeTo reach them)");
    }
    node.pumpFrom(this.#link.peerSlot);
    const pages = Math.ceil(length / 4096) * 4096;
    const pieces = this.#remote.cover(offset, pages, prot);
    let contiguous = true;
    for (let i = 1; i < pieces.length; i++) {
      if (pieces[i].addr !== pieces[i - 1].addr + pieces[i - 1].length) contiguous = false;
    }
    let view;
    if (contiguous) view = new Uint8Array(node.net.memory.buffer, pieces[0].addr, length);
    else {
      view = node.net.bus.mapSpans(pieces, length);
      if (!view) {
        throw new ScifError("EINVAL", "the range spans windows whose memory is not contiguous, which needs FFI to map as one range (run deno with --allow-ffi), or map each window on its own");
      }
    }
    const windows = pieces.map((p) => p.window);
    for (const w of windows) w.maps++;
    this.#maps.set(view, {
      windows,
      remapped: !contiguous
    });
    node.mapped(this.#link.peerSlot, 1);
    return view;
  }
  munmap(view) {
    const m = this.#maps.get(view);
    if (!m) throw new ScifError("EINVAL", "not a view this endpoint's mmap returned (or already unmapped)");
    const node = this.#link.node;
    this.#maps.delete(view);
    if (m.remapped) node.net.bus.unmapView(view);
    for (const w of m.windows) {
      if (--w.maps > 0 || !w.unregistered || this.#peerGone) continue;
      const peer = this.#link.peer();
      if (peer) {
        node.tryPost(peer.slot, {
          op: SCIF_MUNMAP,
          src: this.#link.localId,
          dst: peer.id,
          token: peer.token,
          id: w.id
        });
      }
    }
    node.mapped(this.#link.peerSlot, -1);
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
  /** The peer's incarnation ended: nothing of ours is in its hands. Mappings of its windows
   * stay until munmap (its memory is held until then). */
  peerGone() {
    this.#peerGone = true;
    this.#far.peerGone();
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
  }
};

// emu/_stream.ts
var IDLE_CALLS = 16;
var RESOLVED_COUNTS = Array.from({
  length: 257
}, (_, n) => Promise.resolve(n));
function resolvedCount(n) {
  return n <= 256 ? RESOLVED_COUNTS[n] : Promise.resolve(n);
}
function moved(count, call) {
  if (count > 0) return Promise.resolve(count);
  throw new ScifError("EFAULT", `the buffer of a blocking ${call} was detached or shrunk while it waited`);
}
var EndpointStream = class {
  #ep;
  #qp;
  #spins;
  #idle = 0;
  constructor(ep, qp, spins) {
    this.#ep = ep;
    this.#qp = qp;
    this.#spins = spins;
  }
  #connected = () => this.#ep.state === "CONNECTED";
  send(data, block, signal) {
    const n = this.#put(data, 0);
    if (n === data.length || !block && n > 0) {
      this.#idle = 0;
      return resolvedCount(n);
    }
    if (this.#ep.state !== "CONNECTED") {
      return n > 0 ? resolvedCount(n) : Promise.reject(this.#ep.streamError());
    }
    if (!block) return this.#nothingMoved();
    return this.#sendRest(data, n, signal);
  }
  /** A non-blocking call moved nothing: see the module's comment. */
  #nothingMoved() {
    this.#ep.pumpPeer();
    if (++this.#idle < IDLE_CALLS) return resolvedCount(0);
    this.#idle = 0;
    return new Promise((r) => setTimeout(() => r(0), 0));
  }
  /** A blocking send that found the ring full after `done` bytes. */
  async #sendRest(data, done, signal) {
    const len = data.length;
    const qp = this.#qp;
    const stop = onAbort(signal, () => qp.wake());
    try {
      while (done < len) {
        if (signal?.aborted) return this.#aborted(done, signal, "send");
        await qp.waitForSpace(this.#spins, () => this.#connected() && !signal?.aborted);
        if (!this.#connected()) {
          if (done > 0) return done;
          throw this.#ep.streamError();
        }
        if (data.length !== len) return moved(done, "send");
        done += this.#put(data, done);
      }
      return done;
    } finally {
      stop();
    }
  }
  /** The end of a blocking call that `signal` aborted after `count` bytes. */
  #aborted(count, signal, call) {
    if (count > 0) return count;
    throw abortError(signal, `a blocking ${call}`);
  }
  /** put(), with a queue pair found broken (a view of ours stored over) turned into a reset
   * connection, which the caller's next look at the state sees. */
  #put(data, from) {
    const n = this.#qp.put(data, from);
    if (this.#qp.broken) this.#ep.streamBroken();
    return n;
  }
  /** take(), with a broken ring turned into a reset connection. */
  #take(into, from, spins) {
    const n = this.#qp.take(into, from, spins);
    if (n >= 0) return n;
    this.#ep.streamBroken();
    return 0;
  }
  recv(into, block, signal) {
    if (this.#ep.state === "CONNECTED") {
      const n = this.#take(into, 0, block ? this.#spins : 0);
      if (this.#ep.state !== "CONNECTED") return this.#recvRest(into, n, block);
      if (n === into.length || !block && n > 0) {
        this.#idle = 0;
        return resolvedCount(n);
      }
      if (!block) return this.#nothingMoved();
      return this.#recvRest(into, n, true, signal);
    }
    if (into.length === 0) return resolvedCount(0);
    return this.#recvRest(into, 0, block);
  }
  /** The rest of a recv: a blocking one that has `got` bytes and wants more, or any recv
   * after the peer left (which drains what it sent, then reports ECONNRESET). */
  async #recvRest(into, got, block = true, signal) {
    const len = into.length;
    const qp = this.#qp;
    const stop = onAbort(signal, () => qp.wake());
    try {
      while (got < len) {
        const n = this.#take(into, got, this.#connected() ? this.#spins : 0);
        got += n;
        if (n > 0) continue;
        if (!block || !this.#connected()) break;
        if (signal?.aborted) return this.#aborted(got, signal, "recv");
        await qp.sleepForData(() => this.#connected() && !signal?.aborted);
        if (this.#ep.state !== "CONNECTED" && this.#ep.state !== "DISCONNECTED") break;
        if (into.length !== len) return moved(got, "recv");
      }
    } finally {
      stop();
    }
    if (got > 0 || this.#connected()) return got;
    throw this.#ep.streamError();
  }
  /** Waits for at least one byte and takes what is there (up to into.length); 0 once the peer
   * closed and everything it sent was taken. EINTR when `signal` aborts first (checked after
   * every wait, before anything is taken); the stream error once closed here. */
  async recvSome(into, signal) {
    const stop = onAbort(signal, () => this.#qp.wake());
    try {
      for (; ; ) {
        const state2 = this.#ep.state;
        if (state2 !== "CONNECTED" && state2 !== "DISCONNECTED") throw this.#ep.streamError();
        const n = this.#take(into, 0, state2 === "CONNECTED" ? this.#spins : 0);
        if (n > 0 || this.#ep.state !== "CONNECTED" || into.length === 0) return n;
        if (signal?.aborted) throw abortError(signal, "a recv");
        await this.#qp.sleepForData(() => this.#connected() && !signal?.aborted);
        if (signal?.aborted) throw abortError(signal, "a recv");
      }
    } finally {
      stop();
    }
  }
  /** The poll events that hold now. */
  pollEvents() {
    const qp = this.#qp;
    if (qp.broken) this.#ep.streamBroken();
    switch (this.#ep.state) {
      case "CONNECTED": {
        const events = (qp.count() > 0 ? POLLIN : 0) | (qp.space() > 0 ? POLLOUT : 0);
        if (!qp.broken) return events;
        this.#ep.streamBroken();
        return this.pollEvents();
      }
      case "DISCONNECTED":
        return POLLHUP | (qp.count() > 0 ? POLLIN : 0);
      default:
        return POLLERR;
    }
  }
  /** Cells a poll sleeps on for `events` (see EndpointQp.announce). */
  pollCells(events) {
    return this.#qp.announce((events & POLLIN) !== 0, (events & POLLOUT) !== 0);
  }
};

// emu/_fences.ts
var MARK_PEER = 2147483648;
var SEQ2 = 2147483647;
var EndpointFences = class {
  #link;
  #rma;
  #peerEpoch;
  constructor(link, rma2, peerEpoch) {
    this.#link = link;
    this.#rma = rma2;
    this.#peerEpoch = peerEpoch;
  }
  #submitted(slot) {
    return this.#link.node.net.slot(slot, S_DMA_SUBMITTED) & SEQ2;
  }
  mark(flags) {
    if (flags !== SCIF_FENCE_INIT_SELF && flags !== SCIF_FENCE_INIT_PEER) {
      throw new ScifError("EINVAL", "fenceMark takes exactly one of SCIF_FENCE_INIT_SELF and SCIF_FENCE_INIT_PEER");
    }
    if (flags === SCIF_FENCE_INIT_SELF) return Promise.resolve(this.#submitted(this.#link.node.slot));
    return Promise.resolve((this.#submitted(this.#link.peerSlot) | MARK_PEER) >>> 0);
  }
  /** Waits for `mark`; `broken` says why the connection can no longer be waited on (a peer's
   * mark waits on the peer's engine, and fails the way the next RMA call would). A mark not
   * reached within the network's fence timeout (the kernel's SCIF_NODE_ALIVE_TIMEOUT: a mark
   * never issued, an engine that no longer runs) fails with ETIMEDOUT, as _scif_fence_wait's. */
  async wait(mark, broken, signal) {
    const peer = mark >= MARK_PEER;
    const net = this.#link.node.net;
    const slot = peer ? this.#link.peerSlot : this.#link.node.slot;
    await waitCompleted(net, slot, (peer ? mark - MARK_PEER : mark) & SEQ2, net.spins, peer ? broken : void 0, net.fenceTimeoutMs, signal);
  }
  async signal(localOffset, localValue, remoteOffset, remoteValue, flags) {
    const rma2 = this.#rma;
    const node = this.#link.node;
    const init = flags & (SCIF_FENCE_INIT_SELF | SCIF_FENCE_INIT_PEER);
    const signal = flags & (SCIF_SIGNAL_LOCAL | SCIF_SIGNAL_REMOTE);
    if ((flags & ~(init | signal)) !== 0 || init !== SCIF_FENCE_INIT_SELF && init !== SCIF_FENCE_INIT_PEER || signal === 0) {
      throw new ScifError("EINVAL", `bad fence_signal flags 0x${flags.toString(16)}`);
    }
    if (signal & SCIF_SIGNAL_LOCAL && !offAligned(localOffset, 4) || signal & SCIF_SIGNAL_REMOTE && !offAligned(remoteOffset, 4)) {
      throw new ScifError("EINVAL", "signal offsets must be 4-byte aligned");
    }
    const local = signal & SCIF_SIGNAL_LOCAL ? rma2.signalAddress("local", localOffset) : -1;
    if (signal & SCIF_SIGNAL_REMOTE && rma2.far) {
      if (local >= 0) await node.dma.signal(local, localValue);
      await rma2.delegateSignal(remoteOffset, remoteValue);
      return;
    }
    const remote = signal & SCIF_SIGNAL_REMOTE ? rma2.signalAddress("remote", remoteOffset) : -1;
    const peer = init === SCIF_FENCE_INIT_PEER ? {
      slot: this.#link.peerSlot,
      epoch: this.#peerEpoch,
      mark: this.#submitted(this.#link.peerSlot)
    } : void 0;
    if (local >= 0) await node.dma.signal(local, localValue, peer);
    if (remote >= 0) await node.dma.signal(remote, remoteValue, peer);
  }
};

// emu/_endpoint_calls.ts
var EndpointCalls = class {
  qp = null;
  stream = null;
  rma = null;
  fences = null;
  /** The incarnation of the peer's slot we are connected to. */
  peerEpoch = -1;
  // ---- scif_send, scif_recv, scif_poll: the stream ----
  /** The error of a stream call in a state without a stream. */
  streamError() {
    return this.state === "DISCONNECTED" ? new ScifError("ECONNRESET", "the peer closed the connection") : new ScifError("ENOTCONN", `the endpoint is not connected (${this.state})`);
  }
  send(data, block, signal) {
    if (this.stream && this.state === "CONNECTED") return this.stream.send(data, block, signal);
    if (data.length === 0) return Promise.resolve(0);
    return Promise.reject(this.streamError());
  }
  recv(into, block, signal) {
    if (this.stream && (this.state === "CONNECTED" || this.state === "DISCONNECTED")) {
      return this.stream.recv(into, block, signal);
    }
    if (into.length === 0) return Promise.resolve(0);
    return Promise.reject(this.streamError());
  }
  /** Waits for at least one byte and takes what is there (up to into.length); 0 once the peer
   * closed and everything it sent was taken (or, for a bridge, once the endpoint was closed).
   * ENOTCONN on an endpoint that never connected. */
  recvSome(into, signal) {
    return this.stream ? this.stream.recvSome(into, signal) : Promise.reject(this.streamError());
  }
  /** Handles now what the peer's slot has sent (a call that moved nothing looks for a
   * disconnect this way, without waiting for the dispatcher's turn). */
  pumpPeer() {
    this.node.pumpFrom(this.peerSlot);
  }
  /** The poll events that hold now (the kernel's __scif_pollfd). */
  pollEvents() {
    if (this.state === "LISTENING") return this.pendingRequests() > 0 ? POLLIN : 0;
    if (this.state === "CONNECTING") return 0;
    return this.stream ? this.stream.pollEvents() : POLLERR;
  }
  /** Cells a poll sleeps on for `events`, announced to the peer (see EndpointQp.announce). */
  pollCells(events) {
    return this.stream && this.state === "CONNECTED" ? this.stream.pollCells(events) : [];
  }
  /** Withdraws what pollCells announced. */
  pollDone() {
    this.qp?.unannounce();
  }
  /** Publishes what our receive ring has consumed (the node does it for all when rung). */
  publishConsumption() {
    if (this.state === "CONNECTED") this.qp.publish();
  }
  // ---- registration, RMA, fences, mmap (the connection check is the kernel's scif_verify_epd) ----
  verified() {
    if (this.state === "DISCONNECTED") throw new ScifError("ECONNRESET", "the peer closed the connection");
    if (this.state !== "CONNECTED") {
      throw new ScifError("ENOTCONN", `the endpoint is not connected (${this.state})`);
    }
    if (this.node.knownEpoch(this.peerSlot) !== this.peerEpoch) {
      throw new ScifError("ECONNRESET", "the peer closed the connection");
    }
    return this.ensureRma();
  }
  register(memory, offset, prot, fixed) {
    if (memory.byteOffset % 4096 !== 0) {
      throw new ScifError("EINVAL", `the memory's address ${memory.byteOffset} is not page aligned`);
    }
    return this.verified().register(memory, offset, prot, fixed);
  }
  unregister(offset, length) {
    this.verified().unregister(offset, length);
  }
  async readFrom(localOffset, length, remoteOffset, flags) {
    await this.verified().transfer("read", localOffset, length, remoteOffset, flags);
  }
  async writeTo(localOffset, length, remoteOffset, flags) {
    await this.verified().transfer("write", localOffset, length, remoteOffset, flags);
  }
  async vreadFrom(into, remoteOffset, flags) {
    await this.verified().transfer("read", into, into.length, remoteOffset, flags);
  }
  async vwriteTo(from, remoteOffset, flags) {
    await this.verified().transfer("write", from, from.length, remoteOffset, flags);
  }
  fenceMark(flags) {
    this.verified();
    return this.fences.mark(flags);
  }
  fenceWait(mark, signal) {
    this.verified();
    return this.fences.wait(mark, () => {
      try {
        this.verified();
        return null;
      } catch (e) {
        return e;
      }
    }, signal);
  }
  fenceSignal(localOffset, localValue, remoteOffset, remoteValue, flags) {
    this.verified();
    return this.fences.signal(localOffset, localValue, remoteOffset, remoteValue, flags);
  }
  mmap(remoteOffset, length, prot) {
    return this.verified().mmap(remoteOffset, length, prot);
  }
  munmap(view) {
    (this.rma ?? this.verified()).munmap(view);
    if (this.closed) this.node.keepZombie(this.token, this.rma, this.peerSlot);
  }
};

// emu/_endpoint.ts
var EmuEndpoint = class extends EndpointCalls {
  node;
  token;
  state = "UNBOUND";
  localId = null;
  peerId = null;
  /** The peer endpoint's token, once connected. */
  peerToken = 0;
  /** The slot of the peer (or of the node a connect or an accept talks to), and its incarnation. */
  peerSlot = -1;
  #dst = null;
  #backlog = 0;
  #conreqs = [];
  #error = null;
  #portReleased = false;
  #awaitingAck = false;
  constructor(node, token2) {
    super();
    this.node = node;
    this.token = token2;
  }
  pendingRequests() {
    return this.#conreqs.length;
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
  async connect(dst, signal) {
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
    const route = this.node.route(dst);
    this.qp = EndpointQp.alloc(this.node.net, this.node.slot);
    this.state = "CONNECTING";
    this.#dst = dst;
    this.peerSlot = route.slot;
    this.peerEpoch = route.epoch;
    this.#error = null;
    try {
      this.node.post(route.slot, {
        op: SCIF_CNCT_REQ,
        src: this.localId,
        dst,
        qp: this.qp.block,
        token: this.token,
        epoch: this.node.epoch
      });
      const until = performance.now() + this.node.net.connectTimeoutMs;
      while (this.state === "CONNECTING") {
        const left = until - performance.now();
        if (left <= 0) {
          this.#error = new ScifError("ECONNREFUSED", `no answer from ${dst.node}:${dst.port}`);
          break;
        }
        await this.node.waitEvent(left, !signal?.aborted);
      }
    } catch (e) {
      this.#error = e;
    }
    const state2 = this.state;
    if (this.stream && !this.closed) return this.localId;
    if (state2 === "CONNECTING") this.#unconnect();
    if (this.closed) throw new ScifError("EINTR", "the endpoint was closed while connecting");
    throw this.#error ?? new ScifError("ECONNREFUSED", `${dst.node}:${dst.port} refused the connection`);
  }
  /** Back to BOUND after a failed connect; nobody references our block. */
  #unconnect() {
    this.state = "BOUND";
    this.peerSlot = -1;
    this.qp?.free();
    this.qp = null;
  }
  /** SCIF_CNCT_GNT for our connect. Returns false when we no longer want it (the caller NACKs). */
  granted(m, from) {
    if (this.state !== "CONNECTING" || from !== this.peerSlot) return false;
    if (this.node.knownEpoch(from) !== this.peerEpoch || !this.node.validQp(m.qp, from)) {
      this.#error = new ScifError("ECONNREFUSED", `${m.src.node}:${m.src.port} sent a grant that does not hold`);
      this.#unconnect();
      this.node.dropped();
      return false;
    }
    this.qp.attach(m.qp, from);
    this.peerId = m.src;
    this.peerToken = m.from;
    this.#connected();
    if (!this.node.tryPost(from, {
      op: SCIF_CNCT_GNTACK,
      src: this.localId,
      dst: m.src,
      token: m.from
    })) this.#peerLeft();
    return true;
  }
  #connected() {
    this.state = "CONNECTED";
    const spins = this.node.standInHere(this.peerSlot) ? 0 : this.node.net.spins;
    this.stream = new EndpointStream(this, this.qp, spins);
  }
  /** The RMA state and fences of a connection, made when it first needs them (most never do). */
  ensureRma() {
    if (this.rma) return this.rma;
    const link = {
      node: this.node,
      token: this.token,
      localId: this.localId,
      peerSlot: this.peerSlot,
      peer: () => this.peerId && this.node.knownEpoch(this.peerSlot) === this.peerEpoch ? {
        id: this.peerId,
        token: this.peerToken,
        slot: this.peerSlot
      } : null
    };
    this.rma = new EndpointRma(link);
    this.fences = new EndpointFences(link, this.rma, this.peerEpoch);
    return this.rma;
  }
  /** The RMA state, for the node's routing of window messages (made for a connected one). */
  get rmaState() {
    return this.rma ?? (this.stream && this.state === "CONNECTED" ? this.ensureRma() : null);
  }
  /** SCIF_CNCT_REJ for our connect. */
  rejected(from) {
    if (this.state !== "CONNECTING" || from !== this.peerSlot) return;
    const to = this.#target();
    this.#error = new ScifError("ECONNREFUSED", `nothing accepts connections on ${to}`);
    this.#unconnect();
  }
  #target() {
    const p = this.peerId ?? this.#dst;
    return p ? `${p.node}:${p.port}` : "the destination";
  }
  /** For a bridge (emu/bus/tcp_bridge.ts): binds `port` whatever its range, sharing it when
   * this slot has it (a stand-in's ports belong to another machine's node, which checked them). */
  bindProxy(port) {
    if (this.state !== "UNBOUND") throw new ScifError("EISCONN", `bind in state ${this.state}`);
    if (!this.node.ports.share(port)) throw new ScifError("EINVAL", `port ${port} is in use`);
    this.localId = {
      node: this.node.nodeId,
      port
    };
    this.state = "BOUND";
  }
  /** For a bridge: refuses the oldest pending connection request (SCIF_CNCT_REJ). */
  rejectOldest() {
    const req = this.#conreqs.shift();
    if (req) {
      this.node.tryPost(req.slot, {
        op: SCIF_CNCT_REJ,
        src: this.localId,
        dst: req.peer,
        token: req.token
      });
    }
  }
  // ---- scif_accept ----
  /** A connection request arrived for this listener; false when it must be refused. */
  queueRequest(m, from) {
    if (this.state !== "LISTENING" || this.#conreqs.length >= this.#backlog) return false;
    if (m.epoch !== this.node.knownEpoch(from) || !this.node.validQp(m.qp, from)) {
      this.node.dropped();
      return false;
    }
    this.#conreqs.push({
      peer: m.src,
      slot: from,
      epoch: m.epoch,
      qp: m.qp,
      token: m.token
    });
    return true;
  }
  async accept(block, signal) {
    if (this.state !== "LISTENING") throw new ScifError("EINVAL", `accept in state ${this.state}`);
    const stop = onAbort(signal, () => this.node.kick());
    try {
      return await this.#accept(block, signal);
    } finally {
      stop();
    }
  }
  async #accept(block, signal) {
    for (; ; ) {
      while (this.#conreqs.length === 0) {
        if (!block) throw new ScifError("EAGAIN", "no connection request is pending");
        if (signal?.aborted) throw abortError(signal, "accept");
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
    this.peerId = req.peer;
    this.peerToken = req.token;
    this.peerSlot = req.slot;
    this.peerEpoch = req.epoch;
    if (this.node.knownEpoch(req.slot) !== req.epoch) {
      if (!this.node.nodeOnline(req.peer.node)) {
        throw new ScifError("ENODEV", `node ${req.peer.node} was lost`);
      }
      throw new ScifError("EAGAIN", "the requester is gone");
    }
    this.state = "ACCEPTING";
    try {
      this.qp = EndpointQp.alloc(this.node.net, this.node.slot);
    } catch (e) {
      this.node.tryPost(req.slot, {
        op: SCIF_CNCT_REJ,
        src: this.localId,
        dst: req.peer,
        token: req.token
      });
      throw e;
    }
    this.qp.attach(req.qp, req.slot);
    this.node.post(req.slot, {
      op: SCIF_CNCT_GNT,
      src: this.localId,
      dst: req.peer,
      qp: this.qp.block,
      token: req.token,
      from: this.token
    });
    while (this.state === "ACCEPTING") await this.node.waitEvent();
    if (this.stream) return;
    throw this.#error ?? new ScifError("EINTR", `the node was closed during accept (${this.state})`);
  }
  /** SCIF_CNCT_GNTACK / SCIF_CNCT_GNTNACK for our grant. */
  grantAnswered(ok, from) {
    if (this.state !== "ACCEPTING" || from !== this.peerSlot) return;
    if (ok) {
      this.#connected();
      return;
    }
    this.qp?.detachPeer();
    this.#error = new ScifError("EAGAIN", "the requester withdrew its connection request");
    this.state = "BOUND";
  }
  // ---- scif_close and the peer's side of it ----
  close() {
    if (this.closed) throw new ScifError("EBADF", "the endpoint is closed");
    this.#releasePort();
    if (this.rma) {
      this.rma.close();
      this.node.keepZombie(this.token, this.rma, this.peerSlot);
    }
    switch (this.state) {
      case "LISTENING":
        for (const req of this.#conreqs.splice(0)) {
          this.node.tryPost(req.slot, {
            op: SCIF_CNCT_REJ,
            src: this.localId,
            dst: req.peer,
            token: req.token
          });
        }
        this.#destroy();
        break;
      case "CONNECTED":
        this.state = "CLOSING";
        this.qp.detachPeer();
        if (!this.node.tryPost(this.peerSlot, {
          op: SCIF_DISCNCT,
          src: this.localId,
          dst: this.peerId,
          token: this.peerToken,
          from: this.token
        })) this.#destroy();
        break;
      case "DISCONNECTED":
        if (this.#awaitingAck) this.state = "CLOSING";
        else this.#destroy();
        break;
      default:
        this.#destroy();
    }
    this.#wake();
  }
  /** SCIF_DISCNCT from slot `from`, sent by its endpoint `token`; false when that is not our peer. */
  peerClosed(from, token2) {
    if (from !== this.peerSlot || token2 !== this.peerToken) return false;
    if (this.state === "CONNECTED") this.#peerLeft();
    return true;
  }
  #peerLeft() {
    this.state = "DISCONNECTED";
    this.qp?.detachPeer();
    this.#wake();
  }
  /** The peer wrote into our ring what no writer could have, or a view of our queue pair was
   * stored over (a buggy node, core-as/rb.ts): the connection is
   * reset, and the peer is told (SCIF_DISCNCT) so that it stops writing into our queue pair;
   * until it acknowledges, the pair is not given back, whatever the user does. */
  streamBroken() {
    if (this.state !== "CONNECTED") return;
    this.node.dropped();
    this.#peerLeft();
    this.#awaitingAck = this.node.tryPost(this.peerSlot, {
      op: SCIF_DISCNCT,
      src: this.localId,
      dst: this.peerId,
      token: this.peerToken,
      from: this.token
    });
  }
  /** SCIF_DISCNT_ACK for our close: the peer no longer touches our block. */
  disconnectAcknowledged(from) {
    if (from !== this.peerSlot) return;
    this.#awaitingAck = false;
    if (this.state === "CLOSING") this.#destroy();
  }
  /** Slot k's incarnation ended (the kernel's scif_invalidate_ep); `nodeLost`: with its node. */
  slotGone(k, nodeLost) {
    if (this.state === "LISTENING") {
      if (nodeLost) return;
      for (let i = this.#conreqs.length - 1; i >= 0; i--) {
        if (this.#conreqs[i].slot === k) this.#conreqs.splice(i, 1);
      }
      return;
    }
    if (this.peerSlot !== k) return;
    this.rma?.peerGone();
    const why = (what) => nodeLost ? new ScifError("ENODEV", `node ${what} was lost`) : new ScifError("ECONNREFUSED", `the program listening on ${what} ended`);
    switch (this.state) {
      case "CONNECTED":
        this.#peerLeft();
        return;
      case "CONNECTING":
        this.#error = why(this.#target());
        this.#unconnect();
        break;
      case "ACCEPTING":
        this.qp?.detachPeer();
        this.#error = nodeLost ? why(String(this.peerId.node)) : new ScifError("EAGAIN", "the requester is gone");
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
    this.qp?.free();
    this.qp = null;
    this.#releasePort();
    this.node.forget(this);
  }
  #releasePort() {
    if (this.localId && !this.#portReleased) this.node.ports.release(this.localId.port);
    this.#portReleased = true;
  }
  /** Wakes every call of this thread sleeping on this endpoint. */
  #wake() {
    this.qp?.wake();
    this.node.kick();
  }
};

// emu/_slot_qp.ts
function resetSlotQp(net, reader, writer) {
  const b2 = slotQp(net.layout, reader, writer);
  net.u8.fill(0, b2, b2 + QP_DATA);
  const { core } = net;
  const size = SLOTQP_RING_BYTES;
  core.rb_init(b2 + QP_RX_DESC, b2 + QP_DATA, size, b2 + QP_READ_CELL, b2 + QP_WRITE_CELL, b2 + QP_READER_WAITING, b2 + QP_WRITER_WAITING);
  core.rb_init(b2 + QP_TX_DESC, b2 + QP_DATA, size, b2 + QP_READ_CELL, b2 + QP_WRITE_CELL, b2 + QP_WRITER_WAITING, b2 + QP_READER_WAITING);
}
var SlotQueuePairs = class {
  #net;
  #self;
  #outbox;
  constructor(net, self2) {
    this.#net = net;
    this.#self = self2;
    this.#outbox = Array.from({
      length: net.layout.slots
    }, () => []);
  }
  /** Queues `m` for slot `to` and tries to deliver it now. */
  post(to, m) {
    const box = this.#outbox[to];
    box.push(m);
    if (box.length === 1) this.#flushTo(to);
  }
  /** Moves queued messages into the rings. True while some are still waiting for room. */
  flush() {
    let left = false;
    for (let j = 0; j < this.#outbox.length; j++) {
      if (this.#outbox[j].length > 0 && this.#flushTo(j) > 0) left = true;
    }
    return left;
  }
  /** How many messages for slot `j` wait for room in its ring. */
  waiting(j) {
    return this.#outbox[j].length;
  }
  /** Forgets what is queued for slot `j` (its incarnation ended). */
  drop(j) {
    this.#outbox[j].length = 0;
  }
  /** Hands every message waiting from slot `j` to `handle`, in order: decoded, or null for one
   * whose fields are out of range (the caller counts and drops it). */
  drain(j, handle) {
    const { core, layout } = this.#net;
    const rx = slotQp(layout, this.#self, j) + QP_RX_DESC;
    const bounds = layout;
    for (let at = core.msg_peek(rx); at !== 0; at = core.msg_peek(rx)) {
      const op = core.msg_op(at);
      const src = {
        node: core.msg_src_node(at),
        port: core.msg_src_port(at)
      };
      const dst = {
        node: core.msg_dst_node(at),
        port: core.msg_dst_port(at)
      };
      const p = [
        BigInt.asUintN(64, core.msg_payload(at, 0)),
        BigInt.asUintN(64, core.msg_payload(at, 1)),
        BigInt.asUintN(64, core.msg_payload(at, 2)),
        BigInt.asUintN(64, core.msg_payload(at, 3))
      ];
      core.msg_release(rx);
      handle(decode(op, src, dst, p, bounds), {
        op,
        src,
        dst
      });
    }
  }
  #flushTo(j) {
    const box = this.#outbox[j];
    const { core, layout } = this.#net;
    const tx = slotQp(layout, j, this.#self) + QP_TX_DESC;
    let sent = 0;
    while (sent < box.length) {
      const m = box[sent];
      const [p0, p1, p2, p3] = encode(m);
      if (core.msg_send(tx, m.src.node, m.src.port, m.dst.node, m.dst.port, m.op, p0, p1, p2, p3) === 0) {
        break;
      }
      sent++;
    }
    if (sent > 0) {
      box.splice(0, sent);
      this.#net.ringSlot(j);
    }
    return box.length;
  }
};

// emu/_ports.ts
var SHIFT = 24;
var REFS = (1 << SHIFT) - 1;
var PortTable = class {
  #i32;
  #base;
  #me;
  /** Says whether slot `slot`'s incarnation has ended. */
  #gone;
  constructor(l, i32, node, slot, gone) {
    this.#i32 = i32;
    this.#base = portCell(l, node, 0) >> 2;
    this.#me = slot + 1;
    this.#gone = gone;
  }
  /** Tries to take `port` for this slot: true when it is now ours, with one reference. */
  #take(port) {
    const i = this.#base + port;
    for (; ; ) {
      const v = Atomics.load(this.#i32, i);
      const holder = v >>> SHIFT;
      if (v !== 0 && !(holder !== this.#me && this.#gone(holder - 1))) return false;
      if (Atomics.compareExchange(this.#i32, i, v, this.#me << SHIFT | 1) === v) return true;
    }
  }
  /** Takes exactly `port` (EINVAL when it is in use: the kernel reports no EADDRINUSE). */
  reserve(port) {
    if (!this.#take(port)) throw new ScifError("EINVAL", `port ${port} is in use`);
    return port;
  }
  /** Takes the lowest free port above SCIF_PORT_RSVD (the kernel's scif_get_new_port). */
  allocate() {
    for (let p = SCIF_PORT_RSVD + 1; p <= SCIF_PORT_MAX; p++) if (this.#take(p)) return p;
    throw new ScifError("ENOSPC", "no free port");
  }
  /** One more endpoint of this slot uses `port`, which this slot holds. */
  hold(port) {
    Atomics.add(this.#i32, this.#base + port, 1);
  }
  /** Takes `port` for this slot if it is free, or one more reference if this slot has it;
   * false when another slot has it (for a bridge's stand-in, see emu/bus/tcp_bridge.ts). */
  share(port) {
    if (this.#take(port)) return true;
    const v = Atomics.load(this.#i32, this.#base + port);
    if (v >>> SHIFT !== this.#me) return false;
    this.hold(port);
    return true;
  }
  /** One endpoint less uses `port`; the last one frees it. */
  release(port) {
    const i = this.#base + port;
    for (; ; ) {
      const v = Atomics.load(this.#i32, i);
      if (v >>> SHIFT !== this.#me || (v & REFS) === 0) return;
      const next = (v & REFS) === 1 ? 0 : v - 1;
      if (Atomics.compareExchange(this.#i32, i, v, next) === v) return;
    }
  }
  /** The slot that holds `port`, or -1. */
  holderOf(port) {
    return (Atomics.load(this.#i32, this.#base + port) >>> SHIFT) - 1;
  }
};
function reclaimPorts(l, i32, node, slot) {
  const base = portCell(l, node, 0) >> 2;
  for (let p = 0; p < PORTS; p++) {
    const v = Atomics.load(i32, base + p);
    if (v !== 0 && v >>> SHIFT === slot + 1) Atomics.compareExchange(i32, base + p, v, 0);
  }
}

// emu/_slots.ts
var CLAIM_WAIT_MS = 5e3;
async function claimSlot(net, node, options, setup = () => {
}) {
  const l = net.layout;
  const until = performance.now() + CLAIM_WAIT_MS;
  for (let round = 0; round === 0 || performance.now() < until; round++) {
    if (round > 0) {
      net.ringAll();
      await delay(round < 10 ? 1 : 10);
    }
    for (let s = 0; s < l.slots; s++) {
      const state2 = slotField(l, s, S_STATE);
      const st = net.load(state2);
      if (st !== SLOT_FREE) {
        if (net.slotGone(s)) reclaimIfReleased(net, s, -1);
        if (net.load(state2) !== SLOT_FREE) continue;
      }
      if (net.cas(state2, SLOT_FREE, SLOT_ATTACHING) !== SLOT_FREE) continue;
      let release = null;
      try {
        release = await net.bus.holdSlot(s);
      } catch (e) {
        net.store(state2, SLOT_FREE);
        throw e;
      }
      if (!release) {
        net.store(state2, SLOT_FREE);
        continue;
      }
      try {
        const epoch = open(net, s, node, options);
        setup(s);
        net.store(state2, SLOT_ACTIVE);
        net.ringAll();
        return {
          slot: s,
          epoch,
          release
        };
      } catch (e) {
        release();
        net.store(state2, SLOT_FREE);
        throw e;
      }
    }
  }
  throw new ScifError("EBUSY", `all ${l.slots} attachment slots of the network are in use`);
}
function open(net, s, node, o) {
  const l = net.layout;
  const f = (field) => slotField(l, s, field);
  for (let j = 0; j < l.slots; j++) {
    resetSlotQp(net, s, j);
    if (j !== s) resetSlotQp(net, j, s);
    const ej = net.slotEpoch(j);
    const st = net.slot(j, S_STATE);
    const live = j !== s && (st === SLOT_ACTIVE || st === SLOT_ATTACHING);
    net.store(releaseCell(l, s, j), live ? ej - 1 : ej);
  }
  const epoch = net.load(f(S_EPOCH)) + 1;
  net.store(f(S_NODE), node);
  net.store(f(S_PID), o.pid);
  net.store(f(S_FD), o.fd());
  net.store(f(S_WATCHABLE), o.watchable ? 1 : 0);
  net.store(f(S_STANDIN), o.standIn ? 1 : 0);
  net.store(f(S_HOLDER), 0);
  net.store(f(S_DROPPED), 0);
  net.store(f(S_SLEEPING), 0);
  net.store(f(S_DMA_WAITERS), 0);
  net.store(f(S_WAKES), 0);
  net.store(f(S_DMA_COMPLETED), net.load(f(S_DMA_SUBMITTED)));
  net.store(f(S_EPOCH), epoch);
  return epoch;
}
function endSlot(net, s, epoch) {
  const state2 = slotField(net.layout, s, S_STATE);
  if (net.slotEpoch(s) !== epoch) return false;
  let st = net.load(state2);
  while (st === SLOT_ACTIVE || st === SLOT_ATTACHING) {
    const was = net.cas(state2, st, SLOT_DEAD);
    if (was === st) {
      net.ringAll();
      return true;
    }
    st = was;
  }
  return false;
}
function releaseSlot(net, j, k, epoch) {
  const cell = releaseCell(net.layout, j, k);
  if (net.load(cell) < epoch) net.store(cell, epoch);
  reclaimIfReleased(net, k, j);
}
function reclaimIfReleased(net, k, by) {
  const l = net.layout;
  const state2 = slotField(l, k, S_STATE);
  let st = net.load(state2);
  if ((st === SLOT_ACTIVE || st === SLOT_ATTACHING) && net.slotGone(k)) {
    if (!endSlot(net, k, net.slotEpoch(k))) return;
    st = SLOT_DEAD;
  }
  if (st === SLOT_RECLAIMING) {
    const holder = net.slot(k, S_HOLDER) - 1;
    if (holder >= 0 && !net.slotGone(holder)) return;
    if (net.cas(state2, SLOT_RECLAIMING, SLOT_DEAD) !== SLOT_RECLAIMING) return;
    st = SLOT_DEAD;
  }
  if (st !== SLOT_DEAD) return;
  const epoch = net.slotEpoch(k);
  for (let j = 0; j < l.slots; j++) {
    if (j === k) continue;
    const sj = net.slot(j, S_STATE);
    if ((sj === SLOT_ACTIVE || sj === SLOT_ATTACHING) && !net.slotGone(j)) {
      if (net.load(releaseCell(l, j, k)) < epoch) return;
    }
  }
  net.store(slotField(l, k, S_HOLDER), by + 1);
  if (net.cas(state2, SLOT_DEAD, SLOT_RECLAIMING) !== SLOT_DEAD) return;
  net.heap.reclaim(k, by >= 0 ? by : k);
  reclaimPorts(l, net.i32, net.slot(k, S_NODE), k);
  net.store(state2, SLOT_FREE);
}

// emu/_peers.ts
var LIVENESS_MS = 250;
var PeerTracker = class {
  #net;
  #self;
  #known;
  #unwatch;
  #events;
  #pid;
  #lastPoll = 0;
  constructor(net, self2, pid2, events) {
    this.#net = net;
    this.#self = self2;
    this.#pid = pid2;
    this.#events = events;
    this.#known = new Array(net.layout.slots).fill(-1);
    this.#unwatch = new Array(net.layout.slots).fill(null);
  }
  /** The incarnation of slot `k` adopted (-1: none). */
  known(k) {
    return this.#known[k] ?? -1;
  }
  /** Whether slot `k`'s incarnation `epoch` is the one adopted. */
  adopted(k, epoch) {
    return this.#known[k] === epoch;
  }
  /** Every slot whose incarnation is adopted. */
  *adoptedSlots() {
    for (let k = 0; k < this.#known.length; k++) if (this.#known[k] !== -1) yield k;
  }
  /** Whether this bus needs the dispatcher to wake from time to time to look at liveness. */
  get polls() {
    return this.#net.bus.pollsLiveness;
  }
  /** Compares the slot table with the incarnations adopted: drops the ones that ended and
   * adopts new ones. `poll`: also asks the bus whether the holders are still there (at most
   * every LIVENESS_MS). */
  sync(poll) {
    const net = this.#net;
    const now = performance.now();
    const look = poll && net.bus.pollsLiveness && now - this.#lastPoll >= LIVENESS_MS;
    if (look) this.#lastPoll = now;
    for (let k = 0; k < this.#known.length; k++) {
      if (k === this.#self) continue;
      const active = net.slot(k, S_STATE) === SLOT_ACTIVE;
      const epoch = net.slotEpoch(k);
      const known = this.#known[k];
      if (known !== -1 && active && epoch === known && look && !net.bus.holderAlive(k)) {
        this.ended(k, epoch);
        continue;
      }
      if (known !== -1 && (!active || epoch !== known)) this.#drop(k, known);
      if (this.#known[k] === -1 && active) this.#adopt(k, epoch);
    }
  }
  #adopt(k, epoch) {
    const net = this.#net;
    this.#known[k] = epoch;
    if (net.slot(k, S_WATCHABLE) === 1 && net.slot(k, S_PID) === this.#pid) {
      this.#unwatch[k] = net.bus.watchSlot(k, () => this.ended(k, epoch));
    }
  }
  /** Slot k's incarnation `epoch` is seen to have ended without closing (its thread or
   * process is gone): it is DEAD, and the node it had goes with it. */
  ended(k, epoch) {
    const net = this.#net;
    if (net.slotEpoch(k) !== epoch) return;
    const node = net.slot(k, S_NODE);
    if (endSlot(net, k, epoch) && node >= 0 && node < net.layout.nodes) {
      const l = net.layout;
      if (net.load(nodeField(l, node, N_MODE)) !== MODE_LOCAL && net.load(nodeField(l, node, N_SLOT)) === k + 1) {
        net.cas(nodeField(l, node, N_STATE), NODE_ONLINE, NODE_LOST);
      }
    }
    net.ringAll();
  }
  /** Slot k's incarnation `epoch` ended: reset what used it, then release it once nothing of
   * ours touches its memory. */
  #drop(k, epoch) {
    const net = this.#net;
    this.#unwatch[k]?.();
    this.#unwatch[k] = null;
    this.#known[k] = -1;
    const node = net.slot(k, S_NODE);
    const nodeLost = !(node >= 0 && node < net.layout.nodes) || net.load(nodeField(net.layout, node, N_STATE)) !== NODE_ONLINE;
    this.#events.slotGone(k, nodeLost);
    this.#events.whenDoneWith(k, () => releaseSlot(net, this.#self, k, epoch));
  }
  /** Stops watching everyone (the slot closes). */
  stop() {
    for (let k = 0; k < this.#unwatch.length; k++) this.#unwatch[k]?.();
    this.#unwatch.fill(null);
  }
};

// emu/_attach.ts
async function claimNode(net, nodeId, standIn, pid2) {
  const l = net.layout;
  if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId >= l.nodes) {
    throw new ScifError("ENODEV", `node ${nodeId} does not exist (the network has ${l.nodes})`);
  }
  const state2 = nodeField(l, nodeId, N_STATE);
  const mode = net.load(nodeField(l, nodeId, N_MODE));
  const hasNode = mode === MODE_THREAD || standIn;
  if (standIn && mode !== MODE_REMOTE) {
    throw new ScifError("EBUSY", `node ${nodeId} is a node of this machine, not of another one`);
  }
  if (!standIn && mode === MODE_REMOTE) {
    throw new ScifError("ENODEV", `node ${nodeId} is on another machine: programs attach this machine's nodes`);
  }
  if (mode === MODE_LOCAL && net.load(state2) !== NODE_ONLINE) {
    throw new ScifError("ENODEV", `node ${nodeId} is down`);
  }
  let was = NODE_OFFLINE;
  if (hasNode) {
    was = net.cas(state2, NODE_OFFLINE, NODE_ATTACHING);
    if (was === NODE_LOST) was = net.cas(state2, NODE_LOST, NODE_ATTACHING);
    if (was !== NODE_OFFLINE && was !== NODE_LOST) {
      throw new ScifError("EBUSY", `node ${nodeId} is already attached by another thread`);
    }
  }
  let claim;
  try {
    claim = await claimSlot(net, nodeId, {
      pid: pid2,
      standIn,
      fd: () => -1,
      watchable: inWorker()
    }, (s) => {
      if (hasNode) net.store(nodeField(l, nodeId, N_SLOT), s + 1);
    });
  } catch (e) {
    if (hasNode) net.store(state2, was);
    throw e;
  }
  if (hasNode) {
    net.store(nodeField(l, nodeId, N_EPOCH), net.load(nodeField(l, nodeId, N_EPOCH)) + 1);
    net.store(state2, NODE_ONLINE);
    net.ringAll();
  }
  return {
    ...claim,
    hasNode
  };
}

// emu/_poll.ts
async function pollEndpoints(net, entries, timeoutMs, signal) {
  const stop = onAbort(signal, () => net.bus.wakeAll());
  try {
    return await pollLoop(net, entries, timeoutMs, signal);
  } finally {
    stop();
  }
}
async function pollLoop(net, entries, timeoutMs, signal) {
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
    if (signal?.aborted) throw abortError(signal, "poll");
    const cells = [];
    const slots = /* @__PURE__ */ new Set();
    eps.forEach((ep, i) => {
      if (!ep) return;
      slots.add(ep.node.eventCell);
      cells.push(...ep.pollCells(entries[i].events));
    });
    for (const cell of slots) cells.push([
      cell >> 2,
      net.load(cell)
    ]);
    revents = look();
    const left = deadline - performance.now();
    if (revents.some((r) => r !== 0) || left <= 0) {
      eps.forEach((ep) => ep?.pollDone());
      return revents;
    }
    await net.bus.sleepAny(cells, left === Infinity ? Infinity : Math.ceil(left));
    eps.forEach((ep) => ep?.pollDone());
  }
}

// emu/_node.ts
var CLOSE_WAIT_MS = 200;
var POST_WAIT_MS = 3e3;
function pid() {
  return denoGlobal()?.pid ?? 0;
}
var EmuNode = class _EmuNode {
  kind = "emu";
  nodeId;
  net;
  slot;
  /** The slot's incarnation. */
  epoch;
  ports;
  /** Whether this slot has the node itself (a thread's node, a stand-in), rather than being
   * one program of a machine's node. */
  #hasNode;
  #qps;
  #peers;
  #portViews = /* @__PURE__ */ new Map();
  #stopped = false;
  #dispatcher = Promise.resolve();
  #listeners = /* @__PURE__ */ new Map();
  #endpoints = /* @__PURE__ */ new Map();
  #nodeWatchers = /* @__PURE__ */ new Set();
  // What the watchers were last told of: per node, its incarnation (N_EPOCH), -1 when offline.
  #nodesSeen = [];
  #nextToken = 1;
  #eventCell;
  #doorbell;
  #release;
  #dma = null;
  #allocations = /* @__PURE__ */ new Set();
  // RMA state of closed endpoints that the peer may still send window messages about.
  #zombies = /* @__PURE__ */ new Map();
  // Mappings of other slots' windows, per slot, and what waits for them to be unmapped.
  #maps = /* @__PURE__ */ new Map();
  #afterUnmap = /* @__PURE__ */ new Map();
  /** Set on a slot that stands in for a node of another machine. */
  forwarder = null;
  /** Called once the node has closed (the machine network's bookkeeping). */
  onClose = [];
  /** A network of this program's threads, or the machine's network. */
  get network() {
    return this.net.kind === NET_MACHINE ? "machine" : "threads";
  }
  constructor(net, nodeId, slot, epoch, hasNode) {
    this.net = net;
    this.nodeId = nodeId;
    this.slot = slot;
    this.epoch = epoch;
    this.#hasNode = hasNode;
    this.ports = this.#portsOf(nodeId);
    this.#qps = new SlotQueuePairs(net, slot);
    this.#eventCell = slotField(net.layout, slot, S_EVENT);
    this.#doorbell = slotField(net.layout, slot, S_DOORBELL);
    this.#release = null;
    this.#peers = new PeerTracker(net, slot, pid(), {
      slotGone: (k, lost) => this.#slotGone(k, lost),
      whenDoneWith: (k, fn) => this.#whenDoneWith(k, fn)
    });
  }
  /**
   * Attaches node `nodeId` of `net` in this thread. On a network of threads: EBUSY if another
   * thread has it. On a machine's network: a node of this machine (any number of programs), or
   * with `standIn`, the stand-in of a node of another machine (emu/bus/tcp.ts).
   */
  static async attach(net, nodeId, standIn = false) {
    const claim = await claimNode(net, nodeId, standIn, pid());
    const node = new _EmuNode(net, nodeId, claim.slot, claim.epoch, claim.hasNode);
    node.#release = claim.release;
    node.#peers.sync(false);
    node.#dispatcher = node.#run();
    return node;
  }
  // ---- NodeBackend ----
  openEndpoint() {
    this.#checkOpen();
    if (this.#peers.polls && !this.#relationships()) this.net.ringSlot(this.slot);
    const ep = new EmuEndpoint(this, this.#nextToken++);
    this.#endpoints.set(ep.token, ep);
    return ep;
  }
  getNodeIds() {
    this.#checkOpen();
    const nodes = [];
    for (let k = 0; k < this.net.layout.nodes; k++) if (this.nodeOnline(k)) nodes.push(k);
    return {
      nodes,
      self: this.nodeId
    };
  }
  poll(entries, timeoutMs, signal) {
    this.#checkOpen();
    return pollEndpoints(this.net, entries, timeoutMs, signal);
  }
  /** The cell this slot's waiters sleep on for any change (poll sleeps on it too). */
  get eventCell() {
    return this.#eventCell;
  }
  allocate(length) {
    this.#checkOpen();
    const bytes = Math.ceil(length / PAGE) * PAGE;
    const addr = this.net.heap.alloc(bytes, this.slot, true);
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
    this.net.heap.release(memory.byteOffset, this.slot);
  }
  async close() {
    if (this.#stopped) return;
    for (const ep of [
      ...this.#endpoints.values()
    ]) if (!ep.closed) ep.close();
    const until = performance.now() + CLOSE_WAIT_MS;
    while ((this.#endpoints.size > 0 || this.#zombies.size > 0) && performance.now() < until) {
      await this.waitEvent(10);
    }
    await this.#dma?.close();
    this.#dma = null;
    this.#stopped = true;
    this.#peers.stop();
    const l = this.net.layout;
    if (this.#hasNode && this.net.load(nodeField(l, this.nodeId, N_SLOT)) === this.slot + 1) {
      this.net.store(nodeField(l, this.nodeId, N_STATE), NODE_OFFLINE);
    }
    endSlot(this.net, this.slot, this.epoch);
    await keepAlive(this.#dispatcher);
    this.#release?.();
    this.#release = null;
    reclaimIfReleased(this.net, this.slot, this.slot);
    for (const hook of this.onClose.splice(0)) await hook();
  }
  /** A stand-in whose link went away: its node is lost, as a card that goes away. */
  async lose() {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#peers.stop();
    const l = this.net.layout;
    if (this.net.load(nodeField(l, this.nodeId, N_SLOT)) === this.slot + 1) {
      this.net.cas(nodeField(l, this.nodeId, N_STATE), NODE_ONLINE, NODE_LOST);
    }
    endSlot(this.net, this.slot, this.epoch);
    await this.#dispatcher;
    await this.#dma?.close();
    this.#dma = null;
    this.#release?.();
    this.#release = null;
    reclaimIfReleased(this.net, this.slot, this.slot);
    this.kick();
  }
  // ---- services for endpoints (EndpointHost) ----
  /** The port table of node `node` (this slot's view of it). */
  #portsOf(node) {
    let t = this.#portViews.get(node);
    if (!t) {
      t = new PortTable(this.net.layout, this.net.i32, node, this.slot, (s) => this.net.slotGone(s));
      this.#portViews.set(node, t);
    }
    return t;
  }
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
  /** Whether node `node` is online. */
  nodeOnline(node) {
    return this.net.load(nodeField(this.net.layout, node, N_STATE)) === NODE_ONLINE;
  }
  /** ENODEV unless node `node` exists and is online. */
  checkReachable(node) {
    if (!Number.isInteger(node) || node < 0 || node >= this.net.layout.nodes) {
      throw new ScifError("ENODEV", `node ${node} does not exist`);
    }
    if (!this.nodeOnline(node)) throw new ScifError("ENODEV", `node ${node} is not online`);
  }
  /** The slot a connect to `dst` goes to, and its incarnation: the stand-in of a node of
   * another machine, else the holder of the port. ECONNREFUSED when nobody holds it. */
  route(dst) {
    this.checkReachable(dst.node);
    const l = this.net.layout;
    const slot = this.net.load(nodeField(l, dst.node, N_MODE)) === MODE_REMOTE ? this.net.load(nodeField(l, dst.node, N_SLOT)) - 1 : this.#portsOf(dst.node).holderOf(dst.port);
    if (slot < 0 || slot >= l.slots) {
      throw new ScifError("ECONNREFUSED", `nothing listens on ${dst.node}:${dst.port}`);
    }
    if (this.#peers.known(slot) === -1 && slot !== this.slot) this.#peers.sync(false);
    const epoch = slot === this.slot ? this.epoch : this.#peers.known(slot);
    if (epoch === -1) throw new ScifError("ECONNREFUSED", `nothing listens on ${dst.node}:${dst.port}`);
    return {
      slot,
      epoch
    };
  }
  /** The incarnation of slot `slot` this one has adopted (-1: none; ours: ours). */
  knownEpoch(slot) {
    return slot === this.slot ? this.epoch : this.#peers.known(slot);
  }
  /** Whether slot `slot` stands in for a node of another machine whose bridge may run in this
   * process (spinning for it would only delay it). */
  standInHere(slot) {
    return this.net.slot(slot, S_STANDIN) === 1 && this.net.slot(slot, S_PID) === pid();
  }
  /** Whether `addr` is a queue pair block that slot `owner` made (a peer said it is). */
  validQp(addr, owner) {
    const run = this.net.heap.runOf(addr);
    return run !== null && run.head === addr && run.owner === owner && !run.user && run.bytes >= QP_DATA + this.net.layout.ringBytes;
  }
  /** The node's DMA engine, made on first use. */
  get dma() {
    return this.#dma ??= new DmaEngine(this.net, this.slot);
  }
  /** Runs `fn` once every transfer queued to our DMA engine so far is done (now, if none is). */
  afterDma(fn) {
    if (this.#dma) this.#dma.after(this.#dma.submitted, fn);
    else fn();
  }
  /** Handles now the control messages slot `j` has sent (before a lookup that must see them). */
  pumpFrom(j) {
    if (j >= 0 && this.knownEpoch(j) !== -1 && !this.#stopped) {
      this.#qps.drain(j, (m) => this.#handle(j, m));
    }
  }
  /** Keeps a closed endpoint's RMA state reachable by the peer's window messages until it is
   * empty (called again when it may have become so). */
  keepZombie(token2, rma2, peerSlot) {
    if (!rma2.empty) this.#zombies.set(token2, {
      rma: rma2,
      peerSlot
    });
    else this.#zombies.delete(token2);
  }
  /** One more (+1) or one less (-1) mapping of slot `slot`'s windows. */
  mapped(slot, delta) {
    const n = (this.#maps.get(slot) ?? 0) + delta;
    if (n > 0) {
      this.#maps.set(slot, n);
      return;
    }
    this.#maps.delete(slot);
    for (const fn of this.#afterUnmap.get(slot)?.splice(0) ?? []) fn();
    this.#afterUnmap.delete(slot);
  }
  /** Sleeps until something on this node changes (a message handled, a slot gone), or
   * `timeoutMs` passes. */
  async waitEvent(timeoutMs = Infinity, keepProcess = true) {
    const cell = this.#eventCell;
    await this.net.sleep(cell, this.net.load(cell), timeoutMs, keepProcess);
  }
  /** Wakes every call of this thread waiting on this node. */
  kick() {
    this.net.ring(this.#eventCell);
  }
  /** Sends a control message to slot `to`. ENODEV when its incarnation is not adopted. */
  post(to, m) {
    if (this.#peers.known(to) === -1 && to !== this.slot && !this.#stopped) this.#peers.sync(false);
    if (this.#stopped || to !== this.slot && this.#peers.known(to) === -1) {
      throw new ScifError("ENODEV", `node ${m.dst.node} is not reachable`);
    }
    this.#qps.post(to, m);
  }
  /** Sends a control message and sees it into the destination's ring before returning, so that
   * whatever this thread publishes next (stream bytes, say) cannot overtake it. */
  postOrdered(to, m) {
    this.post(to, m);
    const until = performance.now() + POST_WAIT_MS;
    while (this.#qps.waiting(to) > 0) {
      this.pumpFrom(this.slot);
      for (const j of this.#peers.adoptedSlots()) this.pumpFrom(j);
      this.#qps.flush();
      if (performance.now() > until) {
        throw new ScifError("ENODEV", `node ${m.dst.node} does not take control messages`);
      }
    }
  }
  /** Sends a control message if the destination is still there; says whether it went. */
  tryPost(to, m) {
    try {
      this.post(to, m);
      return true;
    } catch {
      return false;
    }
  }
  // ---- DispatchTarget ----
  endpoint(token2) {
    return this.#endpoints.get(token2);
  }
  listener(port) {
    return this.#listeners.get(port);
  }
  /** The RMA state of endpoint `token`, open or closed (a zombie). */
  rmaOf(token2) {
    return this.#endpoints.get(token2)?.rmaState ?? this.#zombies.get(token2)?.rma ?? void 0;
  }
  unregisterAck(to, m) {
    this.afterDma(() => this.tryPost(to, {
      op: SCIF_UNREGISTER_ACK,
      src: m.dst,
      dst: m.src,
      token: m.from,
      id: m.id
    }));
  }
  dropped() {
    Atomics.add(this.net.i32, slotField(this.net.layout, this.slot, S_DROPPED) >> 2, 1);
  }
  /** The slot's counters. */
  stats() {
    return {
      droppedMessages: this.net.slot(this.slot, S_DROPPED)
    };
  }
  // ---- the control protocol ----
  async #run() {
    const net = this.net;
    const db = this.#doorbell;
    const sleeping = slotField(net.layout, this.slot, S_SLEEPING);
    const wakes = slotField(net.layout, this.slot, S_WAKES);
    let woke = net.load(wakes);
    while (!this.#stopped) {
      const seen = net.load(db);
      const w = net.load(wakes);
      if (w !== woke) {
        woke = w;
        net.bus.wakeAll();
      }
      this.#peers.sync(this.#relationships());
      if (this.#nodeWatchers.size > 0) this.#tellNodeWatchers();
      this.#qps.drain(this.slot, (m) => this.#handle(this.slot, m));
      for (const j of this.#peers.adoptedSlots()) this.#qps.drain(j, (m) => this.#handle(j, m));
      const backlog = this.#qps.flush();
      for (const ep of this.#endpoints.values()) ep.publishConsumption();
      if (this.#stopped) break;
      if (net.load(db) !== seen) continue;
      net.store(sleeping, 1);
      if (net.load(db) !== seen) {
        net.store(sleeping, 0);
        continue;
      }
      const timeout = backlog ? 1 : this.#peers.polls && this.#relationships() ? 250 : Infinity;
      await net.bus.waitRing(sleeping >> 2, timeout);
      net.store(sleeping, 0);
    }
    net.bus.wakeAll();
  }
  /** Whether this slot has anything another slot could be part of, or someone watches the
   * nodes (then the ends of other processes are looked for). */
  #relationships() {
    return this.#endpoints.size > 0 || this.#zombies.size > 0 || this.#maps.size > 0 || this.#nodeWatchers.size > 0;
  }
  watchNodes(onChange) {
    this.#checkOpen();
    this.#nodeWatchers.add(onChange);
    this.#nodesSeen = this.#nodesNow();
    this.net.ringSlot(this.slot);
    return () => this.#nodeWatchers.delete(onChange);
  }
  #nodesNow() {
    const l = this.net.layout;
    return Array.from({
      length: l.nodes
    }, (_, k) => this.nodeOnline(k) ? this.net.load(nodeField(l, k, N_EPOCH)) : -1);
  }
  /** Tells the node watchers when the online nodes differ from what they were told last (an
   * attach or an end rings every slot, so a turn of the dispatcher follows each); a node lost
   * and attached again between two looks is a new incarnation: `replaced`. */
  #tellNodeWatchers() {
    const now = this.#nodesNow();
    const before = this.#nodesSeen;
    if (now.every((e, k) => e === before[k])) return;
    this.#nodesSeen = now;
    const replaced = now.flatMap((e, k) => e !== -1 && before[k] !== -1 && before[k] !== void 0 && e !== before[k] ? [
      k
    ] : []);
    for (const tell of [
      ...this.#nodeWatchers
    ]) tell(replaced);
  }
  #handle(from, m) {
    if (m !== null && (m.src.node !== this.net.slot(from, S_NODE) || m.dst.node !== this.nodeId)) m = null;
    dispatch(this, m, from);
    if (m !== null && "token" in m) {
      const z = this.#zombies.get(m.token);
      if (z?.rma.empty) this.#zombies.delete(m.token);
    }
    this.kick();
  }
  /** Slot k's incarnation ended (the kernel's scif_cleanup_scifdev): reset what used it. */
  #slotGone(k, nodeLost) {
    for (const ep of [
      ...this.#endpoints.values()
    ]) ep.slotGone(k, nodeLost);
    for (const [token2, z] of this.#zombies) {
      if (z.peerSlot !== k) continue;
      z.rma.peerGone();
      if (z.rma.empty) this.#zombies.delete(token2);
    }
    this.#qps.drop(k);
    this.kick();
  }
  #whenDoneWith(k, fn) {
    this.afterDma(() => {
      if (!this.#maps.has(k)) return fn();
      const list = this.#afterUnmap.get(k) ?? [];
      list.push(fn);
      this.#afterUnmap.set(k, list);
    });
  }
  #checkOpen() {
    if (this.#stopped) throw new ScifError("ENODEV", `node ${this.nodeId} is closed`);
  }
};

// emu/_heap.ts
var USER = 1 << 31;
var HEAD = 1 << 30;
var TAIL = 1 << 29;
var OWNER_SHIFT = 22;
var OWNER_MASK = 127;
var PAGES_MASK = (1 << OWNER_SHIFT) - 1;
var INDEX_MASK = TAIL - 1;
var SPINS_BEFORE_ASKING = 1 << 16;
var PageHeap = class {
  #l;
  #i32;
  #u8;
  #lock;
  #hint;
  #table;
  #refs;
  /** Says whether slot `slot` (a lock holder) is gone for good. */
  #gone;
  constructor(layout, buffer, gone) {
    this.#l = layout;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    this.#lock = layout.header + H_HEAP_LOCK >> 2;
    this.#hint = layout.header + H_HEAP_HINT >> 2;
    this.#table = layout.pageTable >> 2;
    this.#refs = layout.refTable >> 2;
    this.#gone = gone;
  }
  /** Allocates `bytes` (rounded up to pages), zeroed, for slot `owner`, with one reference;
   * `user`: memory of a program (see USER). Returns its address or 0. */
  alloc(bytes, owner, user = false) {
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
        const head = HEAD | (user ? USER : 0) | owner + 1 << OWNER_SHIFT | want;
        Atomics.store(this.#i32, this.#table + at, head);
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
  /** The run containing byte address `addr` (any value: a peer may have said it), or null when
   * the page is free or not in the heap. */
  runOf(addr) {
    if (!Number.isSafeInteger(addr)) return null;
    const page = Math.floor((addr - this.#l.heap) / PAGE);
    if (page < 0 || page >= this.#l.heapPages) return null;
    let e = Atomics.load(this.#i32, this.#table + page);
    let head = page;
    if (e & TAIL) {
      head = e & INDEX_MASK;
      if (head >= this.#l.heapPages) return null;
      e = Atomics.load(this.#i32, this.#table + head);
    }
    if (!(e & HEAD)) return null;
    const pages = e & PAGES_MASK;
    if (page >= head + pages) return null;
    return {
      head: this.#l.heap + head * PAGE,
      bytes: pages * PAGE,
      owner: (e >>> OWNER_SHIFT & OWNER_MASK) - 1,
      user: (e & USER) !== 0
    };
  }
  /** One more reference on the run whose head is at `head`. */
  retain(head) {
    Atomics.add(this.#i32, this.#refs + (head - this.#l.heap) / PAGE, 1);
  }
  /** One reference less on the run whose head is at `head`; the last one frees it (slot `by`
   * is the one that lets go: it holds the lock meanwhile). */
  release(head, by) {
    if (Atomics.sub(this.#i32, this.#refs + (head - this.#l.heap) / PAGE, 1) === 1) this.#free(head, by);
  }
  /** The run's reference count (for tests and accounting). */
  refs(head) {
    return Atomics.load(this.#i32, this.#refs + (head - this.#l.heap) / PAGE);
  }
  #free(addr, by) {
    const page = (addr - this.#l.heap) / PAGE;
    this.#acquire(by);
    try {
      const pages = Atomics.load(this.#i32, this.#table + page) & PAGES_MASK;
      for (let p = page; p < page + pages; p++) Atomics.store(this.#i32, this.#table + p, 0);
      if (page < Atomics.load(this.#i32, this.#hint)) Atomics.store(this.#i32, this.#hint, page);
    } finally {
      this.#release();
    }
  }
  /** Frees every run slot `owner` allocated, whatever its references (nobody references the
   * slot's ended incarnation any more). Returns the pages freed. */
  reclaim(owner, by) {
    let freed = 0;
    this.#acquire(by);
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
        p += e & HEAD ? Math.max(1, e & PAGES_MASK) : 1;
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
      if (spins >= SPINS_BEFORE_ASKING && (spins & 65535) === 0 && this.#gone(holder - 1)) {
        if (Atomics.compareExchange(this.#i32, this.#lock, holder, me) === holder) {
          this.#repair();
          return;
        }
      }
    }
  }
  /** After taking the lock from a dead holder: clears the entries its unfinished critical
   * section left (tails whose head is not a run that covers them). */
  #repair() {
    for (let p = 0; p < this.#l.heapPages; p++) {
      const e = Atomics.load(this.#i32, this.#table + p);
      if (!(e & TAIL)) continue;
      const head = e & INDEX_MASK;
      const h = head < this.#l.heapPages ? Atomics.load(this.#i32, this.#table + head) : 0;
      if (!(h & HEAD) || head >= p || head + (h & PAGES_MASK) <= p) {
        Atomics.store(this.#i32, this.#table + p, 0);
      }
    }
    Atomics.store(this.#i32, this.#hint, 0);
  }
  #release() {
    Atomics.store(this.#i32, this.#lock, 0);
  }
};

// emu/_shared.ts
function readHeader(i32, bytes) {
  const h = (f) => Atomics.load(i32, NET_BASE + f >> 2);
  if (h(H_MAGIC) !== NET_MAGIC || h(H_VERSION) !== NET_VERSION) return null;
  const nodes = h(H_NODES);
  const slots = h(H_SLOTS);
  const ring = h(H_RING_BYTES);
  const kind = h(H_KIND);
  if (!(nodes >= 1 && nodes <= MAX_NODES && slots >= 1 && slots <= MAX_SLOTS) || !(ring >= 4096 && ring <= 64 << 20 && (ring & ring - 1) === 0) || kind !== NET_THREADS && kind !== NET_MACHINE) return null;
  const layout = computeLayout(nodes, slots, bytes, ring);
  return layout ? {
    layout,
    kind
  } : null;
}
var EmuShared = class _EmuShared {
  memory;
  module;
  core;
  layout;
  /** NET_THREADS or NET_MACHINE. */
  kind;
  u8;
  i32;
  heap;
  bus;
  connectTimeoutMs;
  /** How long a fence wait waits (the kernel's SCIF_NODE_ALIVE_TIMEOUT) before ETIMEDOUT. */
  fenceTimeoutMs;
  spins;
  /** The network's identity: names its Web Locks. */
  id;
  privileged;
  constructor(memory, module, core, makeBus) {
    this.memory = memory;
    this.module = module;
    this.core = core;
    const buffer = memory.buffer;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    const header = readHeader(this.i32, buffer.byteLength);
    if (!header) throw new ScifError("EINVAL", "the memory does not hold a scif emulated network");
    this.layout = header.layout;
    this.kind = header.kind;
    const h = (f) => Atomics.load(this.i32, NET_BASE + f >> 2);
    this.connectTimeoutMs = h(H_CONNECT_TIMEOUT_MS);
    this.fenceTimeoutMs = h(H_FENCE_TIMEOUT_MS);
    this.id = [
      0,
      4,
      8,
      12
    ].map((o) => (h(H_NET_ID + o) >>> 0).toString(16).padStart(8, "0")).join("");
    this.spins = h(H_SPIN);
    this.privileged = h(H_PRIVILEGED) !== 0;
    this.bus = makeBus(this.i32, this.id);
    this.heap = new PageHeap(this.layout, buffer, (slot) => this.slotGone(slot));
  }
  /** The thread's view of the network in `memory` (made once per thread and memory); `makeBus`
   * makes this thread's bus for it the first time. */
  static async of(memory, module, makeBus) {
    let shared = views.get(memory.buffer);
    if (!shared) {
      const core = await instantiateCore(module, memory);
      shared = views.get(memory.buffer) ?? new _EmuShared(memory, module, core, makeBus);
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
  /** Adds to the i32 at `addr` and wakes this thread's sleepers on it (a cell only this thread
   * waits on: a slot's event cell). */
  ring(addr) {
    Atomics.add(this.i32, addr >> 2, 1);
    this.bus.notify(addr >> 2);
  }
  /** Wakes this thread's sleepers on the i32 at `addr` (after a store the caller made);
   * sleepers of other threads are woken by ringing their slot (ringSlot). */
  notify(addr) {
    this.bus.notify(addr >> 2);
  }
  /** Sleeps on the i32 at `addr` while it is `expected` (see Bus.sleep: until this thread
   * notifies it, or a ring of one of its slots wakes every sleeper of the thread). */
  sleep(addr, expected, timeoutMs = Infinity, keepProcess = true) {
    return this.bus.sleep(addr >> 2, expected, timeoutMs, keepProcess);
  }
  /** Rings slot `slot`'s doorbell: its dispatcher looks at its mail and the tables again. The
   * wake-up (a system call on a machine's network) is made only when the dispatcher sleeps:
   * it announces that in S_SLEEPING (1) before its last look at the doorbell, and we bump the
   * doorbell before we clear S_SLEEPING (both sequentially consistent), so one of us sees the
   * other; the dispatcher sleeps on S_SLEEPING itself. */
  ringSlot(slot) {
    const db = slotField(this.layout, slot, S_DOORBELL);
    Atomics.add(this.i32, db >> 2, 1);
    const sleeping = slotField(this.layout, slot, S_SLEEPING);
    if (Atomics.compareExchange(this.i32, sleeping >> 2, 1, 0) === 1) this.bus.ring(sleeping >> 2, slot);
  }
  /** Wakes the calls sleeping in the thread of slot `slot` (they look again at what they wait
   * for: the data or room of a ring, a transfer's completion). A waker of that same thread has
   * woken them already (notify), so only other threads ring: a ring that made the slot's own
   * sleepers ring back would be a loop (two writers that wait for room, in one thread). */
  wakeSlot(slot) {
    if (this.bus.holds(slot)) return;
    Atomics.add(this.i32, slotField(this.layout, slot, S_WAKES) >> 2, 1);
    this.ringSlot(slot);
  }
  /** Rings every slot's doorbell, so that each looks at the node and slot tables again. */
  ringAll() {
    for (let s = 0; s < this.layout.slots; s++) this.ringSlot(s);
  }
  /** Field `field` of slot `slot`. */
  slot(slot, field) {
    return this.load(slotField(this.layout, slot, field));
  }
  /** Whether slot `slot`'s incarnation has ended (or never was): it is not attached, or its
   * holder's process is gone. A value that names no slot is gone too. */
  slotGone(slot) {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.layout.slots) return true;
    const state2 = this.slot(slot, S_STATE);
    if (state2 !== SLOT_ACTIVE && state2 !== SLOT_ATTACHING) return true;
    return !this.bus.holderAlive(slot);
  }
  /** Slot `slot`'s incarnation now. */
  slotEpoch(slot) {
    return this.slot(slot, S_EPOCH);
  }
};
var views = /* @__PURE__ */ new WeakMap();

// emu/network.ts
async function threadsBus(memory, fd) {
  let remap = null;
  if (fd !== null && ffiPermitted()) {
    const { FileMemory } = await import("../emu/bus/_file_memory.ts");
    remap = FileMemory.adopt(memory, fd);
  }
  return (i32, id) => new ThreadsBus(i32, id, remap);
}
async function createThreadsNetwork(options) {
  const params2 = networkParams(options);
  const pages = params2.memoryBytes / 65536;
  let memory;
  let fd = null;
  if (ffiPermitted()) {
    const { FileMemory } = await import("../emu/bus/_file_memory.ts");
    const file = FileMemory.anonymous(params2.memoryBytes);
    memory = file.memory;
    fd = file.fd;
  } else {
    memory = new WebAssembly.Memory({
      initial: pages,
      maximum: pages,
      shared: true
    });
  }
  initNetwork(new Int32Array(memory.buffer), params2, NET_THREADS);
  const module = await coreModule();
  const shared = await EmuShared.of(memory, module, await threadsBus(memory, fd));
  const bus = fd === null ? null : {
    kind: "threads",
    fd
  };
  return {
    shared,
    nodes: params2.nodes,
    handle(nodeId) {
      if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId >= params2.nodes) {
        throw new ScifError("ENODEV", `node ${String(nodeId)} does not exist (the network has ${params2.nodes})`);
      }
      return {
        kind: "scif-emu-network",
        memory,
        module,
        nodeId,
        bus
      };
    }
  };
}

// network.ts
async function createNetwork(options) {
  requireNetworkRuntime("createNetwork");
  const net = await createThreadsNetwork(options);
  const mine = [];
  const close = async () => {
    await Promise.all(mine.splice(0).map((n) => n.close()));
  };
  return {
    nodes: net.nodes,
    async node(nodeId) {
      const node = new ScifNode(await EmuNode.attach(net.shared, nodeIdOf(nodeId, "nodeId")));
      mine.push(node);
      return node;
    },
    handle(nodeId) {
      return net.handle(nodeIdOf(nodeId, "nodeId"));
    },
    memoryInUse() {
      return net.shared.heap.usedPages() * 4096;
    },
    close,
    [Symbol.asyncDispose]: close
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
  end() {
    this.worker.terminate();
  }
};
var ProcessHand = class {
  #child;
  #writer;
  #ready = null;
  #result = null;
  #readyData = {};
  constructor(dir, node) {
    const child = new Deno.Command(Deno.execPath(), {
      // No config: the process imports only the library, and a config's lock would install its
      // npm packages first.
      args: [
        "run",
        "-A",
        "--no-config",
        new URL("./_lab_process.ts", import.meta.url).pathname
      ],
      env: {
        SCIF_EMU_DIR: dir,
        SCIF_NODE: String(node)
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit"
    }).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    (async () => {
      let rest = "";
      for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
        rest += text;
        let nl;
        while ((nl = rest.indexOf("\n")) >= 0) {
          const m = JSON.parse(rest.slice(0, nl));
          rest = rest.slice(nl + 1);
          if (m.ready) {
            this.#readyData = m;
            this.#ready?.();
          } else this.#result?.(m.result);
        }
      }
    })();
  }
  send(c) {
    const ready = new Promise((r) => this.#ready = () => r(this.#readyData));
    const result = new Promise((r) => this.#result = r);
    this.#writer.write(new TextEncoder().encode(`${JSON.stringify(c)}
`));
    return {
      result,
      ready
    };
  }
  end() {
    this.#writer.close().catch(() => {
    });
  }
  /** Resolves once the process has exited. */
  get status() {
    return this.#child.status;
  }
};
var Lab = class _Lab {
  /** The network of threads (null between processes). */
  net;
  #a;
  #b;
  #crowd = [];
  #dir;
  constructor(net, a, b2, dir = null) {
    this.net = net;
    this.#a = a;
    this.#b = b2;
    this.#dir = dir;
  }
  /**
   * Starts a lab between two processes on a machine's network of their own (nodes 0 and 1),
   * with windows of `bytes`, connected also over TCP loopback and a Unix socket. Their raw
   * line is a page of a file both map.
   */
  static async openProcesses(options) {
    const dir = await Deno.makeTempDir({
      prefix: "scif-lab-"
    });
    const [a, b2] = [
      new ProcessHand(dir, 0),
      new ProcessHand(dir, 1)
    ];
    const lab = new _Lab(null, a, b2, dir);
    const line = {
      path: `${dir}/line`
    };
    const bInit = b2.send({
      cmd: "init",
      role: "b",
      node: 1,
      peer: 0,
      bytes: options.bytes,
      line
    });
    await bInit.ready;
    await Promise.all([
      a.send({
        cmd: "init",
        role: "a",
        node: 0,
        peer: 1,
        bytes: options.bytes,
        line
      }).result,
      bInit.result
    ]);
    const bTcp = b2.send({
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
    const bUnix = b2.send({
      cmd: "unix",
      path: `${dir}/unix.sock`
    });
    await bUnix.ready;
    await Promise.all([
      a.send({
        cmd: "unix",
        path: `${dir}/unix.sock`
      }).result,
      bUnix.result
    ]);
    return lab;
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
    const [a, b2] = [
      new Hand(script),
      new Hand(script)
    ];
    const line = new SharedArrayBuffer(256);
    const { port1, port2 } = new MessageChannel();
    const lab = new _Lab(net, a, b2);
    const bInit = b2.send({
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
      const bTcp = b2.send({
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
    const served = method === "stream" || method === "tcp" || method === "unix" ? this.#b.send({
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
    if (method === "postMessage" && this.#dir) return NaN;
    const b2 = this.#b.send({
      cmd: "latency",
      method,
      iters
    });
    if (method === "raw" || method === "mmap") await b2.ready;
    const us = await this.#a.send({
      cmd: "latency",
      method,
      iters
    }).result;
    await b2.result;
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
    const net = this.net;
    for (let k = 2; k < net.nodes; k++) this.#crowd.push(await net.node(k));
    const afterNodes = net.memoryInUse();
    const pending = [];
    for (let i = 0; i < connections; i++) {
      const ep = this.#crowd[i % this.#crowd.length].open();
      pending.push(ep.connect({
        node: i % 2,
        port: 3e3
      }));
    }
    await Promise.all(pending);
    return (net.memoryInUse() - afterNodes) / connections;
  }
  /** Ends the sides and the network. */
  async close() {
    await Promise.all([
      this.#a.send({
        cmd: "close"
      }).result,
      this.#b.send({
        cmd: "close"
      }).result
    ]);
    this.#a.end();
    this.#b.end();
    await Promise.all(this.#crowd.map((n) => n.close()));
    await this.net?.close();
    if (this.#dir) {
      await Promise.all([
        this.#a.status,
        this.#b.status
      ]);
      await Deno.remove(this.#dir, {
        recursive: true
      }).catch(() => {
      });
    }
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
var PROCESS_LATENCY_PATHS = [
  {
    method: "raw",
    name: "raw ping-pong through a page both map",
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
    method: "unix",
    name: "Unix socket",
    slow: true
  }
];
var PROCESS_LINES = [
  {
    method: "writeTo",
    name: "SCIF RMA writeTo, two processes",
    mark: "w",
    color: "#54aeff",
    dashed: true
  },
  {
    method: "stream",
    name: "SCIF stream, two processes",
    mark: "s",
    color: "#4ac26b",
    dashed: true
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
function sweepSizes(quick2, brief2 = false) {
  if (brief2) return [
    1024,
    65536,
    4 << 20
  ];
  const sizes = [];
  for (let s = 1024; s <= (quick2 ? 64 << 20 : 128 << 20); s *= quick2 ? 4 : 2) sizes.push(s);
  return sizes;
}
async function measureLatency(lab, options) {
  const { quick: quick2, progress: progress2 } = options;
  const paths = (options.paths ?? LATENCY_PATHS).filter((p) => options.methods.includes(p.method));
  const iters = (slow) => options.brief ? slow ? 200 : 1e4 : slow ? quick2 ? 2e3 : 1e4 : quick2 ? 1e5 : 4e5;
  const rounds = options.brief ? 1 : quick2 ? 3 : 7;
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
  for (let r = 0; r < (options.brief ? 1 : options.quick ? 3 : 7); r++) {
    runs.push(await lab.latency("sendrecv", options.brief ? 1e4 : options.quick ? 1e5 : 4e5));
  }
  return {
    roundTripUs: median(runs),
    bytesPerIdleConnection
  };
}
async function measureBandwidth(lab, options) {
  const { sizes, minMs, progress: progress2 } = options;
  const lines = (options.lines ?? BANDWIDTH_LINES).filter((l) => options.methods.includes(l.method));
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
  const ratio = (a, b2) => (a ?? NaN) / (b2 ?? NaN);
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
  const threads = BANDWIDTH_LINES.filter((l) => f.bandwidthGBps[l.method]).map((l) => ({
    ...l,
    values: f.bandwidthGBps[l.method]
  }));
  const p = f.processes?.bandwidthGBps;
  const procs = p ? PROCESS_LINES.filter((l) => p[l.method]).map((l) => ({
    ...l,
    values: p[l.method]
  })) : [];
  return [
    ...threads,
    ...procs
  ];
}
function chartOf(f, between) {
  const us = f.roundTripUs;
  const paths = LATENCY_PATHS.filter((p) => us[p.method] !== void 0);
  const fmt = (v) => v < 10 ? v.toFixed(3) : v.toFixed(1);
  const notes = [
    `8-byte round trip: ${paths.map((p) => `${p.method} ${fmt(us[p.method])} us`).join(", ")}.`
  ];
  const pu = f.processes?.roundTripUs;
  if (pu) {
    notes.push(`Between two processes (one memory file both map): ${PROCESS_LATENCY_PATHS.filter((p) => pu[p.method] !== void 0).map((p) => `${p.method} ${fmt(pu[p.method])} us`).join(", ")}.`);
  }
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
var brief = params.has("brief");
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
  const sizes = sweepSizes(quick, brief);
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
    brief,
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
    brief,
    progress
  });
  await latencyLab.close();
  const minMs = brief ? 15 : quick ? 60 : 120;
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
