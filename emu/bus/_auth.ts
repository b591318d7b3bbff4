// Authentication of a link between machines: before anything else crosses a TCP socket, both
// ends prove they hold the network's key (HMAC-SHA-256 through WebCrypto, challenge and
// response both ways, fresh nonces each time), and each says, under its proof, which nodes it
// speaks for. A peer that does not prove it gets nothing: not a hello, not a connection, not a
// byte of memory.
//
//   client -> F_AUTH_HELLO  nonceC (32 bytes), claimsC (JSON: node ids)
//   server -> F_AUTH_PROOF  nonceS, HMAC(key, "scif-emu server" | nonceC | nonceS | claimsC | claimsS), claimsS
//   client -> F_AUTH_DONE   HMAC(key, "scif-emu client" | nonceS | nonceC | claimsS | claimsC)
//
// Why HMAC and not TLS: the key is one shared secret file to copy between machines (as an SSH
// key is), with no certificates to make or renew; what it keeps out is anyone who reaches the
// port without the key, on loopback too. It does not encrypt: a network an attacker can read
// or change in flight wants the links inside a VPN or an SSH tunnel (see README).

import { ScifError } from "../../errors.ts";
import type { Frame, Link } from "./_link.ts";

export const F_AUTH_HELLO = 20;
export const F_AUTH_PROOF = 21;
export const F_AUTH_DONE = 22;

const NONCE = 32;
const MAC = 32;
const AUTH_MS = 5000;
const encoder = new TextEncoder();

/** The network's key as WebCrypto uses it, from its 32 bytes. */
export function importKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    bytes as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
      "verify",
    ],
  );
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function mac(key: CryptoKey, ...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, concat(...parts)));
}

/** Constant-time comparison of two MACs. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** The node ids of a claim, checked: a JSON array of at most 64 integers 0..63. */
function claims(bytes: Uint8Array): number[] {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ScifError("EACCES", "a malformed claim");
  }
  if (!Array.isArray(v) || v.length > 64 || !v.every((n) => Number.isInteger(n) && n >= 0 && n < 64)) {
    throw new ScifError("EACCES", "a malformed claim");
  }
  return v as number[];
}

/** The next frame, which must be of `type` and at most `max` bytes, within the time left. */
async function expect(link: Link, type: number, max: number, until: number): Promise<Frame> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((
    r,
  ) => (timer = setTimeout(() => r(null), Math.max(0, until - performance.now()))));
  const next = link.next();
  const f = await Promise.race([next, late]);
  clearTimeout(timer);
  if (!f || f.type !== type || f.payload.length > max) {
    // A peer that answers wrongly refuses; one that hangs up or is silent may be busy or going
    // away (a retry may do), and says nothing about the key.
    const ended = f === null && (await Promise.race([next, Promise.resolve(undefined)])) === null;
    link.close();
    if (f) throw new ScifError("EACCES", "the peer did not authenticate");
    throw ended
      ? new ScifError("ECONNRESET", "the peer hung up during the authentication")
      : new ScifError("ETIMEDOUT", "no answer to the authentication");
  }
  return { type: f.type, id: f.id, payload: f.payload.slice() };
}

/**
 * Authenticates a fresh link as `role`, speaking for the nodes `mine`; resolves to the nodes
 * the peer proved it speaks for. Throws EACCES (and closes the link) when the peer does not
 * prove it holds the key.
 */
export async function authenticate(
  link: Link,
  key: CryptoKey,
  role: "client" | "server",
  mine: number[],
): Promise<number[]> {
  const until = performance.now() + AUTH_MS;
  const ours = encoder.encode(JSON.stringify(mine));
  if (role === "client") {
    const nonceC = crypto.getRandomValues(new Uint8Array(NONCE));
    await link.send(F_AUTH_HELLO, 0, concat(nonceC, ours));
    const proof = (await expect(link, F_AUTH_PROOF, NONCE + MAC + 4096, until)).payload;
    if (proof.length < NONCE + MAC) throw failed(link);
    const nonceS = proof.subarray(0, NONCE);
    const theirs = proof.subarray(NONCE + MAC);
    const want = await mac(key, encoder.encode("scif-emu server"), nonceC, nonceS, ours, theirs);
    if (!same(proof.subarray(NONCE, NONCE + MAC), want)) throw failed(link);
    const peer = claims(theirs);
    await link.send(
      F_AUTH_DONE,
      0,
      await mac(key, encoder.encode("scif-emu client"), nonceS, nonceC, theirs, ours),
    );
    return peer;
  }
  const hello = (await expect(link, F_AUTH_HELLO, NONCE + 4096, until)).payload;
  if (hello.length < NONCE) throw failed(link);
  const nonceC = hello.subarray(0, NONCE);
  const theirs = hello.subarray(NONCE);
  const peer = claims(theirs);
  const nonceS = crypto.getRandomValues(new Uint8Array(NONCE));
  const proof = await mac(key, encoder.encode("scif-emu server"), nonceC, nonceS, theirs, ours);
  await link.send(F_AUTH_PROOF, 0, concat(nonceS, proof, ours));
  const done = (await expect(link, F_AUTH_DONE, MAC, until)).payload;
  const want = await mac(key, encoder.encode("scif-emu client"), nonceS, nonceC, ours, theirs);
  if (!same(done, want)) throw failed(link);
  return peer;
}

function failed(link: Link): ScifError {
  link.close();
  return new ScifError("EACCES", "the peer does not hold this network's key");
}
