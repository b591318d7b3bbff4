// Op codes of node-queue-pair control messages, numbered as the kernel's scif_nodeqp.h.
// The emulator uses the connection and node-lifecycle ones; RMA bookkeeping comes with RMA.
// Payload words per op (p0..p3) are documented where each is sent (emu/_node.ts).

export const SCIF_INIT = 1;
export const SCIF_EXIT = 2;
export const SCIF_EXIT_ACK = 3;
export const SCIF_NODE_ADD = 4;
export const SCIF_NODE_ADD_ACK = 5;
export const SCIF_NODE_ADD_NACK = 6;
export const SCIF_NODE_REMOVE = 7;
export const SCIF_NODE_REMOVE_ACK = 8;
export const SCIF_CNCT_REQ = 9;
export const SCIF_CNCT_GNT = 10;
export const SCIF_CNCT_GNTACK = 11;
export const SCIF_CNCT_GNTNACK = 12;
export const SCIF_CNCT_REJ = 13;
export const SCIF_DISCNCT = 14;
export const SCIF_DISCNT_ACK = 15;
