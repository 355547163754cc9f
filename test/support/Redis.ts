/**
 * A real `redis-server` (Debian package) for the shared-state tests (§10): on loopback, nothing persisted, started
 * per test file. No mock of Redis anywhere.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as net from "node:net"
import { eventually } from "./Child.js"
import { scaled } from "./Timing.js"

export const hasRedis = (() => {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

export interface RedisTls {
  readonly cert: string
  readonly key: string
}

/**
 * redis-server on 127.0.0.1:`port` — with `tls`, on that port with TLS only (the certificate is its own CA) — and
 * `password` as requirepass; resolves once the port accepts connections.
 */
export const startRedis = async (port: number, options: { readonly tls?: RedisTls; readonly password?: string } = {}): Promise<ChildProcess> => {
  const { tls, password } = options
  const listen = tls === undefined
    ? ["--port", String(port)]
    : ["--port", "0", "--tls-port", String(port), "--tls-cert-file", tls.cert, "--tls-key-file", tls.key, "--tls-ca-cert-file", tls.cert, "--tls-auth-clients", "no"]
  const child = spawn(
    "redis-server",
    [...listen, "--bind", "127.0.0.1", ...(password === undefined ? [] : ["--requirepass", password]), "--save", "", "--appendonly", "no"],
    { stdio: "ignore" }
  )
  await eventually(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => (socket.end(), resolve(true)))
        socket.on("error", () => resolve(false))
      }),
    scaled(5_000),
    "redis-server listening"
  )
  return child
}
