// The connection and messaging calls (listen, connect, send, recv, recvSome) behind Endpoint's
// methods: each checks the caller's arguments (what C cannot pass, and the kernel's checks that
// come before the endpoint's state) and hands them to the backend endpoint, which answers for
// the state (EISCONN, ENOTCONN, ECONNREFUSED...). The class (endpoint.ts) is the face and says
// what each call does; _endpoint_rma.ts holds the registered address space's calls.
//
// Invariant of recv and recvSome: bytes a cancelled readable put back (UnreadBytes) come before
// the ring's, and a count once taken from them is never lost, whatever the ring then says.

import type { EndpointBackend } from "./_backend.ts";
import type { SignalOptions, TransferOptions } from "./_endpoint_options.ts";
import { ScifError } from "./errors.ts";
import type { PortId } from "./types.ts";
import { optionSignal, raceAbort } from "./_abort.ts";
import type { UnreadBytes } from "./_streams.ts";
import { blockOf, bytesOf, nodeIdOf, portOf } from "./_validate.ts";

/** scif_listen's backlog: an int, as in C; the kernel takes any (a negative one admits no request). */
export function listenOn(be: EndpointBackend, backlog: number): void {
  if (
    typeof backlog !== "number" || !Number.isInteger(backlog) || backlog < -(2 ** 31) || backlog >= 2 ** 31
  ) {
    throw new ScifError("EINVAL", `backlog must be an integer (a C int), got ${String(backlog)}`);
  }
  be.listen(backlog);
}

/** scif_connect's checks, then the request; an abort ends the wait, not the request. */
export function connectTo(
  be: EndpointBackend,
  dst: PortId,
  options: SignalOptions | undefined,
): Promise<PortId> {
  if (typeof dst !== "object" || dst === null) throw new ScifError("EINVAL", "dst must be a port id");
  // A node id that is no integer is a bad argument; an integer that names no node is the
  // backend's ENODEV (the kernel's answer to any u16 above its nodes).
  const node = nodeIdOf(dst.node, "dst.node");
  const port = portOf(dst.port, "dst.port");
  const signal = optionSignal(options, "connect");
  const connecting = be.connect({ node, port }, signal).then((id) => ({ ...id }));
  if (signal) connecting.catch(() => {}); // a failure after an abort has nobody to tell
  return raceAbort(connecting, signal, "connect");
}

/** scif_send's checks, then the send. */
export function sendOn(
  be: EndpointBackend,
  data: Uint8Array,
  options: TransferOptions | undefined,
): Promise<number> {
  return be.send(bytesOf(data, "data"), blockOf(options), optionSignal(options, "send"));
}

/** scif_recv's checks, then the bytes put back first and the ring's after them. */
export function recvOn(
  be: EndpointBackend,
  unread: UnreadBytes,
  into: Uint8Array,
  options: TransferOptions | undefined,
): Promise<number> {
  const buf = bytesOf(into, "into");
  const block = blockOf(options);
  const signal = optionSignal(options, "recv");
  const k = unread.take(buf);
  if (k === 0) return be.recv(buf, block, signal);
  if (k === buf.length || !block) return Promise.resolve(k);
  // The rest from the ring; what came before counts whatever happens then (the kernel's rule).
  return be.recv(buf.subarray(k), block, signal).then((n) => k + n, () => k);
}

/** recvSome: the bytes put back, if any, else at least one from the ring. */
export function recvSomeOn(
  be: EndpointBackend,
  unread: UnreadBytes,
  into: Uint8Array,
  options: SignalOptions | undefined,
): Promise<number> {
  const buf = bytesOf(into, "into");
  const signal = optionSignal(options, "recv");
  const k = unread.take(buf);
  if (k > 0) return Promise.resolve(k);
  return be.recvSome(buf, signal);
}
