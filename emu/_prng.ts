// The seeded randomness of fault injection (emu/_faults.ts): mulberry32, a 32-bit generator
// small enough to be written out in full, and a counter-based draw built on its output mix.
//
// Fault decisions must be the same on every run with the same seed, whatever the timing and
// whichever thread decides: a draw is a pure function of (seed, stream, index), so a thread
// that decides about its node's n-th transfer needs no shared generator state, and two runs
// that issue the same calls in the same order make the same decisions.

/** A mulberry32 generator: `next()` returns the next u32 of the sequence `seed` starts. */
export class Mulberry32 {
  #state: number;

  constructor(seed: number) {
    this.#state = seed | 0;
  }

  /** The next u32 (0 .. 2^32 - 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    return mix(this.#state);
  }

  /** The next number in [0, 1). */
  nextFloat(): number {
    return this.next() / 4294967296;
  }
}

/** mulberry32's output function: a bijection of the 32-bit integers that scatters every bit. */
function mix(x: number): number {
  let t = x;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** The u32 of draw number `index` of stream `stream` under `seed`: mulberry32's mix of the
 * three, each spread by a different odd constant (so neighbouring indexes or streams do not
 * give related values). */
export function draw(seed: number, stream: number, index: number): number {
  const x = (seed ^ Math.imul(stream + 1, 0x9e3779b1) ^ Math.imul(index, 0x85ebca77)) | 0;
  return mix(mix(x) + 0x6d2b79f5);
}

/** Whether draw `index` of `stream` under `seed` falls under `threshold` (a probability in
 * units of 2^-30: 0 never, 2^30 always). */
export function drawn(seed: number, stream: number, index: number, threshold: number): boolean {
  return (draw(seed, stream, index) >>> 2) < threshold;
}
