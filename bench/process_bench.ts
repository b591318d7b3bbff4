/**
 * Between two processes on one machine: the 8-byte round trip and the stream bandwidth of a
 * SCIF connection over the machine's emulated network, against a plain Unix socket between
 * the same two processes, in interleaved rounds (medians). Goal: SCIF within 1.3x of the bare
 * socket (round trip at most 1.3x its time, bandwidth at least 1/1.3 of its rate).
 *
 * ```sh
 * deno run -A bench/process_bench.ts --rounds 5 --iters 20000 --mib 256
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { type Endpoint, openNode } from "../mod.ts";
import { median } from "./lab.ts";

const args = parseArgs(Deno.args, {
  string: ["role", "dir", "node", "rounds", "iters", "mib", "chunk"],
  default: { rounds: "5", iters: "20000", mib: "256", chunk: "65536" },
});
const rounds = Number(args.rounds);
const iters = Number(args.iters);
const bytes = Number(args.mib) << 20;
const chunk = Number(args.chunk);

/** The same operations on a SCIF endpoint and on a socket. */
interface Pipe {
  write(b: Uint8Array): Promise<unknown>;
  readFull(b: Uint8Array): Promise<void>;
}

function scifPipe(ep: Endpoint): Pipe {
  return { write: (b) => ep.send(b), readFull: async (b) => void await ep.recv(b) };
}

function socketPipe(conn: Deno.Conn): Pipe {
  return {
    async write(b) {
      for (let off = 0; off < b.length;) off += await conn.write(b.subarray(off));
    },
    async readFull(b) {
      for (let off = 0; off < b.length;) {
        const n = await conn.read(b.subarray(off));
        if (n === null) throw new Error("socket closed");
        off += n;
      }
    },
  };
}

/** The serving side: echoes pings, swallows streams; commands come as one byte. */
async function serve(p: Pipe): Promise<void> {
  const cmd = new Uint8Array(1);
  const ping = new Uint8Array(8);
  const sink = new Uint8Array(chunk);
  for (;;) {
    await p.readFull(cmd);
    if (cmd[0] === 1) {
      for (let i = 0; i < iters; i++) {
        await p.readFull(ping);
        await p.write(ping);
      }
    } else if (cmd[0] === 2) {
      for (let got = 0; got < bytes; got += chunk) await p.readFull(sink);
      await p.write(new Uint8Array(1));
    } else return;
  }
}

async function roundTrips(p: Pipe): Promise<number> {
  await p.write(new Uint8Array([1]));
  const ping = new Uint8Array(8);
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    await p.write(ping);
    await p.readFull(ping);
  }
  return ((performance.now() - t0) * 1000) / iters;
}

async function stream(p: Pipe): Promise<number> {
  await p.write(new Uint8Array([2]));
  const data = new Uint8Array(chunk).fill(7);
  const t0 = performance.now();
  for (let sent = 0; sent < bytes; sent += chunk) await p.write(data);
  await p.readFull(new Uint8Array(1));
  return bytes / ((performance.now() - t0) * 1e6);
}

if (args.role === "server") {
  const node = await openNode();
  const l = node.open();
  l.bind(4000);
  l.listen(1);
  const sock = Deno.listen({ transport: "unix", path: `${args.dir}/bare.sock` });
  console.log(JSON.stringify({ node: node.nodeId }));
  const [{ endpoint }, conn] = await Promise.all([l.accept(), sock.accept()]);
  await Promise.all([serve(scifPipe(endpoint)), serve(socketPipe(conn))]);
  conn.close();
  sock.close();
  await node.close();
} else if (args.role === "client") {
  const node = await openNode();
  const ep = node.open();
  await ep.connect({ node: Number(args.node ?? 0), port: 4000 });
  const conn = await Deno.connect({ transport: "unix", path: `${args.dir}/bare.sock` });
  const scif = scifPipe(ep);
  const bare = socketPipe(conn);
  await roundTrips(scif); // warm up
  await roundTrips(bare);
  const rt = { scif: [] as number[], socket: [] as number[] };
  const bw = { scif: [] as number[], socket: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    rt.scif.push(await roundTrips(scif));
    rt.socket.push(await roundTrips(bare));
    bw.scif.push(await stream(scif));
    bw.socket.push(await stream(bare));
  }
  await scif.write(new Uint8Array([0]));
  await bare.write(new Uint8Array([0]));
  console.log(JSON.stringify({
    rt: { scif: median(rt.scif), socket: median(rt.socket) },
    bw: { scif: median(bw.scif), socket: median(bw.socket) },
  }));
  conn.close();
  await node.close();
} else {
  // The controller: a fresh rendezvous directory, the two processes, the report.
  const dir = await Deno.makeTempDir({ prefix: "scif-bench-" });
  const run = (role: string, extra: string[] = []) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", import.meta.filename!, `--role=${role}`, `--dir=${dir}`, ...extra, ...Deno.args],
      env: { SCIF_EMU_DIR: dir },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
  const server = run("server");
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const first = JSON.parse((await reader.read()).value!.trim());
  const client = run("client", [`--node=${first.node}`]);
  const out = JSON.parse(new TextDecoder().decode((await client.output()).stdout));
  await server.status;
  await Deno.remove(dir, { recursive: true });
  const rtRatio = out.rt.scif / out.rt.socket;
  const bwRatio = out.bw.socket / out.bw.scif;
  console.log(`two processes, ${rounds} interleaved rounds (medians):`);
  console.log(
    `  8-byte round trip: SCIF ${out.rt.scif.toFixed(1)} us, Unix socket ${out.rt.socket.toFixed(1)} us: ` +
      `${rtRatio.toFixed(2)}x (goal <= 1.3: ${rtRatio <= 1.3 ? "met" : "NOT met"})`,
  );
  console.log(
    `  stream, ${chunk / 1024} KiB writes: SCIF ${out.bw.scif.toFixed(2)} GB/s, Unix socket ${
      out.bw.socket.toFixed(2)
    } GB/s: socket/SCIF ${bwRatio.toFixed(2)}x (goal <= 1.3: ${bwRatio <= 1.3 ? "met" : "NOT met"})`,
  );
}
