// A minimal, fast OpenAI-compatible provider for the gateway benchmark (bench/gateway.mjs). It runs in its own
// process so that it does not share an event loop with the load generator or the gateway, reads each request
// body to the end and answers at once with the same small `chat.completion` JSON, over keep-alive connections.
// It checks nothing but the route and the method: this is the cheapest possible upstream, so what the benchmark
// sees on top of it is the gateway's own cost.
//
//   node bench/fake-provider.mjs [port] [delayMs] [chunks] [spacingMs]
//   # prints {"port":N} on stdout once listening (port 0 = any free port)
//
// delayMs (default 0) holds every chat answer that long after the request has been read, the way a real provider
// spends time on the model: with 0 the benchmark measures raw overhead, with a delay it measures what a client of
// a provider sees. `POST /delay?ms=N` changes it at runtime and answers {"delayMs":N}, so that one fake (and the
// gateway pointed at it) serves every delay scenario of a run.
//
// A body with `"stream":true` is answered with an OpenAI event stream instead (issue 16: time to first byte): after
// the delay, `chunks` (default 20) `chat.completion.chunk` events, `spacingMs` (default 1) apart, then
// `data: [DONE]` — each event its own write, so a proxy that forwards chunks as they arrive shows its first byte
// long before the last. spacingMs 0 writes them on consecutive event-loop turns (setImmediate). The first event
// carries the headers with it, so the client's first body chunk is the first event.
//
// Stops on SIGTERM/SIGINT, or when stdin is a pipe and it closes (the benchmark died without cleaning up).
import { createServer } from "node:http"
import { runChildServer } from "./child-server.mjs"

const BODY = Buffer.from(
  JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content: "pong", refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 }
  })
)
const HEADERS = { "content-type": "application/json", "content-length": String(BODY.length), "x-request-id": "req_bench" }
const STREAM_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache", "x-request-id": "req_bench" }
const STREAM_FLAG = Buffer.from('"stream":true')
const NOT_FOUND = Buffer.from(JSON.stringify({ error: { message: "Unknown route", type: "invalid_request_error", param: null, code: null } }))

const parseDelay = (raw) => {
  const n = Number(raw)
  return raw !== null && raw !== "" && Number.isFinite(n) && n >= 0 ? n : null
}
let delayMs = parseDelay(process.argv[3] ?? "0")
if (delayMs === null) {
  process.stderr.write(`fake-provider: delayMs must be a number ≥ 0, got ${JSON.stringify(process.argv[3])}\n`)
  process.exit(2)
}
const chunkCount = Number(process.argv[4] ?? "20")
const spacingMs = parseDelay(process.argv[5] ?? "1")
if (!Number.isInteger(chunkCount) || chunkCount < 1 || spacingMs === null) {
  process.stderr.write(`fake-provider: chunks must be an integer ≥ 1 and spacingMs a number ≥ 0, got ${JSON.stringify(process.argv.slice(4))}\n`)
  process.exit(2)
}
/** The events of one stream, made once: "pong" in the first, finish_reason in the last, then [DONE]. */
const EVENTS = (() => {
  const chunk = (i) => ({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content: "pong" } : { content: " ." }, logprobs: null, finish_reason: i === chunkCount - 1 ? "stop" : null }]
  })
  return [...Array.from({ length: chunkCount }, (_, i) => Buffer.from(`data: ${JSON.stringify(chunk(i))}\n\n`)), Buffer.from("data: [DONE]\n\n")]
})()
const next = spacingMs === 0 ? (f) => setImmediate(f) : (f) => setTimeout(f, spacingMs)
const sendStream = (res) => {
  let i = 0
  res.writeHead(200, STREAM_HEADERS)
  const write = () => {
    if (res.destroyed) return
    res.write(EVENTS[i++])
    if (i < EVENTS.length) next(write)
    else res.end()
  }
  write()
}
let served = 0
let streamed = 0
let connections = 0
const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const [path, query] = (req.url ?? "/").split("?")
  // Read the body to the end; only whether it asks for a stream matters (the chat bodies are ~100 bytes).
  const chunks = []
  req.on("data", (c) => chunks.push(c))
  req.on("end", () => {
    if (req.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions")) {
      served++
      if ((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).includes(STREAM_FLAG)) {
        streamed++
        if (delayMs > 0) setTimeout(() => sendStream(res), delayMs)
        else sendStream(res)
      } else if (delayMs > 0) {
        setTimeout(() => {
          res.writeHead(200, HEADERS)
          res.end(BODY)
        }, delayMs)
      } else {
        res.writeHead(200, HEADERS)
        res.end(BODY)
      }
    } else if (req.method === "POST" && path === "/delay") {
      const next = parseDelay(new URLSearchParams(query).get("ms"))
      if (next === null) {
        res.writeHead(400, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: "ms must be a number ≥ 0" }))
        return
      }
      delayMs = next
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ delayMs }))
    } else if (req.method === "GET" && path === "/stats") {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ served, streamed, connections }))
    } else {
      res.writeHead(404, { "content-type": "application/json", "content-length": String(NOT_FOUND.length) })
      res.end(NOT_FOUND)
    }
  })
})
server.on("connection", () => connections++)
runChildServer(server, Number(process.argv[2] ?? 0))
