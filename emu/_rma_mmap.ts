// Remote mmap of one emulated endpoint (the kernel's scif_mmap.c): our mappings of the peer's
// windows, for emu/_rma.ts, which keeps the windows themselves.
//
// Invariant: a mapping stays valid until munmap, even after the owner unregisters, closes or
// ends: each window it covers counts it (RemoteWindow.maps), and the slot does not let go of a
// peer's incarnation while it maps its windows (RmaHost.mapped, emu/_slots.ts). The owner of a
// window unregistered while mapped waits for our last unmap of it: SCIF_MUNMAP.

import { ScifError } from "../errors.ts";
import type { WindowList } from "../_window.ts";
import type { Off } from "../_offset.ts";
import { SCIF_MUNMAP } from "./_messages.ts";
import type { RemoteWindow, RmaLink } from "./_rma_types.ts";

/** One endpoint's mappings of its peer's windows. */
export class RemoteMaps {
  readonly #link: RmaLink;
  readonly #remote: WindowList<RemoteWindow>;
  readonly #peerFar: () => boolean;
  readonly #peerGone: () => boolean;
  readonly #maps = new Map<Uint8Array, { windows: RemoteWindow[]; remapped: boolean }>();

  /** Over `remote`, our copy of the peer's windows; `peerFar`: whether the peer stands in for a
   * node of another machine; `peerGone`: whether its incarnation ended. */
  constructor(
    link: RmaLink,
    remote: WindowList<RemoteWindow>,
    peerFar: () => boolean,
    peerGone: () => boolean,
  ) {
    this.#link = link;
    this.#remote = remote;
    this.#peerFar = peerFar;
    this.#peerGone = peerGone;
  }

  /** How many mappings are held. */
  get size(): number {
    return this.#maps.size;
  }

  mmap(offset: Off, length: number, prot: number): Uint8Array {
    const node = this.#link.node;
    if (this.#peerFar()) {
      throw new ScifError(
        "EOPNOTSUPP",
        "the peer is a node of another machine: its windows are not in memory this machine shares " +
          "(readFrom/writeTo reach them)",
      );
    }
    node.pumpFrom(this.#link.peerSlot);
    const pages = Math.ceil(length / 4096) * 4096;
    const pieces = this.#remote.cover(offset, pages, prot);
    let contiguous = true;
    for (let i = 1; i < pieces.length; i++) {
      if (pieces[i].addr !== pieces[i - 1].addr + pieces[i - 1].length) contiguous = false;
    }
    let view: Uint8Array | null;
    if (contiguous) view = new Uint8Array(node.net.memory.buffer, pieces[0].addr, length);
    else {
      // The kernel maps the range page by page; here the pages are mapped back to back, which
      // needs FFI (the bus says when it cannot).
      view = node.net.bus.mapSpans(pieces, length);
      if (!view) {
        throw new ScifError(
          "EINVAL",
          "the range spans windows whose memory is not contiguous, which needs FFI to map as one range " +
            "(run deno with --allow-ffi), or map each window on its own",
        );
      }
    }
    const windows = pieces.map((p) => p.window);
    for (const w of windows) w.maps++;
    this.#maps.set(view, { windows, remapped: !contiguous });
    node.mapped(this.#link.peerSlot, 1);
    return view;
  }

  munmap(view: Uint8Array): void {
    const m = this.#maps.get(view);
    if (!m) throw new ScifError("EINVAL", "not a view this endpoint's mmap returned (or already unmapped)");
    const node = this.#link.node;
    this.#maps.delete(view);
    if (m.remapped) node.net.bus.unmapView(view);
    for (const w of m.windows) {
      if (--w.maps > 0 || !w.unregistered || this.#peerGone()) continue;
      // The owner unregistered it meanwhile and waits for our last unmap: SCIF_MUNMAP.
      const peer = this.#link.peer();
      if (peer) {
        node.tryPost(peer.slot, {
          op: SCIF_MUNMAP,
          src: this.#link.localId,
          dst: peer.id,
          token: peer.token,
          id: w.id,
        });
      }
    }
    node.mapped(this.#link.peerSlot, -1);
  }
}
