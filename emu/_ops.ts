// Op codes of node-queue-pair control messages, numbered as the kernel's scif_nodeqp.h. The
// emulator sends the connection ones and the window bookkeeping ones; node add and removal
// are the node table and its doorbells, fences are the DMA engines' counters, and wake-ups
// are Atomics.notify. Payload words per op (p0..p3) are documented where each is sent.

export const SCIF_CNCT_REQ = 9;
export const SCIF_CNCT_GNT = 10;
export const SCIF_CNCT_GNTACK = 11;
export const SCIF_CNCT_GNTNACK = 12;
export const SCIF_CNCT_REJ = 13;
export const SCIF_DISCNCT = 14;
export const SCIF_DISCNT_ACK = 15;
export const SCIF_REGISTER = 19;
export const SCIF_UNREGISTER = 22;
export const SCIF_UNREGISTER_ACK = 23;
export const SCIF_UNREGISTER_NACK = 24;
export const SCIF_MUNMAP = 29;

// The emulator's own: RMA with a node of another process, which no shared memory reaches.
// The kernel moves such bytes by DMA across PCIe; the emulator's bridge (emu/_bridge.ts)
// carries them over its socket and performs them at the far end, where the window is.
export const SCIF_RMA_XFER = 64;
export const SCIF_RMA_XFER_DONE = 65;
