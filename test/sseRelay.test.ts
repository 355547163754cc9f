import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import type { ProviderTarget } from "../src/domain/Chat.js"
import { forwardWatch } from "../src/services/providers/passthrough.js"
import { SseRelay } from "../src/services/providers/relay.js"
import { SseTooLarge } from "../src/services/providers/sse.js"

/**
 * The same-shape stream relay (services/providers/relay.ts, §8.4): the provider's bytes go on unchanged, a line as
 * soon as it is whole; the provider's error event is dropped (the gateway writes its own, scrubbed), and nothing
 * goes on after the end marker.
 */

const openai = () => forwardWatch({ api: "openai-completions" } as ProviderTarget)
const anthropic = () => forwardWatch({ api: "anthropic-messages" } as ProviderTarget)

const chunk = (text: string) => `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]}\n\n`
const DONE = "data: [DONE]\n\n"
/** Mentions the word in its content: a normal event, not the provider's error event. */
const TALKS_OF_ERRORS = chunk('an "error" is fine') + chunk("error")

interface Relayed {
  readonly text: string
  readonly done: boolean
  readonly error: string | undefined
}

/** The relay over `wire` cut at `cuts` (byte offsets), then the body's end. */
const relay = (wire: string, cuts: ReadonlyArray<number> = [], watch = openai(), max = 1 << 20): Relayed => {
  const bytes = Buffer.from(wire, "utf8")
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]
  const r = new SseRelay(watch, max)
  let text = ""
  for (let i = 0; i + 1 < points.length; i++) {
    const step = r.push(bytes.subarray(points[i], points[i + 1]))
    text += Buffer.concat(step.events).toString("utf8")
    if (step.done) return { text, done: true, error: step.error?.message }
  }
  const last = r.end()
  return { text: text + Buffer.concat(last.events).toString("utf8"), done: last.done, error: last.error?.message }
}

const cutsOf = FastCheck.uniqueArray(FastCheck.integer({ min: 1, max: 400 }), { maxLength: 16 })

describe("SseRelay (same-shape streams, §8.4)", () => {
  it.prop("split anywhere (mid-line, mid-character, mid-CRLF), the bytes go on unchanged up to the end marker", [cutsOf], ([cuts]) => {
    const wire = chunk("One ") + TALKS_OF_ERRORS + "id: 7\r\n" + chunk("é\u2028two").replace(/\n/g, "\r\n") + DONE
    expect(relay(wire + chunk("after the end"), cuts)).toEqual({ text: wire, done: true, error: undefined })
    // A comment inside an event, CRLF: it goes, its line end with it, wherever the cut between CR and LF falls.
    const crlf = `data: {"choices":[]}\r\n: ping\r\ndata: {"choices":[]}\r\n\r\n${DONE}`
    expect(relay(crlf, cuts)).toEqual({ text: crlf.replace(": ping\r\n", ""), done: true, error: undefined })
  })

  it.prop("the provider's error event is dropped, what came before goes on, whatever the cuts", [cutsOf], ([cuts]) => {
    const before = chunk("One ") + TALKS_OF_ERRORS
    const error = `data: {"error":{"message":"The server had an error","type":"server_error"}}\n\n`
    expect(relay(before + error + chunk("never"), cuts)).toEqual({ text: before, done: true, error: "The server had an error" })
  })

  it.prop("Anthropic: an `event: error` is dropped; message_stop ends it", [cutsOf], ([cuts]) => {
    const start = `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1"}}\n\n`
    const delta = `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"no error here"}}\n\n`
    const error = `event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n`
    expect(relay(start + delta + error, cuts, anthropic())).toEqual({ text: start + delta, done: true, error: "Overloaded" })
    const stop = `event: message_stop\ndata: {"type":"message_stop"}\n\n`
    expect(relay(start + delta + stop + delta, cuts, anthropic())).toEqual({ text: start + delta + stop, done: true, error: undefined })
  })

  it("a whole line goes on before its event ends; only an event's end is progress", () => {
    const r = new SseRelay(openai(), 1 << 20)
    const line = chunk("One ").slice(0, -1)
    const first = r.push(Buffer.from(line + "data: {\"cho"))
    expect(Buffer.concat(first.events).toString()).toBe(line)
    expect(first.progress).toBe(false)
    const second = r.push(Buffer.from('ices":[]}\n\n'))
    expect(Buffer.concat(second.events).toString()).toBe('data: {"choices":[]}\n\n')
    expect(second.progress).toBe(true)
  })

  it("a read of whole events goes on as one piece (one write, one chunk to the client), not one per line", () => {
    const r = new SseRelay(openai(), 1 << 20)
    const wire = Buffer.from(chunk("One ") + chunk("two"))
    const step = r.push(wire)
    expect(step.events).toHaveLength(1)
    expect(step.events[0]!.equals(wire)).toBe(true)
    // A comment in between is dropped: what is on either side of it goes in two pieces.
    const split = r.push(Buffer.from(chunk("three") + ": ping\n" + chunk("four")))
    expect(split.events.map((b) => b.toString())).toEqual([chunk("three"), chunk("four")])
    // The read that ends the stream too.
    const last = Buffer.from(chunk("five") + DONE)
    const end = r.push(last)
    expect(end.done).toBe(true)
    expect(end.events).toHaveLength(1)
    expect(end.events[0]!.equals(last)).toBe(true)
  })

  it("comments do not go on; a body that ends without the end marker or a finish reason is not done", () => {
    expect(relay(`: keep-alive\n\n${chunk("One ")}: ping\n`)).toEqual({ text: chunk("One "), done: false, error: undefined })
    const finished = chunk("x").replace('"finish_reason":null', '"finish_reason":"stop"')
    expect(relay(finished)).toEqual({ text: finished, done: true, error: undefined })
  })

  it("an event that had lines go on before its error line is ended, so the gateway's own error event stays whole", () => {
    const wire = `id: 1\nevent: error\ndata: {"type":"error","error":{"type":"api_error","message":"late"}}\n\n`
    expect(relay(wire, [], anthropic())).toEqual({ text: "id: 1\n\n", done: true, error: "late" })
  })

  it("an unfinished line, or an event held back, past the event limit fails as too large (§8.6)", () => {
    expect(() => relay(`data: ${"x".repeat(200)}`, [50, 100, 150], openai(), 100)).toThrow(SseTooLarge)
    expect(() => relay(`data: "error"\n`.repeat(20), [], openai(), 100)).toThrow(SseTooLarge)
  })
})
