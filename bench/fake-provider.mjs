// A minimal, fast OpenAI-compatible provider for the gateway benchmark (bench/gateway.mjs). It runs in its own
// process so that it does not share an event loop with the load generator or the gateway, reads each request
// body to the end and answers at once with the same small `chat.completion` JSON, over keep-alive connections.
// It checks nothing but the route and the method: this is the cheapest possible upstream, so what the benchmark
// sees on top of it is the gateway's own cost.
//
//   node bench/fake-provider.mjs [port] [delayMs]   # prints {"port":N} on stdout once listening (port 0 = any free port)
//
// delayMs (default 0) holds every chat answer that long after the request has been read, the way a real provider
// spends time on the model: with 0 the benchmark measures raw overhead, with a delay it measures what a client of
// a provider sees. `POST /delay?ms=N` changes it at runtime and answers {"delayMs":N}, so that one fake (and the
// gateway pointed at it) serves every delay scenario of a run.
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
let served = 0
let connections = 0
const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const [path, query] = (req.url ?? "/").split("?")
  req.on("data", () => {}) // read the body to the end; its content does not matter
  req.on("end", () => {
    if (req.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions")) {
      served++
      if (delayMs > 0) {
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
      res.end(JSON.stringify({ served, connections }))
    } else {
      res.writeHead(404, { "content-type": "application/json", "content-length": String(NOT_FOUND.length) })
      res.end(NOT_FOUND)
    }
  })
})
server.on("connection", () => connections++)
runChildServer(server, Number(process.argv[2] ?? 0))
