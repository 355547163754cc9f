// The floor for the gateway benchmark (bench/gateway.mjs): the least a Node.js proxy can do per chat completion —
// read the request, forward it to the fake provider over a keep-alive agent, stream the answer back — with no
// auth, no routing, no logging, no parsing. What the gateway costs on top of this is the gateway's; what this
// costs on top of going direct is any Node proxy's on this machine. An event stream goes back the same way: `pipe`
// writes each chunk to the client as it arrives from the fake (issue 16's time-to-first-byte floor).
//
//   node bench/minimal-proxy.mjs <upstreamPort> [port]   # prints {"port":N} on stdout once listening
import http from "node:http"
import { runChildServer } from "./child-server.mjs"

const upstreamPort = Number(process.argv[2])
const agent = new http.Agent({ keepAlive: true, scheduling: "lifo" })
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks = []
  req.on("data", (c) => chunks.push(c))
  req.on("end", () => {
    const body = Buffer.concat(chunks)
    const up = http.request(
      { host: "127.0.0.1", port: upstreamPort, path: "/v1/chat/completions", method: "POST", agent, headers: { "content-type": "application/json", "content-length": body.length } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { "content-type": answer.headers["content-type"] ?? "application/json", ...(answer.headers["content-length"] ? { "content-length": answer.headers["content-length"] } : {}) })
        answer.pipe(res)
      }
    )
    up.on("error", () => {
      res.writeHead(502)
      res.end()
    })
    up.end(body)
  })
})
runChildServer(server, Number(process.argv[3] ?? 0))
