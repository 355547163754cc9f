// Preloaded into Portkey's gateway by bench/gateway.mjs (`node --require bench/loopback-only.cjs …/start-server.js`).
// Portkey's node server takes a port (`--port=N`) but no bind host: it calls @hono/node-server's serve() without a
// hostname, i.e. `server.listen(port, undefined, cb)`, which listens on every interface. This makes any listen on a
// bare port bind 127.0.0.1 instead, and prints {"benchListening":{address,port,…}} once listening, so the benchmark
// learns the port (Portkey's own banner says :0 for --port=0) and can check the address before sending anything.
const net = require("node:net")

const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && (args[1] == null || typeof args[1] === "function")) {
    if (args[1] == null) args[1] = "127.0.0.1"
    else args.splice(1, 0, "127.0.0.1")
  }
  this.once("listening", () => process.stdout.write(JSON.stringify({ benchListening: this.address() }) + "\n"))
  return listen.apply(this, args)
}
