/**
 * The built gateway against a hostile provider (§8.6, issue 12): a provider that answers 1 GB, streams 40 MB
 * without a newline, or never answers costs the gateway a bounded amount of memory and time, and a client that
 * hangs up takes its provider request down with it.
 */
import { readdirSync, readFileSync } from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { type GatewayProcess, startGatewayProcess } from "../support/GatewayProcess.js"
import { type HostileProvider, type Mode, modes, startHostileProvider } from "../support/hostileProvider.js"
import { scaled } from "../support/Timing.js"
import { GATEWAY_TOKEN, GatewayHome, PRIMARY } from "./harness.js"

const MB = 1024 * 1024
/** The default of gateway.limits.maxProviderBodyBytes. */
const BODY_CAP = 32 * MB

interface Setup {
  readonly hostile: HostileProvider
  readonly world: GatewayHome
  readonly gateway: GatewayProcess
}

let running: Setup | undefined

const setUp = async (hostile: HostileProvider, config: Record<string, unknown>): Promise<Setup> => {
  const world = await GatewayHome.make({ token: true, config })
  const gateway = await startGatewayProcess({ cwd: world.home, env: world.env() })
  running = { hostile, world, gateway }
  return running
}

/** A gateway whose only model is served by `mode`, no fallback. */
const withMode = async (mode: Mode): Promise<Setup> => {
  const hostile = await startHostileProvider()
  return setUp(hostile, { agents: { defaults: { model: { primary: PRIMARY } } }, models: { providers: { anthropic: { baseUrl: hostile.baseUrl(mode) } } } })
}

afterEach(async () => {
  const s = running
  running = undefined
  if (s === undefined) return
  await s.gateway.kill()
  await s.hostile.close()
  await s.world.cleanup()
})

interface Answer {
  readonly status: number
  readonly body: string
}

const chatBody = (stream: boolean) => JSON.stringify({ model: "openclaw", stream, messages: [{ role: "user", content: "hi" }] })

const request = (port: number, method: "GET" | "POST", path: string, headers: Record<string, string> = {}) =>
  http.request({
    host: "127.0.0.1",
    port,
    method,
    path,
    agent: false,
    headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json", ...headers }
  })

const send = (req: http.ClientRequest, body?: string, timeoutMs = 120_000): Promise<Answer> =>
  new Promise((resolve, reject) => {
    req.on("response", (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }))
      res.on("error", reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on("error", reject)
    req.end(body)
  })

/** A chat completion request; `model` picks the backend model (x-openclaw-model). */
const chat = (port: number, stream: boolean, model?: string) =>
  send(request(port, "POST", "/v1/chat/completions", model === undefined ? {} : { "x-openclaw-model": model }), chatBody(stream))

/** The time `GET /health` takes, in ms. */
const healthMs = async (port: number): Promise<number> => {
  const started = performance.now()
  const answer = await send(request(port, "GET", "/health"), undefined, scaled(30_000))
  expect(answer.status).toBe(200)
  return performance.now() - started
}

