// What the benchmark's helper servers (fake-provider.mjs, minimal-proxy.mjs) share: listen on 127.0.0.1, print
// {"port":N} once listening (port 0 = any free port), and stop on SIGTERM/SIGINT or, when stdin is a pipe, when it
// closes (the benchmark died without cleaning up).
import { fstatSync } from "node:fs"

export const runChildServer = (server, port) => {
  server.headersTimeout = 60_000
  server.requestTimeout = 0
  const stop = () => {
    server.close()
    server.closeAllConnections()
    process.exit(0)
  }
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
  // Only a pipe from a parent means "stop when it closes"; a terminal or /dev/null does not.
  if (fstatSync(0).isFIFO()) {
    process.stdin.on("end", stop)
    process.stdin.on("error", stop)
    process.stdin.resume()
  }
  server.listen(port, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n"))
}
