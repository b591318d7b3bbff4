// The help texts of `scif` (cli/scif.ts): the command list, and each command's usage.

/** The port `scif echo` listens on and `scif ping` connects to unless told otherwise. */
export const ECHO_PORT = 2007;

/** The help of each command by name; "" is the command list. */
export const HELP: Record<string, string> = {
  "": `scif: the Symmetric Communication Interface from the command line

usage: scif <command> [options]

commands:
  nodes                 the nodes of the network
  echo [PORT]           answer every connection on PORT (default ${ECHO_PORT}) with its own bytes
  ping NODE             8-byte round trips to NODE's echo port: min, median, max
  listen PORT           accept one connection on PORT: its bytes to stdout, stdin to it
  connect NODE:PORT     connect: stdin to the peer, the peer's bytes to stdout
  bench                 the bandwidth chart and latency table of the demo
  key                   the key that links between machines prove they hold
  stats                 the counters of every node and program: bytes, messages, RMA
  node down|up N        take node N down (as a card that is reset) or bring it up again
  faults [set|clear]    the fault plan of the machine's network: print, set or clear it

options of every command:
  --node N              run on node N (default: SCIF_NODE, else 0, the host)
  --help                this text, or a command's

exit status: 0, the errno number of a failed SCIF call, or 64 for a usage error.`,
  key: `usage: scif key

Prints the key of this machine's emulated network (SCIF_EMU_KEY, SCIF_EMU_KEY_FILE, or the
rendezvous directory's link.key, made 0600 the first time it is needed). Links between
machines carry nothing until both ends prove they hold it: give every machine the same key
(SCIF_EMU_KEY=<key>, or a copy of the file).`,
  nodes: `usage: scif nodes [--json]

Lists the nodes online, as the MIC tools list cards: node id, role (0 is the host), and which
node this command runs on; on the machine's emulated network also the nodes taken down ("scif
node down"), as down (--json: "down").`,
  node: `usage: scif node down N | scif node up N

Takes node N of the machine's emulated network down, as a card that is reset, while programs
run: connections with it are reset (their peers read what it sent, then ECONNRESET), connects
to it fail with ENODEV, it leaves the node table, and the programs on it lose their endpoints
(every call of theirs is then ENODEV; they attach the node again once it is up). "up" brings it
back as a new incarnation: the old endpoints never see its traffic. Node 0, the host, cannot be
taken down (EINVAL, status 22); a node the network does not have is ENODEV (19). Taking down a
node that is down, or bringing up one that is up, does nothing.`,
  faults: `usage: scif faults [--json]
       scif faults set --seed N [--dma-fail P] [--dma-stall P --stall-ms MS] [--silent 2,3]
                       [--delay-ms MS] [--jitter-ms MS] [--delay-nodes 1,2] [--partition 3]
       scif faults clear

The fault plan of the machine's emulated network, which every program of the machine follows
from its next decision on (it lives in the memory they all map); decisions are draws of the
seed, so the same calls meet the same faults on every run. --dma-fail: a DMA transfer fails
with probability P (EIO on a SYNC transfer; a fence over a queued one times out); --dma-stall:
one waits MS milliseconds first with probability P; --silent: those nodes drop every control
message sent to them (connects ECONNREFUSED, peer fences ETIMEDOUT); --delay-ms, --jitter-ms:
every send (of --delay-nodes, default every node) waits MS plus 0..jitter milliseconds;
--partition: the links to the other machines that hold those nodes are cut (their nodes are
lost here, as when a link drops) until the plan is cleared. "set" replaces the whole plan;
"clear" removes it; either prints the plan in force (--json: as JSON, null for none). A plan
out of range is EINVAL (status 22), a node the network does not have ENODEV (19). The plan
lasts as long as the network's memory: a machine no program holds starts again with none.`,
  stats: `usage: scif stats [--json] [--watch [MS]] [--count N]

The statistics of the network, as the kernel's debugfs showed them and more: per node (the
sums of the programs attached to it) and per program (a line of the slot table: its process,
endpoints open, bytes and send/recv calls each way, RMA bytes, malformed control messages
dropped), as each program last published them (at most a fraction of a second old while it
has endpoints). Per-endpoint detail (state, port, peer, RMAs by kind, fences, wake-ups, time
blocked) is each program's own: node.stats() in the API. On hardware only this command's own
calls are counted (the driver's counters are in its debugfs). --json prints one JSON object
(per refresh, one a line); --watch refreshes every MS (default 1000) milliseconds until
interrupted, or N times with --count.`,
  echo: `usage: scif echo [PORT] [--count N]

Listens on PORT (default ${ECHO_PORT}) and sends every connection its own bytes back until it
closes; serves N connections (default: until interrupted).`,
  ping: `usage: scif ping NODE [--port P] [--count N] [--size B]

Connects to NODE's echo port (default ${ECHO_PORT}; run "scif echo" there) and times N
(default 1000) round trips of B (default 8) bytes: min, median, max in microseconds.`,
  listen: `usage: scif listen PORT

Accepts one connection on PORT. The peer's bytes go to stdout until the peer closes the
connection; stdin goes to the peer. The end of stdin does not close the connection (a SCIF
connection has no half close): it ends when the peer closes it, at once, with status 0, or
104 (ECONNRESET) if stdin's bytes could not all be sent.`,
  connect: `usage: scif connect NODE:PORT [--wait]

Connects to NODE:PORT. stdin goes to the peer, the peer's bytes to stdout. At the end of stdin
the connection is closed (the peer reads everything sent first) and the status is 0. A peer
that goes away before that ends the command at once with 104 (ECONNRESET). With --wait the
connection stays open after stdin's end until the peer closes it (status 0).`,
  bench: `usage: scif bench [--quick] [--out FILE.svg] [--json FILE]

Runs the demo's measurements (deno task demo): bandwidth against transfer size for SCIF RMA,
the SCIF stream, TCP and memcpy, and the 8-byte round trip table.`,
};
