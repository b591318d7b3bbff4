// The one way this library sleeps for a while: a timer, which holds a Deno, Node.js or Bun
// process open while it runs (sleeps that must not are emu/_wait.ts's).

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
