import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { ACCESS_BATCH_MS, makeGatewayLogger, MAX_BATCH_CHARS } from "../../src/gateway/GatewayLog.js"
import { ACCESS_LOG, logNow } from "../../src/gateway/LogNow.js"
import { makeSecretRegistry } from "../../src/services/SecretRegistry.js"

// The batching of ./src/gateway/GatewayLog.ts under fake timers: when each line reaches the write, and in what order.
const KEY = "sk-proj-Q8f3kLm2Zx9Vb7Np4Rt6Yw1Hc5Jd0GeT4"

const setup = () => {
  const secrets = makeSecretRegistry()
  Effect.runSync(secrets.register([KEY]))
  const writes: Array<string> = []
  const { logger, flush } = makeGatewayLogger(secrets, (text) => writes.push(text))
  const withLogger = <A>(effect: Effect.Effect<A>) => Effect.runSync(Effect.provide(effect, Logger.replace(Logger.defaultLogger, logger)))
  const runtime = withLogger(Effect.runtime<never>())
  return {
    writes,
    flush,
    /** The lane's access line: logNow outside a fiber. */
    laneAccess: logNow(runtime, LogLevel.Info, { access: true }),
    /** The fiber path's access line. */
    fiberAccess: (line: string) => withLogger(Effect.annotateLogs(Effect.logInfo(line), ACCESS_LOG, true)),
    info: (line: string) => withLogger(Effect.logInfo(line)),
    warn: (line: string) => withLogger(Effect.logWarning(line))
  }
}
/** A logger that has just written a line (then forgotten): access lines logged now fall within ACCESS_BATCH_MS of it. */
const justWritten = () => {
  const log = setup()
  log.info("listening")
  vi.advanceTimersByTime(0)
  expect(log.writes).toHaveLength(1)
  log.writes.length = 0
  return log
}
const lines = (text: string) => text.split("\n").filter((l) => l !== "").map((l) => l.replace(/^\S+ (\S+)\s+/, "$1 "))

describe("gateway log batches", () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "Date", "performance"] }))
  afterEach(() => void vi.useRealTimers())

  it("writes an access line after a quiet spell once the loop is idle: no timer wakes an idle gateway", () => {
    const log = setup()
    log.laneAccess("POST /v1/chat/completions 200 1ms first")
    vi.advanceTimersByTime(0)
    expect(lines(log.writes.join(""))).toEqual(["INFO POST /v1/chat/completions 200 1ms first"])
    vi.advanceTimersByTime(ACCESS_BATCH_MS)
    log.fiberAccess("POST /v1/chat/completions 200 1ms second")
    vi.advanceTimersByTime(0)
    expect(log.writes).toHaveLength(2)
  })

  it("holds access lines within ACCESS_BATCH_MS of the last write for the rest of it, then writes them in order in one write", () => {
    const log = justWritten()
    vi.advanceTimersByTime(5)
    log.laneAccess("POST /v1/chat/completions 200 1ms a")
    log.fiberAccess("POST /v1/chat/completions 200 1ms b")
    log.laneAccess("POST /v1/chat/completions 200 1ms c")
    vi.advanceTimersByTime(ACCESS_BATCH_MS - 5 - 1)
    expect(log.writes).toEqual([])
    vi.advanceTimersByTime(1)
    expect(log.writes).toHaveLength(1)
    expect(lines(log.writes[0]!)).toEqual(["INFO POST /v1/chat/completions 200 1ms a", "INFO POST /v1/chat/completions 200 1ms b", "INFO POST /v1/chat/completions 200 1ms c"])
    vi.advanceTimersByTime(10 * ACCESS_BATCH_MS)
    expect(log.writes).toHaveLength(1)
  })

  it("writes any other line once the loop is idle, with the access lines held before it, and nothing after", () => {
    const log = setup()
    log.flush()
    log.laneAccess("GET /health 200 0ms")
    vi.advanceTimersByTime(0)
    expect(log.writes).toHaveLength(1)
    log.writes.length = 0
    log.laneAccess("GET /v1/models 200 0ms")
    vi.advanceTimersByTime(0)
    expect(log.writes).toEqual([])
    log.info("reloaded on SIGHUP (generation 2)")
    log.warn("could not save gateway sessions")
    expect(log.writes).toEqual([])
    vi.advanceTimersByTime(0)
    expect(log.writes).toHaveLength(1)
    expect(lines(log.writes[0]!)).toEqual(["INFO GET /v1/models 200 0ms", "INFO reloaded on SIGHUP (generation 2)", "WARN could not save gateway sessions"])
    // An access line right after that write waits again; the timer of the one written early was cancelled with
    // the write: no second, empty write.
    log.fiberAccess("GET /health 200 0ms")
    vi.advanceTimersByTime(0)
    expect(log.writes).toHaveLength(1)
    vi.advanceTimersByTime(ACCESS_BATCH_MS)
    expect(log.writes).toHaveLength(2)
    vi.advanceTimersByTime(10 * ACCESS_BATCH_MS)
    expect(log.writes).toHaveLength(2)
  })

  it("holds no access line longer than ACCESS_BATCH_MS when the wall clock is set back", () => {
    const log = justWritten()
    vi.setSystemTime(Date.now() - 3_000)
    log.laneAccess("POST /v1/chat/completions 200 1ms after the clock went back")
    vi.advanceTimersByTime(ACCESS_BATCH_MS)
    expect(lines(log.writes.join(""))).toEqual(["INFO POST /v1/chat/completions 200 1ms after the clock went back"])
  })

  it("writes at once when the batch reaches MAX_BATCH_CHARS, and flush writes what is held", () => {
    const log = setup()
    const line = `POST /v1/chat/completions 200 1ms ${"x".repeat(200)}`
    let n = 0
    while (log.writes.length === 0) {
      log.laneAccess(line)
      n++
    }
    expect(log.writes[0]!.length).toBeGreaterThanOrEqual(MAX_BATCH_CHARS)
    expect(lines(log.writes[0]!)).toHaveLength(n)
    log.laneAccess("POST /v1/chat/completions 200 1ms last")
    log.flush()
    expect(log.writes).toHaveLength(2)
    expect(lines(log.writes[1]!)).toEqual(["INFO POST /v1/chat/completions 200 1ms last"])
    log.flush()
    expect(log.writes).toHaveLength(2)
  })

  it("masks secrets and escapes control characters in every line of a batch", () => {
    const log = justWritten()
    log.laneAccess(`POST /v1/chat/completions 401 1ms key=${KEY}`)
    log.fiberAccess(`POST /v1/chat/completions 200 1ms user=me\r\nFORGED ${KEY.slice(4, 20)}`)
    vi.advanceTimersByTime(ACCESS_BATCH_MS)
    const text = log.writes.join("")
    expect(text).not.toContain(KEY.slice(8, 16))
    expect(lines(text)).toHaveLength(2)
    expect(text).toContain("me\\r\\nFORGED")
  })
})
