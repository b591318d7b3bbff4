// The one way this library reaches the Deno global: absent in a browser, so every use is
// feature-detected (the browser build has no Deno API, see tests/web_test.ts).

/** The Deno namespace, or undefined outside Deno. */
export function denoGlobal(): typeof Deno | undefined {
  return (globalThis as { Deno?: typeof Deno }).Deno;
}

/** Whether this program may call C through FFI: the runtime has it and --allow-ffi. */
export function ffiPermitted(): boolean {
  const deno = denoGlobal();
  if (typeof deno?.dlopen !== "function") return false;
  try {
    return deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    return false;
  }
}
