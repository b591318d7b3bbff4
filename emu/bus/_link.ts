// A TCP socket between the linking processes of two machines' emulated networks, carrying
// frames: a 12-byte header (u32 type, u32 id, u32 payload length, little-endian) and the
// payload. The first frame of a socket says what it is for: F_HELLO (presence: the socket lives
// as long as the link, and its end is the loss of the other machine's nodes) or F_CONNECT (one
// SCIF connection, see tcp_bridge.ts). Setup payloads are JSON.

/** A presence socket: payload { nodes } (the node ids the sender's machine has); answered with F_HELLO. */
export const F_HELLO = 1;
/** A connection: payload { from, to, srcPort, dstPort }; answered F_ACCEPTED or F_REFUSED (id: errno). */
export const F_CONNECT = 2;
export const F_ACCEPTED = 3;
export const F_REFUSED = 4;
/** Stream bytes. */
export const F_DATA = 10;
/** The sender's endpoint is closed: no more bytes. */
export const F_EOF = 11;
/** An RMA to perform at the receiver's end (id: request): s64 offset, u32 kind, u32 flags, then
 * the bytes (write), a u32 length (read) or a u64 value (signal). */
export const F_RMA = 12;
/** Its answer: u32 errno (0: done), then the bytes read. */
export const F_RMA_DONE = 13;

export const HEADER = 12;

/** The largest payload a frame may announce (a MiB of RMA and its words): a peer that
 * announces more breaks the protocol and is cut off before anything is buffered. */
export const MAX_PAYLOAD = (1 << 20) + 64;

/** The frame types there are (the authentication's are in _auth.ts). */
const TYPES = new Set([1, 2, 3, 4, 10, 11, 12, 13, 20, 21, 22]);

/** One frame; its payload is valid until the next call of Link.next(). */
export interface Frame {
  type: number;
  id: number;
  payload: Uint8Array;
}

/** A connected socket with frames both ways. Writes are queued, so callers may interleave. */
export class Link {
  readonly conn: Deno.Conn;
  #buf = new Uint8Array(1 << 20);
  #start = 0;
  #end = 0;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Fills `buf`'s header for a frame of `type`, `id` whose payload is buf[HEADER..]. */
  static header(buf: Uint8Array, type: number, id: number): Uint8Array {
    const v = new DataView(buf.buffer, buf.byteOffset, HEADER);
    v.setUint32(0, type, true);
    v.setUint32(4, id, true);
    v.setUint32(8, buf.length - HEADER, true);
    return buf;
  }

  /** Sends a frame whose header space is `buf[0..HEADER)` (see header()). */
  sendFrame(buf: Uint8Array): Promise<void> {
    const write = this.#writing.then(async () => {
      for (let off = 0; off < buf.length;) off += await this.conn.write(buf.subarray(off));
    });
    this.#writing = write.catch(() => {});
    return write;
  }

  /** Sends a frame of `type`, `id` with `payload` (bytes, or JSON for a setup frame). */
  send(type: number, id = 0, payload: Uint8Array | object = new Uint8Array(0)): Promise<void> {
    const body = payload instanceof Uint8Array ? payload : new TextEncoder().encode(JSON.stringify(payload));
    const buf = new Uint8Array(HEADER + body.length);
    buf.set(body, HEADER);
    return this.sendFrame(Link.header(buf, type, id));
  }

  /** The next frame, or null once the socket ends (closed by either side, or broken) or the
   * peer broke the protocol (a frame of no known type, or longer than MAX_PAYLOAD: the link is
   * then closed). */
  async next(): Promise<Frame | null> {
    if (!(await this.#fill(HEADER))) return null;
    const v = new DataView(this.#buf.buffer, this.#start, HEADER);
    const type = v.getUint32(0, true);
    const id = v.getUint32(4, true);
    const length = v.getUint32(8, true);
    if (!TYPES.has(type) || length > MAX_PAYLOAD) {
      this.close();
      return null;
    }
    if (!(await this.#fill(HEADER + length))) return null;
    const payload = this.#buf.subarray(this.#start + HEADER, this.#start + HEADER + length);
    this.#start += HEADER + length;
    return { type, id, payload };
  }

  /** Reads until `n` bytes are buffered; false at the end of the socket. */
  async #fill(n: number): Promise<boolean> {
    if (this.#end - this.#start >= n) return true;
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#buf.length < n) {
      const bigger = new Uint8Array(Math.max(n, 2 * this.#buf.length));
      bigger.set(this.#buf.subarray(0, this.#end));
      this.#buf = bigger;
    }
    while (this.#end < n) {
      let got: number | null;
      try {
        got = await this.conn.read(this.#buf.subarray(this.#end));
      } catch {
        got = null;
      }
      if (got === null) {
        this.close();
        return false;
      }
      this.#end += got;
    }
    return true;
  }

  /** The setup payload of a frame, as JSON (a SyntaxError for what is not: the caller cuts
   * the link). */
  static json<T>(f: Frame): T {
    return JSON.parse(new TextDecoder().decode(f.payload)) as T;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // closed already
    }
  }
}
