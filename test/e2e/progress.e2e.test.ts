/**
 * §6 "Command-line manners": work that waits on the network says so on the terminal at once, not after its timeout.
 * A real pseudo-terminal (util-linux `script`) and a server on 127.0.0.1 that takes the connection and never answers.
 */
import * as net from "node:net"
import type { AddressInfo } from "node:net"
import { afterAll, describe, expect, it } from "vitest"
import { findScript, PtySession } from "../support/Pty.js"
import { Sandbox } from "../support/Sandbox.js"
import { scaled } from "../support/Timing.js"
import { storeJson } from "./harness.js"

const sandboxes: Array<Sandbox> = []
const sockets = new Set<net.Socket>()
const silent = net.createServer((socket) => {
  sockets.add(socket)
  socket.on("close", () => sockets.delete(socket))
})
afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise((resolve) => silent.close(resolve))
  await Promise.all(sandboxes.map((s) => s.cleanup()))
})
const port = async (): Promise<number> => {
  if (!silent.listening) await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
  return (silent.address() as AddressInfo).port
}

describe.skipIf(findScript() === undefined)("progress on a terminal while waiting on the network (§6)", () => {
  it("models status --probe names what it is waiting for before the first answer; secrets reload shows a line while the gateway works", async () => {
    const s = await Sandbox.create("progress")
    sandboxes.push(s)
    const p = await port()
    await s.write(s.config, JSON.stringify({ models: { providers: { openai: { baseUrl: `http://127.0.0.1:${p}/v1` } } }, agents: { defaults: { model: { primary: "openai/gpt-4o" } } }, gateway: { port: p } }))
    await s.write(s.store, storeJson({ "openai:default": { type: "api_key", provider: "openai", key: "sk-proj-FAKEprogress0000000000000000000000" } }))

    const probe = new PtySession(s, ["models", "status", "--probe", "--probe-timeout", "4000"])
    // Well before the 4 s timeout: the line comes before any answer could.
    await probe.waitFor("probing 1 profile, 1 at a time (each waits up to 4s)", scaled(3_000))
    await probe.waitFor("probe 1/1: openai:default", scaled(10_000))
    expect((await probe.exit()).code).not.toBeNull()

    const reload = new PtySession(s, ["secrets", "reload"])
    await reload.waitFor(`Asking the gateway at http://127.0.0.1:${p} to reload its secrets`, scaled(3_000))
    reload.kill()
    await reload.exited
  }, scaled(30_000))
})
