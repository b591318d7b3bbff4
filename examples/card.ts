/// <reference lib="deno.worker" />
/**
 * The card of examples/ping_pong.ts: attaches the node whose handle it is sent, listens on port
 * 2000, answers the greeting with "hello, host!" and echoes 8-byte pings until the host closes.
 *
 * @module
 */
import { attachNode, type NetworkHandle } from "../mod.ts";

self.onmessage = async (e: MessageEvent<NetworkHandle>) => {
  const node = await attachNode(e.data);
  const listener = node.open();
  listener.bind(2000);
  listener.listen(1);
  self.postMessage("listening");
  const { endpoint } = await listener.accept();
  const greeting = new Uint8Array(10);
  await endpoint.recv(greeting);
  await endpoint.send(new TextEncoder().encode("hello, host! "));
  const ping = new Uint8Array(8);
  try {
    for (;;) {
      await endpoint.recv(ping);
      await endpoint.send(ping);
    }
  } catch {
    // ECONNRESET: the host closed.
  }
};
