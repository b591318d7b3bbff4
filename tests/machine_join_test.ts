// Joining the machine's emulated network: openNode() without the permissions it needs, and
// rendezvous directories that must not be trusted, are refused with the errno and the fix.
import { assertEquals, assertMatch } from "@std/assert";
import { machine, test } from "./_machine.ts";

test("machine: openNode() without the permissions it needs fails with EPERM naming the flags, never a private network", async () => {
  const group = await machine();
  try {
    const script = await Deno.makeTempFile({ suffix: ".ts" });
    await Deno.writeTextFile(
      script,
      `import { openNode } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
      try { const n = await openNode(); console.log("joined"); await n.close(); }
      catch (e) { console.log(e.code, e.message); }`,
    );
    const run = async (flags: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, script],
        env: { SCIF_EMU_DIR: group.dir },
        stdout: "piped",
        stderr: "inherit",
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    const noFfi = await run(["--allow-env", "--allow-read"]);
    assertMatch(noFfi, /^EPERM .*--allow-ffi/);
    const noEnv = await run(["--allow-ffi", "--allow-read"]);
    assertMatch(noEnv, /^EPERM .*--allow-env/);
    assertEquals(await run(["--allow-ffi", "--allow-env", "--allow-read"]), "joined");
    await Deno.remove(script);
  } finally {
    await group.close();
  }
});

test("machine: a rendezvous directory of another user, open to others, or reached through a symlink is refused with EACCES naming it and the fix", async () => {
  const parent = await Deno.makeTempDir({ prefix: "scif-rdv-" });
  try {
    const script = `${parent}/open.ts`;
    await Deno.writeTextFile(
      script,
      `import { openNode } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
      try { const n = await openNode(); console.log("joined", n.nodeId); await n.close(); }
      catch (e) { console.log(e.code, e.message); }`,
    );
    const open = async (env: Record<string, string>) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script],
        env,
        stdout: "piped",
        stderr: "inherit",
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    const uid = Deno.uid()!;
    // The default place, under TMPDIR, taken by another user first (this test runs as root in CI,
    // so the directory is chowned to nobody; as another user it is made 0777 instead).
    const taken = `${parent}/scif-emu-${uid}`;
    await Deno.mkdir(taken, { mode: 0o700 });
    if (uid === 0) await Deno.chown(taken, 65534, 65534);
    else await Deno.chmod(taken, 0o777);
    const r1 = await open({ TMPDIR: parent });
    assertMatch(r1, new RegExp(`^EACCES .*${taken}.*(belongs to user 65534|open to others)`));
    assertMatch(r1, /SCIF_EMU_DIR|chmod 700/);
    // Open to others.
    const open777 = `${parent}/open777`;
    await Deno.mkdir(open777);
    await Deno.chmod(open777, 0o777);
    assertMatch(
      await open({ SCIF_EMU_DIR: open777 }),
      new RegExp(`^EACCES .*${open777} is open to others.*chmod 700`),
    );
    // A symlink to a good directory.
    const good = `${parent}/good`;
    await Deno.mkdir(good, { mode: 0o700 });
    await Deno.symlink(good, `${parent}/link`);
    assertMatch(
      await open({ SCIF_EMU_DIR: `${parent}/link` }),
      /^EACCES .*link is not a directory \(a symlink\?\)/,
    );
    // The good one works, and its files are private.
    assertEquals(await open({ SCIF_EMU_DIR: good }), "joined 0");
    assertEquals((await Deno.stat(`${good}/network`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
