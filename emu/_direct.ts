// Pipes of this thread's bridge (emu/_bridge.ts) that an endpoint of this thread may send
// through directly, rather than through its peer's ring and the pipe's pump: the pipe of the
// stand-in endpoint that is its peer. One table per thread (module state is per thread), so
// only an endpoint whose peer's pipe runs in its own thread finds one.

/** What an endpoint needs of its peer's pipe. */
export interface DirectPipe {
  /** True while the pump holds no bytes of the ring: nothing taken from it is still unsent. */
  readonly idle: boolean;
  /** Sends `data` as stream bytes: blocking resolves once written to the socket; non-blocking
   * takes it all, or nothing when much is still queued. */
  sendDirect(data: Uint8Array, block: boolean): Promise<number>;
}

const pipes = new Map<string, DirectPipe>();
const key = (node: number, token: number) => `${node}:${token}`;

/** The pipe of endpoint `token` of node `node` (a stand-in), if it runs in this thread. */
export function findPipe(node: number, token: number): DirectPipe | undefined {
  return pipes.get(key(node, token));
}

export function registerPipe(node: number, token: number, pipe: DirectPipe): void {
  pipes.set(key(node, token), pipe);
}

export function unregisterPipe(node: number, token: number): void {
  pipes.delete(key(node, token));
}
