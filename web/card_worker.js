// web/card_worker.ts
import { attachNode } from "./scif.js";

// constants.ts
var SCIF_RMA_SYNC = 4;

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
async function serveConnection(node, ep) {
  for (; ; ) await serveRequest(node, ep);
}
async function serveRequest(node, ep) {
  const op = new Uint8Array(1);
  await ep.recv(op);
  if (op[0] === OP_HELLO) {
    const text = await recvMessage(ep);
    await sendMessage(ep, `card ${node.nodeId} got "${text}" from node ${ep.peerId.node}`);
  } else if (op[0] === OP_PING) {
    const head = new Uint8Array(4);
    await ep.recv(head);
    const count = new DataView(head.buffer).getUint32(0, true);
    const buf = new Uint8Array(8);
    for (let i = 0; i < count; i++) {
      await ep.recv(buf);
      await ep.send(buf);
    }
  } else if (op[0] === OP_RMA) {
    const args = new Uint8Array(12);
    await ep.recv(args);
    const view = new DataView(args.buffer);
    const remote = view.getFloat64(0, true);
    const length = view.getUint32(8, true);
    const mem = node.allocate(length);
    try {
      await ep.vreadFrom(mem, remote, SCIF_RMA_SYNC);
      let wrong = 0;
      for (let i = 0; i < length; i++) {
        if (mem[i] !== pattern(i)) wrong = 1;
        mem[i] = mem[i] + 1;
      }
      await ep.vwriteTo(mem, remote, SCIF_RMA_SYNC);
      await ep.send(new Uint8Array([
        wrong
      ]));
    } finally {
      node.free(mem);
    }
  }
}

// web/card_worker.ts
self.onmessage = async (e) => {
  try {
    const node = await attachNode(e.data.handle);
    const listener = node.open();
    listener.bind(2e3);
    listener.listen(16);
    self.postMessage({
      ready: true,
      nodeId: node.nodeId
    });
    for (; ; ) {
      const { endpoint } = await listener.accept();
      serveConnection(node, endpoint).catch(() => endpoint.close());
    }
  } catch (err) {
    self.postMessage({
      error: String(err)
    });
  }
};
