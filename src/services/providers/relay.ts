/**
 * A same-shape stream passed through (§8.4): the provider's own bytes go on to the client as they arrive — each
 * line as soon as its line end is in, so a chunk of whole lines leaves with the read that brought it, and no event
 * waits for its end. The watch (./passthrough.ts) still sees every event, through the one linear parser
 * (./sse.ts), for the end marker and the provider's error event. What is held back:
 *
 * - an unfinished last line, until its line end arrives (the word `error` may be split across two reads);
 * - the lines of an event from its first line that holds `error` (`event: error`, `data: {"error": …}`) to its end:
 *   if the watch finds the provider's error event there, it is dropped — the gateway ends the stream with its own
 *   error event, classified and with secrets scrubbed (§8.4, §11) — and otherwise it goes on unchanged;
 * - everything after the end marker (read to the end for the keep-alive pool, not sent).
 *
 * Comment lines (`: keep-alive`) are dropped, as when events were written anew: they are not the answer. A step
 * is `progress` only when an event ended in it: lines of an event that never ends do not hold off the idle
 * deadline (§8.6), however fast they come.
 *
 * Both held amounts are bounded by the event size limit: past it the stream fails as `format` (§8.6).
 */
import { Buffer } from "node:buffer"
import type { StreamDecoder, StreamStep } from "../../domain/chat/Codec.js"
import { scanLines, type SseEvent, SseParser, SseTooLarge } from "./sse.js"

const LF = 10
const CR = 13
const COLON = 58
const ERROR = Buffer.from("error")
/** Ends an event of which some lines went on before the rest turned out to be the provider's error event. */
const EVENT_END = Buffer.from("\n")

/**
 * `out` with each run of adjacent views of one chunk made one view: an event's lines (`data: …\n`, then the blank
 * line) go to the client in one write, one chunk of its chunked encoding, not one per line (a 20-event stream at one
 * client: 3.1 → 2.9 ms of gateway CPU; at 16 clients, where writes are batched anyway, no difference). Adjacent views
 * of one memory are those bytes in that order, whatever made them.
 */
const joined = (out: Array<Buffer>): Array<Buffer> => {
  if (out.length < 2) return out
  const merged: Array<Buffer> = [out[0]!]
  for (let i = 1; i < out.length; i++) {
    const before = merged[merged.length - 1]!
    const next = out[i]!
    if (next.buffer === before.buffer && before.byteOffset + before.length === next.byteOffset) {
      merged[merged.length - 1] = Buffer.from(before.buffer, before.byteOffset, before.length + next.length)
    } else merged.push(next)
  }
  return merged
}

/** `done` once the end marker or the provider's error event was seen; `error` is the latter. */
export type RelayStep = StreamStep<Buffer> & { readonly progress: boolean }

export class SseRelay {
  private readonly parser: SseParser
  /** The unfinished last line, as it arrived. */
  private tail: Array<Buffer> = []
  private tailBytes = 0
  /** Lines of the current event held back since one of them mentioned `error`. */
  private held: Array<Buffer> | undefined
  private heldBytes = 0
  /** A line of the current event went on already. */
  private sentInEvent = false
  /** The last chunk ended with CR: an LF that starts the next one belongs to that line end. */
  private afterCr = false
  /** Where the last line went: an LF completing its CR goes the same way. */
  private lastLine: "sent" | "held" | "dropped" = "dropped"
  private finished = false
  /** An event ended in the chunk being read. */
  private progressed = false

  constructor(
    private readonly watch: StreamDecoder<never>,
    private readonly maxEventBytes: number
  ) {
    this.parser = new SseParser(maxEventBytes)
  }

  /** The bytes of `chunk` to hand on now, and whether the provider is done. Throws SseTooLarge. */
  push(chunk: Buffer): RelayStep {
    const out: Array<Buffer> = []
    this.progressed = false
    if (this.finished || chunk.length === 0) return { events: out, done: this.finished, progress: false }
    let start = 0
    if (this.afterCr) {
      this.afterCr = false
      if (chunk[0] === LF) {
        const lf = chunk.subarray(0, 1)
        this.parser.push(lf)
        if (this.lastLine === "sent") out.push(lf)
        else if (this.lastLine === "held") this.held?.push(lf)
        start = 1
      }
    }
    // Whole lines are taken one by one, each with its line end (LF, CR or CRLF), as the parser reads them.
    let step: RelayStep | undefined
    const scan = scanLines(chunk, start, (from, _end, next) => (step = this.line(chunk.subarray(from, next), out)) !== undefined)
    if (step !== undefined) {
      const events = joined(out)
      return step.error === undefined ? { events, done: step.done, progress: step.progress } : { events, done: step.done, progress: step.progress, error: step.error }
    }
    this.afterCr = scan.afterCr
    const lineStart = scan.rest
    const length = chunk.length
    if (lineStart < length) {
      this.tailBytes += length - lineStart
      if (this.tailBytes > this.maxEventBytes) throw new SseTooLarge(this.maxEventBytes)
      this.tail.push(lineStart === 0 ? chunk : chunk.subarray(lineStart))
    }
    return { events: joined(out), done: false, progress: this.progressed }
  }

