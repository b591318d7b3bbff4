// Length-prefixed text messages over a SCIF byte stream (a stream has no message boundaries:
// the application frames its own).
import type { Endpoint } from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Sends `text` as a u16 length and the UTF-8 bytes. */
export async function sendMessage(ep: Endpoint, text: string): Promise<void> {
  const body = enc.encode(text);
  const frame = new Uint8Array(2 + body.length);
  new DataView(frame.buffer).setUint16(0, body.length);
  frame.set(body, 2);
  await ep.send(frame);
}

/** Receives one message sent by sendMessage. */
export async function recvMessage(ep: Endpoint): Promise<string> {
  const head = new Uint8Array(2);
  await ep.recv(head);
  const body = new Uint8Array(new DataView(head.buffer).getUint16(0));
  await ep.recv(body);
  return dec.decode(body);
}
