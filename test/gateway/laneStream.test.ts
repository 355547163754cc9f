import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import type { ServerResponse } from "node:http"
import { ProviderError } from "../../src/domain/Chat.js"
import { relayPushed } from "../../src/gateway/LaneStream.js"
import type { Pumping, StreamSink } from "../../src/services/ProviderClient.js"

/**
 * The lane's stream relay (src/gateway/LaneStream.ts): its bookkeeping (`started`: the access line, the use record)
 * runs after the first chunk has gone out — node sends a response's writes when it uncorks the socket, in a nextTick
 * queued by the first write — so it costs the client nothing before its first byte (issue 16); and exactly once,
 * before anything else it could be recorded over: a late failure's record, the end, a hang-up.
 */

/** What happened, in order: the response's writes and end, and the bookkeeping. */
const recorder = () => {
  const said: Array<string> = []
  let corked = false
  const res = {
    // As node's response: a write is sent when the socket is uncorked, in a nextTick the first write of a tick queues.
    write: (chunk: Uint8Array | string) => {
      said.push(`write ${Buffer.from(chunk).toString("utf8")}`)
      if (!corked) {
        corked = true
        process.nextTick(() => {
          corked = false
          said.push("sent")
        })
      }
      return true
    },
    end: () => void said.push("end"),
    once: () => res,
    off: () => res
  }
  return { said, res: res as unknown as ServerResponse }
}

/** A provider's stream that hands its sink to the test; `stop` is recorded. */
const pushed = (said: Array<string>) => {
  let sink: StreamSink<Uint8Array> | undefined
  const events = {
    _tag: "push" as const,
    start: (s: StreamSink<Uint8Array>): Pumping => {
      sink = s
      return { resume: () => undefined, stop: () => void said.push("provider stopped") }
    }
  }
  return { events, sink: () => sink! }
}

const relay = (said: Array<string>, res: ServerResponse, events: ReturnType<typeof pushed>["events"], started = () => void said.push("started")) =>
  relayPushed(res, events, {
    run: (effect, then) => {
      said.push("record")
      Effect.runFork((effect as Effect.Effect<void>).pipe(Logger.withMinimumLogLevel(LogLevel.None))).addObserver(() => then?.())
    },
    started,
    recordLate: () => Effect.void,
    errorEvent: (reason) => `error ${reason}`,
    secrets: []
  })

const bytes = (s: string) => new TextEncoder().encode(s)

describe("gateway: the lane's stream relay (issue 16)", () => {
  it("sends the first chunk before its bookkeeping, which runs once", async () => {
    const { said, res } = recorder()
    const provider = pushed(said)
    relay(said, res, provider.events)
    expect(said).toEqual([])
    provider.sink().chunks([bytes("a"), bytes("b")])
    provider.sink().chunks([bytes("c")])
    await new Promise((r) => setTimeout(r, 0))
    provider.sink().chunks([bytes("d")])
    provider.sink().end()
    await new Promise((r) => setTimeout(r, 0))
    expect(said).toEqual(["write a", "write b", "write c", "sent", "started", "write d", "end", "sent"])
  })

  it("a stream that ends or fails in the tick of its first chunk does its bookkeeping first", async () => {
    const ended = recorder()
    const e = pushed(ended.said)
    relay(ended.said, ended.res, e.events)
    e.sink().chunks([bytes("a")])
    e.sink().end()
    await new Promise((r) => setTimeout(r, 0))
    expect(ended.said).toEqual(["write a", "started", "end", "sent"])

    const failed = recorder()
    const f = pushed(failed.said)
    relay(failed.said, failed.res, f.events)
    f.sink().chunks([bytes("a")])
    f.sink().fail(new ProviderError({ provider: "openai", kind: "network", detail: "reset" }))
    await new Promise((r) => setTimeout(r, 0))
    expect(failed.said.slice(0, 3)).toEqual(["write a", "started", "record"])
    expect(failed.said.filter((s) => s === "started")).toHaveLength(1)
  })

  it("a stream that ends, fails or is stopped before any chunk still does its bookkeeping first", async () => {
    const ended = recorder()
    const e = pushed(ended.said)
    relay(ended.said, ended.res, e.events)
    e.sink().end()
    expect(ended.said).toEqual(["started", "end"])

    const failed = recorder()
    const f = pushed(failed.said)
    relay(failed.said, failed.res, f.events)
    f.sink().fail(new ProviderError({ provider: "openai", kind: "network", detail: "reset" }))
    // The late failure is recorded after the use, then the error event ends the stream.
    await new Promise((r) => setTimeout(r, 0))
    expect(failed.said).toEqual(["started", "record", "write error unknown", "end", "sent"])

    const stopped = recorder()
    const s = pushed(stopped.said)
    const stop = relay(stopped.said, stopped.res, s.events)
    stop()
    expect(stopped.said).toEqual(["started", "provider stopped", "end"])
  })

  it("a bookkeeping that throws is logged; the stream goes on, and a hang-up still stops it", async () => {
    const { said, res } = recorder()
    const provider = pushed(said)
    const stop = relay(said, res, provider.events, () => {
      said.push("started")
      throw new Error("a bug")
    })
    provider.sink().chunks([bytes("a")])
    await new Promise((r) => setTimeout(r, 0))
    provider.sink().chunks([bytes("b")])
    stop()
    expect(said).toEqual(["write a", "sent", "started", "record", "write b", "provider stopped", "end"])
  })

  it("a failure after the first chunk is recorded after the bookkeeping, never before it", async () => {
    const { said, res } = recorder()
    const provider = pushed(said)
    relay(said, res, provider.events)
    provider.sink().chunks([bytes("a")])
    await new Promise((r) => setTimeout(r, 0))
    provider.sink().fail(new ProviderError({ provider: "openai", kind: "network", detail: "reset" }))
    await new Promise((r) => setTimeout(r, 0))
    expect(said.slice(0, 4)).toEqual(["write a", "sent", "started", "record"])
    expect(said.filter((s) => s === "started")).toHaveLength(1)
  })
})