  /**
   * The body ended: an unterminated last event still counts (lenient, as the parser is). `done` is false when the
   * provider closed the stream before it said it was finished (what came before still goes on).
   */
  end(): RelayStep {
    const out: Array<Buffer> = []
    if (this.finished) return { events: out, done: true, progress: false }
    const rest = this.tail.length === 0 ? undefined : Buffer.concat(this.tail, this.tailBytes)
    this.tail = []
    this.tailBytes = 0
    if (rest !== undefined) {
      if (this.held === undefined && rest.includes(ERROR)) this.held = []
      if (this.held !== undefined) this.held.push(rest)
      else {
        out.push(rest)
        this.sentInEvent = true
      }
    }
    const step = this.resolve(this.parser.end(rest ?? ""), out)
    if (step !== undefined) return step
    if (this.held !== undefined) for (const piece of this.held) out.push(piece)
    this.held = undefined
    const last = this.watch.onEnd()
    if (last === undefined) return { events: out, done: false, progress: false }
    this.finished = true
    return { events: out, done: true, progress: true, ...(last.error === undefined ? {} : { error: last.error }) }
  }

  /** One whole line with its line end; a step when it ended the stream. */
  private line(bytes: Buffer, out: Array<Buffer>): RelayStep | undefined {
    let whole = bytes
    if (this.tail.length > 0) {
      this.tail.push(bytes)
      whole = Buffer.concat(this.tail, this.tailBytes + bytes.length)
      this.tail = []
      this.tailBytes = 0
    }
    const events = this.parser.push(whole)
    // A comment (`: keep-alive`) is not part of the answer, and not progress: it does not go on (as before).
    if (whole[0] === COLON) {
      this.lastLine = "dropped"
      return undefined
    }
    const blank = whole[0] === LF || whole[0] === CR
    if (!blank) {
      if (this.held === undefined && whole.includes(ERROR)) this.held = []
      if (this.held !== undefined) {
        this.heldBytes += whole.length
        if (this.heldBytes > this.maxEventBytes) throw new SseTooLarge(this.maxEventBytes)
        this.held.push(whole)
        this.lastLine = "held"
      } else {
        out.push(whole)
        this.sentInEvent = true
        this.lastLine = "sent"
      }
      return undefined
    }
    // A blank line ends the event: the watch judges it before its held lines go on.
    const step = this.resolve(events, out)
    // The end of nothing that went on (after comments only): nothing to end at the client either.
    if (step === undefined && this.held === undefined && !this.sentInEvent) {
      this.lastLine = "dropped"
      return undefined
    }
    if (step !== undefined) {
      if (!step.error) out.push(whole)
      return step
    }
    if (this.held !== undefined) for (const piece of this.held) out.push(piece)
    out.push(whole)
    this.held = undefined
    this.heldBytes = 0
    this.sentInEvent = false
    this.lastLine = "sent"
    return undefined
  }

  /** The watch over the events an event's end produced: a step when the stream is over (end marker or error). */
  private resolve(events: ReadonlyArray<SseEvent>, out: Array<Buffer>): RelayStep | undefined {
    for (const event of events) {
      const step = this.watch.onEvent(event)
      if (!step.done) continue
      // Nothing after this goes on (push returns before it reads the next chunk).
      this.finished = true
      if (step.error !== undefined) {
        // The provider's error event is not handed on; an event cut in half would swallow the gateway's own.
        if (this.sentInEvent) out.push(EVENT_END)
        return { events: out, done: true, progress: true, error: step.error }
      }
      if (this.held !== undefined) for (const piece of this.held) out.push(piece)
      this.held = undefined
      return { events: out, done: true, progress: true }
    }
    if (events.length > 0) this.progressed = true
    return undefined
  }
}
