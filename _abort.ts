// AbortSignal on SCIF's blocking calls. An abort is what a signal is to a process blocked in the
// kernel: the call ends with EINTR. Each backend decides what "nothing lost" takes for each call:
// a stream call that moved bytes resolves with their count (the kernel's rule, bytes moved count
// before an error), one that moved none rejects with EINTR and leaves the stream as it was; a
// call without effects on the stream (poll, fenceWait) simply stops waiting.

import { ScifError } from "./errors.ts";

/** The EINTR of an aborted call (its reason in the message). */
export function abortError(signal: AbortSignal, what: string): ScifError {
  const reason = signal.reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? "aborted" : String(reason);
  return new ScifError("EINTR", `${what} was aborted (${why})`);
}

/** `signal` checked (undefined, or an AbortSignal: else EINVAL); EINTR when aborted already. */
export function signalOf(signal: unknown, what: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof AbortSignal === "undefined" || !(signal instanceof AbortSignal)) {
    throw new ScifError("EINVAL", `signal must be an AbortSignal, got ${String(signal)}`);
  }
  if (signal.aborted) throw abortError(signal, what);
  return signal;
}

/** `options.signal` (options: undefined or an object, else EINVAL), checked by signalOf. */
export function optionSignal(options: unknown, what: string): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  return signalOf((options as { signal?: unknown }).signal, what);
}

/** Calls `fn` once when `signal` aborts; returns the function that stops listening. */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => {};
  signal.addEventListener("abort", fn, { once: true });
  return () => signal.removeEventListener("abort", fn);
}

/**
 * `p`, or EINTR when `signal` aborts first: for a call whose going on after the caller stopped
 * waiting changes nothing it would have to be told (poll, fenceWait), or goes on by the rule of
 * the call (connect, as POSIX's connect after EINTR). A late failure of `p` is not reported.
 */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => reject(abortError(signal, what)));
    p.then(
      (v) => {
        stop();
        resolve(v);
      },
      (e) => {
        stop();
        reject(e);
      },
    );
  });
}
