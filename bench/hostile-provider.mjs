// A hostile provider for the hostile-provider benchmark (bench/hostile.mjs), in its own process so that producing
// the bytes costs the gateway's measurements nothing. The first path segment picks the behaviour:
//
//   /nonewline-<bytes>/…   an event stream that is one `data:` line of <bytes> filler bytes, no newline, then the end
//   /huge-<bytes>/…        a chat completion JSON of about <bytes> bytes (the filler is its text), no Content-Length
//
// Bodies are produced lazily, 64 KiB at a time with backpressure, and stop when the client goes away, so a 1 GB
// answer never exists here either (the same idea as test/support/hostileProvider.ts, which the tests use).
//
//   node bench/hostile-provider.mjs [port]   # prints {"port":N} once listening
import { createServer } from "node:http"
import { runChildServer } from "./child-server.mjs"

const PIECE = Buffer.alloc(64 * 1024, "a")
const HEAD = '{"id":"chatcmpl-hostile","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"'
const TAIL = '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}'

/** Writes `head`, `bytes` of filler and `tail`, honouring backpressure; stops when the client goes. */
const pump = (res, head, bytes, tail) => {
  let left = bytes
  res.write(head)
  const write = () => {
    while (!res.destroyed) {
      if (left <= 0) return void res.end(tail)
      const piece = left >= PIECE.length ? PIECE : PIECE.subarray(0, left)
      left -= piece.length
      if (!res.write(piece)) return void res.once("drain", write)
    }
  }
  write()
}

const server = createServer((req, res) => {
  req.on("data", () => {})
  req.on("end", () => {
    const m = /^\/(nonewline|huge)-(\d+)\//.exec(req.url ?? "/")
    if (m === null) return void res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"no such mode"}}')
    const bytes = Number(m[2])
    if (m[1] === "nonewline") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      pump(res, "data: ", bytes, "")
    } else {
      res.writeHead(200, { "content-type": "application/json" })
      pump(res, HEAD, bytes, TAIL)
    }
  })
})
runChildServer(server, Number(process.argv[2] ?? 0))