const kB = (pid: number, field: "VmHWM" | "VmRSS"): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN)

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe("a hostile provider against the built gateway (§8.6)", () => {
  it("30 clients that hang up after 0.4 s leave no provider request open (streaming and not)", async () => {
    const { hostile, gateway } = await withMode(modes.hold())
    const port = gateway.port
    const clients = Array.from({ length: 30 }, (_, i) => {
      const req = request(port, "POST", "/v1/chat/completions")
      req.on("error", () => undefined) // the hang-up below
      req.end(chatBody(i % 2 === 0))
      return req
    })
    // Every request reached the provider (and is held there) before the clients hang up.
    await Promise.all([sleep(400), hostile.waitFor((h) => h.open === 30, scaled(30_000), "30 open provider requests")])
    for (const req of clients) req.destroy()
    const hungUp = performance.now()
    const closed = hostile.waitFor((h) => h.open === 0, scaled(10_000), "every provider request to be closed").then(() => performance.now() - hungUp)
    // 1 s as the issue asks, stretched on a loaded machine (the gateway then gets too little CPU to do it in 1 s);
    // the provider's idle deadline is 120 s, so only the abort can close them this early.
    await sleep(scaled(1_000))
    const open = hostile.open
    const ms = await closed
    console.log(`provider requests open ${scaled(1_000)} ms after 30 clients hung up: ${open}; all closed after ${ms.toFixed(0)} ms`)
    expect(hostile.received).toBe(30)
    expect(open).toBe(0)
    expect(gateway.child.exitCode).toBeNull()
  }, scaled(90_000))

  it("a client that pipelines 5 requests on one connection and hangs up leaves none open, and the drain does not wait for them", async () => {
    const { hostile, gateway } = await withMode(modes.hold())
    // Node serves pipelined requests at once but answers them in turn: the 4 behind the first have no socket yet.
    const one = (stream: boolean) => {
      const body = chatBody(stream)
      return `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${GATEWAY_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    }
    const socket = net.connect(gateway.port, "127.0.0.1")
    socket.on("error", () => undefined)
    socket.on("data", () => undefined)
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()))
    socket.write([true, false, true, false, true].map(one).join(""))
    await hostile.waitFor((h) => h.open === 5, scaled(30_000), "5 open provider requests")
    socket.destroy()
    await hostile.waitFor((h) => h.open === 0, scaled(5_000), "every pipelined provider request to be closed")
    expect(hostile.received).toBe(5)
    // Nothing is in flight any more: SIGTERM's drain ends at once instead of waiting out its 30 s for them.
    const stopped = performance.now()
    gateway.child.kill("SIGTERM")
    const exit = await gateway.exited
    const ms = performance.now() - stopped
    console.log(`gateway exited ${ms.toFixed(0)} ms after SIGTERM, with 5 pipelined requests hung up before`)
    expect(exit.code).toBe(0)
    expect(ms).toBeLessThan(scaled(10_000))
  }, scaled(90_000))

  it("a flood of idle connections cannot take the descriptors a provider call needs: the chat is served, no profile is put in cooldown", async () => {
    const hostile = await startHostileProvider()
    const world = await GatewayHome.make({ token: true })
    // 128 descriptors: the cap the gateway derives leaves room for a provider connection per client connection.
    const gateway = await startGatewayProcess({ cwd: world.home, env: world.env(), prefix: ["bash", "-c", 'ulimit -n 128; exec "$0" "$@"'] })
    running = { hostile, world, gateway }
    // Two client connections made before the flood (no provider connection yet: /v1/models is the gateway's own).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 })
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port: gateway.port, path: "/v1/models", agent, headers: { authorization: `Bearer ${GATEWAY_TOKEN}` } }, (res) => {
          res.resume()
          res.on("end", () => resolve(res.statusCode ?? 0))
        })
        req.on("error", reject)
        req.end()
      })
    expect(await Promise.all([get(), get()])).toEqual([200, 200])
    const flood: Array<net.Socket> = []
    for (let i = 0; i < 300; i++) {
      const socket = net.connect(gateway.port, "127.0.0.1")
      socket.on("error", () => undefined)
      flood.push(socket)
    }
    await sleep(scaled(1_000))
    const fds = readdirSync(`/proc/${gateway.pid}/fd`).length
    const chat = () =>
      new Promise<Answer>((resolve, reject) => {
        const body = chatBody(false)
        const req = http.request({ host: "127.0.0.1", port: gateway.port, method: "POST", path: "/v1/chat/completions", agent, headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
          let text = ""
          res.on("data", (b: Buffer) => (text += b.toString("utf8")))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }))
        })
        req.on("error", reject)
        req.end(body)
      })
    // Two at once: each needs a provider connection of its own, opened now.
    const answers = await Promise.all([chat(), chat()])
    console.log(`gateway descriptors with 300 idle connections attempted: ${fds} (limit 128); chats: ${answers.map((a) => a.status).join(", ")}`)
    for (const socket of flood) socket.destroy()
    agent.destroy()
    expect(answers.map((a) => [a.status, a.body.slice(0, 300)])).toEqual([[200, expect.any(String)], [200, expect.any(String)]])
    const store = JSON.parse(readFileSync(world.store, "utf8")) as { usageStats?: Record<string, { cooldownUntil?: number }> }
    expect(Object.values(store.usageStats ?? {}).filter((u) => u.cooldownUntil !== undefined)).toEqual([])
    expect(gateway.child.exitCode).toBeNull()
  }, scaled(90_000))

  it("/health stays quick while a provider streams 40 MB without a newline; the stream fails as format", async () => {
    const { gateway } = await withMode(modes.noNewlines({ bytes: 40 * MB }))
    const port = gateway.port
    const idle = [await healthMs(port), await healthMs(port), await healthMs(port)]
    const samples: Array<number> = []
    const answers: Array<Answer> = []
    // Two such streams at a time, one after another, while /health is asked every 50 ms.
    let streaming = true
    const streams = Promise.all(
      [0, 1].map(async () => {
        for (let i = 0; i < 3; i++) answers.push(await chat(port, true))
      })
    ).finally(() => (streaming = false))
    streams.catch(() => undefined) // awaited below; a failure before that must not go unhandled
    const deadline = performance.now() + scaled(30_000)
    while (samples.length < 10 || (streaming && samples.length < 40 && performance.now() < deadline)) {
      samples.push(await healthMs(port))
      await sleep(50)
    }
    const figures = { idleMedian: median(idle), median: median(samples), max: Math.max(...samples), samples: samples.length }
    console.log(`/health while 40 MB streams without a newline: ${JSON.stringify(figures)} (ms)`)
    // The parser that rescanned its buffer on every chunk made /health take seconds here; a linear one answers in
    // ~50 ms on a quiet machine. The bound sits between the two with room for a busy CI machine (a 92 ms bound failed
    // once at 116 ms there): 250 ms stretched by load, or 10 × the idle median measured in this run.
    expect(figures.median).toBeLessThan(Math.max(scaled(250), 10 * figures.idleMedian))
    await streams
    for (const a of answers) {
      expect(a.status).toBe(200)
      expect(a.body).toMatch(/"type":"format"/)
    }
    expect(gateway.child.exitCode).toBeNull()
  }, scaled(180_000))

  it("a 1 GB answer (success or error) costs at most the body cap in memory; the client gets a classified error and the gateway lives", async () => {
    const hostile = await startHostileProvider()
    const { gateway } = await setUp(hostile, {
      agents: { defaults: { model: { primary: PRIMARY }, models: { [PRIMARY]: {}, "openai/gpt-4o-mini": {} } } },
      models: {
        providers: {
          anthropic: { baseUrl: hostile.baseUrl(modes.hugeBody({ bytes: 1024 * MB })) },
          openai: { baseUrl: hostile.baseUrl(modes.hugeBody({ bytes: 1024 * MB, status: 500 })) }
        }
      }
    })
    const port = gateway.port
    const pid = gateway.pid
    await healthMs(port)
    const before = kB(pid, "VmHWM")

    const ok = await chat(port, false)
    expect(ok.status).toBe(400)
    expect(JSON.parse(ok.body).error.type).toBe("format")
    expect(ok.body).toContain("maxProviderBodyBytes")
    const failing = await chat(port, false, "openai/gpt-4o-mini")
    expect(failing.status).toBe(502)
    const after = kB(pid, "VmHWM")
    const grownMb = (after - before) / 1024
    console.log(`gateway peak RSS: ${(before / 1024).toFixed(0)} MB before, ${(after / 1024).toFixed(0)} MB after two 1 GB answers (+${grownMb.toFixed(0)} MB; cap ${BODY_CAP / MB} MB)`)
    expect(grownMb).toBeLessThan(BODY_CAP / MB + 96)
    expect(await healthMs(port)).toBeGreaterThan(0)
    expect(gateway.child.exitCode).toBeNull()
    expect(gateway.stderr()).not.toMatch(/RangeError|Invalid string length|internal error/)
  }, scaled(180_000))
})
