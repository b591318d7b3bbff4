// The WebAssembly core of scif: the scif_rb ring, the framed endpoint byte stream over it, and
// the node-queue-pair message codec,
// and the memory copy of RMA. Stateless: every function works on descriptors and
// messages in the imported shared memory, so one module instance per thread serves every node
// and endpoint of that thread.
export * from "./rb";
export * from "./stream";
export * from "./nodeqp_msg";
export * from "./copy";
