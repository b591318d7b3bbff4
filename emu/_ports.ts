// The port table of one emulated node (the kernel's scif_ports.c): reference-counted ports,
// because an accepted endpoint shares its listener's port, and a port stays taken until the
// last endpoint that uses it is closed.

import { SCIF_PORT_MAX, SCIF_PORT_RSVD } from "../constants.ts";
import { ScifError } from "../errors.ts";

/** Ports in use on one node, with their reference counts. */
export class PortTable {
  readonly #refs = new Map<number, number>();

  /** Takes exactly `port` (EINVAL when it is in use: the kernel reports no EADDRINUSE). */
  reserve(port: number): number {
    if (this.#refs.has(port)) throw new ScifError("EINVAL", `port ${port} is in use`);
    this.#refs.set(port, 1);
    return port;
  }

  /** Takes the lowest free port above SCIF_PORT_RSVD (the kernel's scif_get_new_port). */
  allocate(): number {
    for (let p = SCIF_PORT_RSVD + 1; p <= SCIF_PORT_MAX; p++) {
      if (!this.#refs.has(p)) {
        this.#refs.set(p, 1);
        return p;
      }
    }
    throw new ScifError("ENOSPC", "no free port");
  }

  /** One more endpoint uses `port`. */
  hold(port: number): void {
    this.#refs.set(port, (this.#refs.get(port) ?? 0) + 1);
  }

  /** One endpoint less uses `port`; the last one frees it. */
  release(port: number): void {
    const refs = (this.#refs.get(port) ?? 1) - 1;
    if (refs <= 0) this.#refs.delete(port);
    else this.#refs.set(port, refs);
  }
}
