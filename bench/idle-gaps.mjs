// One request at a time through each path (direct to the fake provider, the minimal node proxy, the gateway),
// interleaved, with or without a pause before each: what an idle process costs a request on this machine. The
// 1-client streaming trials of bench/gateway.mjs leave every process idle ~20 ms between requests, the plain ones
// do not; this shows how much of the 1-client TTFB comes from that (bench/README.md, Gateway, fifteenth round).
//
//   node bench/idle-gaps.mjs [requests=1500] [pauseMs=0] [stream=0|1]
//
// Prints the median ms to the response's first body chunk and to its end, per path (the first 200 of each
// path are a warm-up, not counted). Needs dist/ (npm run build).
import http from "node:http"
import { mkdtempSync, rmSync } from "node:fs"
import os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { GATEWAY_TOKEN, PROVIDER_KEY, send, startGateway, startHelper, stop, stopHelper, targetOf, writeState } from "./gateway.mjs"

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..")
const [requests = 1500, pauseMs = 0, stream = 0] = process.argv.slice(2).map(Number)
const WARM_UP = 200
if (!(requests > WARM_UP) || !(pauseMs >= 0)) {
  process.stderr.write("usage: node bench/idle-gaps.mjs [requests > 200] [pauseMs ≥ 0] [stream 0|1]\n")
  process.exit(2)
}

// Stopped by a signal, it still exits through gateway.mjs's exit handler, which kills the children it started.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130))
const root = mkdtempSync(join(os.tmpdir(), "openclaw-bench-idle-"))
process.on("exit", () => rmSync(root, { recursive: true, force: true }))
const stateDir = join(root, ".openclaw")

/** [first chunk, end] in ms from the request call (gateway.mjs `send`: 30 s timeout, status checked here). */
const once = async (p) => {
  const t0 = performance.now()
  const r = await send(p.agent, p.target, t0)
  if (r.status !== 200) throw new Error(`${p.name}: HTTP ${r.status}: ${r.body}`)
  return [r.ttfbMs, performance.now() - t0]
}

let fake, proxy, gateway
const paths = []
try {
  fake = await startHelper("fake provider", join(ROOT, "bench", "fake-provider.mjs"), ["0", "0", "20", "1"])
  proxy = await startHelper("minimal proxy", join(ROOT, "bench", "minimal-proxy.mjs"), [String(fake.port), "0"])
  writeState(stateDir, fake.port)
  gateway = await startGateway(root, stateDir, join(root, "gateway.log"))
  for (const target of [
    targetOf("direct", fake.port, "gpt-4o-mini", PROVIDER_KEY, { stream: stream === 1 }),
    targetOf("node proxy", proxy.port, "gpt-4o-mini", PROVIDER_KEY, { stream: stream === 1 }),
    targetOf("gateway", gateway.port, "openclaw", GATEWAY_TOKEN, { stream: stream === 1 })
  ]) paths.push({ name: target.name, target, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }), times: [[], []] })
  for (let i = 0; i < requests; i++) {
    for (const p of paths) {
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs))
      const t = await once(p)
      if (i >= WARM_UP) t.forEach((v, k) => p.times[k].push(v))
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1].toFixed(3)
  process.stdout.write(`${requests - WARM_UP} requests per path, ${pauseMs} ms pause before each, ${stream ? "streamed (20 chunks 1 ms apart)" : "whole answers"}, medians in ms\n`)
  for (const p of paths) process.stdout.write(`${p.name.padEnd(11)} first chunk ${median(p.times[0])}  end ${median(p.times[1])}\n`)
} finally {
  for (const p of paths) p.agent.destroy()
  if (gateway) await stop(gateway.child, 5_000)
  if (proxy) await stopHelper(proxy)
  if (fake) await stopHelper(fake)
}
