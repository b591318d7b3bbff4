/// <reference lib="deno.worker" />
// A card of the web page: a SCIF node in a Web Worker. Built to web/dist/card_worker.js, it
// imports the library's browser build (./scif.js, which the build puts in place of mod.ts) as
// any page of a user would. It serves the host's requests (web/_protocol.ts) on port 2000 until
// it is terminated.
//
// Messages: { handle } from the page -> { ready: true, nodeId } | { error }.
import { attachNode, type NetworkHandle } from "../mod.ts";
import { serveConnection } from "./_protocol.ts";

self.onmessage = async (e: MessageEvent<{ handle: NetworkHandle }>) => {
  try {
    const node = await attachNode(e.data.handle);
    const listener = node.open();
    listener.bind(2000);
    listener.listen(16);
    self.postMessage({ ready: true, nodeId: node.nodeId });
    for (;;) {
      const { endpoint } = await listener.accept();
      serveConnection(node, endpoint).catch(() => endpoint.close());
    }
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
