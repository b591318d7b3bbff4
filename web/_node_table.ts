/// <reference lib="dom" />
// The page's live node table (web/demo.ts): every node with its state, refreshed from the host's
// node events, and per card a button that takes it down (as a card that is reset: its Worker's
// node loses everything, its connections with the host are reset) or brings it up again (a new
// Worker attaches it: the card boots again, a new incarnation), with each node's live counters
// (the slot lines of ScifNode.stats(): what every thread attached to the node moved).
import type { Network, ScifNode, SlotStats } from "../mod.ts";

/** Bytes as the table shows them. */
function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  for (; n >= 1024 && i < units.length - 1; i++) n /= 1024;
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** The counters of node `id`: the sums of its slots' lines. */
function countersOf(slots: SlotStats[], id: number): string[] {
  const mine = slots.filter((s) => s.node === id);
  if (mine.length === 0) return ["—", "—", "—", "—"];
  const sum = (f: (s: SlotStats) => number) => mine.reduce((a, s) => a + f(s), 0);
  return [
    String(sum((s) => s.endpoints)),
    bytes(sum((s) => s.bytesSent)),
    bytes(sum((s) => s.bytesReceived)),
    bytes(sum((s) => s.rmaBytes)),
  ];
}

/** Shows the node table of `net` in `el` from now on. `cards` holds each card's Worker;
 * `startCard(id)` starts a Worker that attaches card `id`. */
export function liveNodeTable(
  el: HTMLElement,
  net: Network,
  host: ScifNode,
  cards: Map<number, Worker>,
  startCard: (id: number) => Promise<Worker>,
): void {
  let busy = false;
  const render = () => {
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    const slots = host.stats().slots;
    for (const h of ["node", "role", "runs in", "state", "endpoints", "sent", "received", "RMA", ""]) {
      head.append(Object.assign(document.createElement("th"), { textContent: h }));
    }
    const body = table.createTBody();
    for (let id = 0; id < net.nodes; id++) {
      const state = net.nodeState(id);
      const row = body.insertRow();
      const where = id === 0 ? "this page (main thread)" : cards.has(id) ? "a Web Worker" : "—";
      const counters = countersOf(slots, id);
      for (const text of [String(id), id === 0 ? "host" : "card", where, state, ...counters]) {
        row.insertCell().textContent = text;
      }
      const cell = row.insertCell();
      if (id === 0) continue; // the host is not reset
      const button = document.createElement("button");
      button.textContent = state === "down" ? "bring up" : "take down";
      button.disabled = busy;
      button.onclick = () => toggle(id, state === "down");
      cell.append(button);
    }
    el.replaceChildren(table);
  };
  const toggle = async (id: number, up: boolean) => {
    busy = true;
    render();
    try {
      if (up) {
        await net.nodeUp(id);
        cards.set(id, await startCard(id));
      } else {
        await net.nodeDown(id);
        cards.get(id)?.terminate(); // its node was taken down: the Worker has nothing left
        cards.delete(id);
      }
    } catch (e) {
      console.error(e);
    } finally {
      busy = false;
      render();
    }
  };
  host.addEventListener("nodeadd", render);
  host.addEventListener("noderemove", render);
  render();
  // The counters change without an event: the table is drawn again every second, while the
  // host node is open (its stats() fails once it is closed, which ends the refresh).
  const timer = setInterval(() => {
    try {
      if (!busy) render();
    } catch {
      clearInterval(timer);
    }
  }, 1000);
}
