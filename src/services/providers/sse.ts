/** Server-sent events as providers stream them (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation). */

import type { SseEvent } from "../../domain/chat/Codec.js"

/** `event` is `message` when the event names no type; multiple `data:` lines are joined with `\n`. */
export type { SseEvent }

/** A line, or the data of one event, grew past the parser's limit: the stream is not one we can take (§8.6). */
export class SseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`one event of the stream is larger than ${limit} characters`)
  }
}

/**
 * Incremental: feed text split anywhere; LF, CRLF and CR all end lines; comments (`: ping`) are skipped.
 * Linear in the text received whatever the line lengths (§8.6): each push scans only its own text, and an
 * unfinished line is kept as the pieces it arrived in, joined once when it ends. A line or an event's data longer
 * than `maxEventChars` throws SseTooLarge.
 */
export class SseParser {
  /** The unfinished last line, as it arrived. */
  private pieces: Array<string> = []
  private pending = 0
  private started = false
  /** The last text ended with CR: an LF that starts the next one belongs to the same line end. */
  private afterCr = false
  private data: Array<string> = []
  private dataChars = 0
  private event = ""

  constructor(private readonly maxEventChars: number = Number.POSITIVE_INFINITY) {}

  push(text: string): Array<SseEvent> {
    const out: Array<SseEvent> = []
    if (text === "") return out
    let start = 0
    if (!this.started) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) start = 1
    }
    if (this.afterCr) {
      this.afterCr = false
      if (text.charCodeAt(start) === 10) start++
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      this.line(this.completeLine(text.slice(start, i)), out)
      if (c === 13) {
        if (i + 1 === text.length) this.afterCr = true
        else if (text.charCodeAt(i + 1) === 10) i++
      }
      start = i + 1
    }
    if (start < text.length) {
      this.pending += text.length - start
      if (this.pending > this.maxEventChars) throw new SseTooLarge(this.maxEventChars)
      this.pieces.push(text.slice(start))
    }
    return out
  }

  /** End of the body: an unterminated last event is still delivered (lenient towards servers that omit it). */
  end(text = ""): Array<SseEvent> {
    const out = this.push(text)
    if (this.pieces.length > 0) this.line(this.completeLine(""), out)
    this.afterCr = false
    this.dispatch(out)
    return out
  }

  private completeLine(last: string): string {
    if (this.pieces.length === 0) return last
    this.pieces.push(last)
    const line = this.pieces.join("")
    this.pieces = []
    this.pending = 0
    return line
  }

  private line(line: string, out: Array<SseEvent>): void {
    if (line === "") return this.dispatch(out)
    if (line.charCodeAt(0) === 58) return // ":" comment
    const colon = line.indexOf(":")
    const field = colon === -1 ? line : line.slice(0, colon)
    const raw = colon === -1 ? "" : line.slice(colon + 1)
    const value = raw.charCodeAt(0) === 32 ? raw.slice(1) : raw
    if (field === "data") {
      this.dataChars += value.length + 1
      if (this.dataChars > this.maxEventChars) throw new SseTooLarge(this.maxEventChars)
      this.data.push(value)
    } else if (field === "event") this.event = value
  }

  private dispatch(out: Array<SseEvent>): void {
    if (this.data.length > 0) out.push({ event: this.event === "" ? "message" : this.event, data: this.data.join("\n") })
    this.data = []
    this.dataChars = 0
    this.event = ""
  }
}
