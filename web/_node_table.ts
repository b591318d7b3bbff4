/// <reference lib="dom" />
// The page's live node table (web/demo.ts): every node with its state, refreshed from the host's
// node events, and per card a button that takes it down (as a card that is reset: its Worker's
// node loses everything, its connections with the host are reset) or brings it up again (a new
// Worker attaches it: the card boots again, a new incarnation).
import type { Network, ScifNode } from "../mod.ts";

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
    for (const h of ["node", "role", "runs in", "state", ""]) {
      head.append(Object.assign(document.createElement("th"), { textContent: h }));
    }
    const body = table.createTBody();
    for (let id = 0; id < net.nodes; id++) {
      const state = net.nodeState(id);
      const row = body.insertRow();
      const where = id === 0 ? "this page (main thread)" : cards.has(id) ? "a Web Worker" : "—";
      for (const text of [String(id), id === 0 ? "host" : "card", where, state]) {
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
}
