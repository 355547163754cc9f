/** Server-sent events as providers stream them (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation). */

export interface SseEvent {
  /** `message` when the event names no type. */
  readonly event: string
  /** Multiple `data:` lines joined with `\n`. */
  readonly data: string
}

/** Incremental: feed text split anywhere; LF, CRLF and CR all end lines; comments (`: ping`) are skipped. */
export class SseParser {
  private buffer = ""
  private started = false
  private data: Array<string> = []
  private event = ""

  push(text: string): Array<SseEvent> {
    let buf = this.buffer + text
    if (!this.started && buf !== "") {
      this.started = true
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1)
    }
    const out: Array<SseEvent> = []
    let start = 0
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      if (c === 13 && i + 1 === buf.length) break // maybe the first half of a CRLF split across pushes
      this.line(buf.slice(start, i), out)
      if (c === 13 && buf.charCodeAt(i + 1) === 10) i++
      start = i + 1
    }
    this.buffer = buf.slice(start)
    return out
  }

  /** End of the body: an unterminated last event is still delivered (lenient towards servers that omit it). */
  end(text = ""): Array<SseEvent> {
    const out = this.push(text)
    if (this.buffer !== "") this.line(this.buffer.replace(/\r$/, ""), out)
    this.buffer = ""
    this.dispatch(out)
    return out
  }

  private line(line: string, out: Array<SseEvent>): void {
    if (line === "") return this.dispatch(out)
    if (line.charCodeAt(0) === 58) return // ":" comment
    const colon = line.indexOf(":")
    const field = colon === -1 ? line : line.slice(0, colon)
    const raw = colon === -1 ? "" : line.slice(colon + 1)
    const value = raw.charCodeAt(0) === 32 ? raw.slice(1) : raw
    if (field === "data") this.data.push(value)
    else if (field === "event") this.event = value
  }

  private dispatch(out: Array<SseEvent>): void {
    if (this.data.length > 0) out.push({ event: this.event === "" ? "message" : this.event, data: this.data.join("\n") })
    this.data = []
    this.event = ""
  }
}
