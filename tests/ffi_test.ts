// The hardware backend's own concerns: the ioctl ABI against the C compiler's view of
// <linux/scif_ioctl.h>, errno read on the thread that made the call, and backend selection.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { FIELD, IOCTL, STRUCT_SIZE } from "../ffi/abi.ts";
import { openNode, ScifError } from "../mod.ts";
import { Libc } from "../ffi/_libc.ts";
import { SimDevice } from "./_sim.ts";

const root = new URL("../", import.meta.url);

Deno.test("ffi abi: ioctl numbers, struct sizes and field offsets are the C compiler's for <linux/scif_ioctl.h>", async () => {
  const header = "/usr/include/linux/scif_ioctl.h";
  const lines: string[] = [
    "#include <stdio.h>",
    "#include <stddef.h>",
    "#include <linux/ioctl.h>",
    "#include <linux/scif_ioctl.h>",
    "int main(void) {",
  ];
  for (const name of Object.keys(IOCTL)) lines.push(`printf("${name} %lu\\n", (unsigned long)${name});`);
  for (const name of Object.keys(STRUCT_SIZE)) {
    lines.push(`printf("${name} %zu\\n", sizeof(struct ${name}));`);
  }
  for (const [struct, fields] of Object.entries(FIELD)) {
    for (const field of Object.keys(fields)) {
      lines.push(`printf("${struct}.${field} %zu\\n", offsetof(struct ${struct}, ${field}));`);
    }
  }
  lines.push("return 0; }");
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/abi.c`, lines.join("\n"));
  const build = await new Deno.Command("cc", { args: ["-o", `${dir}/abi`, `${dir}/abi.c`], stderr: "piped" })
    .output();
  assert(build.code === 0, `cc failed (is ${header} installed?): ${new TextDecoder().decode(build.stderr)}`);
  const out = new TextDecoder().decode((await new Deno.Command(`${dir}/abi`).output()).stdout);
  const c = Object.fromEntries(
    out.trim().split("\n").map((l) => l.split(" ")).map(([k, v]) => [k, Number(v)]),
  );
  for (const [name, value] of Object.entries(IOCTL)) assertEquals(value, c[name], name);
  for (const [name, value] of Object.entries(STRUCT_SIZE)) assertEquals(value, c[name], name);
  for (const [struct, fields] of Object.entries(FIELD)) {
    for (const [field, at] of Object.entries(fields)) {
      assertEquals(at, c[`${struct}.${field}`], `${struct}.${field}`);
    }
  }
  // And the numbers docs/scif-facts.md's encoding gives, written out.
  assertEquals(IOCTL.SCIF_BIND, 0xc0087301);
  assertEquals(IOCTL.SCIF_LISTEN, 0x40047302);
  assertEquals(IOCTL.SCIF_SEND, 0xc0187306);
  assertEquals(IOCTL.SCIF_REG, 0xc0287308);
  assertEquals(IOCTL.SCIF_FENCE_WAIT, 0xc0047310);
  assertEquals(IOCTL.SCIF_FENCE_SIGNAL, 0xc0287311);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ffi errno: a blocking call that fails on a Worker reports that Worker's errno, not this thread's", async () => {
  const sim = await SimDevice.open();
  try {
    sim.add(0);
    const node = await openNode({ backend: "hw", device: sim.device(0), libc: sim.library });
    const libc = new Libc(sim.library);
    // accept with SCIF_ACCEPT_SYNC: tried once without waiting here (EAGAIN, left in this
    // thread's errno), then made blocking on a Worker, where it fails with EINTR when the
    // listener is closed. The error reported is the Worker's.
    const l = node.open();
    l.bind(2000);
    l.listen(1);
    const pending = l.accept().then(() => "accepted", (e: ScifError) => e.code);
    await new Promise((r) => setTimeout(r, 50));
    l.close();
    assertEquals(await pending, "EINTR");
    // connect runs on a Worker only: this thread's errno (EBADF, from closing no descriptor)
    // stays what it was while the Worker's ECONNREFUSED is reported.
    libc.fn.close(-1);
    assertEquals(libc.errno(), 9);
    const refused = await node.open().connect({ node: 0, port: 2999 }).then(
      () => "connected",
      (e: ScifError) => e.code,
    );
    assertEquals(refused, "ECONNREFUSED");
    assertEquals(libc.errno(), 9, "this thread's errno changed: the call did not run on its own thread");
    libc.close();
    await node.close();
  } finally {
    sim.close();
  }
});

Deno.test("openNode: hw without the device is ENODEV; auto takes the device when it exists and FFI is allowed", async () => {
  const e = await assertRejects(() => openNode({ backend: "hw", device: "/nonexistent/scif" }), ScifError);
  assertEquals(e.code, "ENODEV");
  assert(e.message.includes("/nonexistent/scif"));
  const sim = await SimDevice.open();
  try {
    sim.add(0);
    const node = await openNode({ device: sim.device(0), libc: sim.library });
    assertEquals([node.backend, node.nodeId, node.getNodeIds()], ["hw", 0, { nodes: [0], self: 0 }]);
    await node.close();
  } finally {
    sim.close();
  }
});

Deno.test("openNode: without --allow-ffi, hw says which flag is missing, auto says the machine's network needs it, and a network of threads still works", async () => {
  const sim = await SimDevice.open();
  try {
    sim.add(0);
    const script = `
      import { openNode } from ${JSON.stringify(new URL("mod.ts", root).href)};
      const device = ${JSON.stringify(sim.device(0))};
      try { await openNode({ device }); } catch (e) { console.log(e.code, e.message); }
      const threads = await openNode({ device, network: "thread" });
      console.log(threads.backend);
      await threads.close();
      try { await openNode({ backend: "hw", device }); } catch (e) { console.log(e.code, e.message); }`;
    const file = `${sim.dir}/no_ffi.ts`;
    await Deno.writeTextFile(file, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-check", "--no-prompt", "--allow-read", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const [auto, threads, hw] = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert(auto.startsWith("EPERM") && auto.includes("--allow-ffi"), auto);
    assertEquals(threads, "emu");
    assert(hw.startsWith("EPERM") && hw.includes("--allow-ffi"), hw);
  } finally {
    sim.close();
  }
});
