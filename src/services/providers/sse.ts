/** Server-sent events as providers stream them (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation). */
import { Buffer } from "node:buffer"
import type { SseEvent } from "../../domain/chat/Codec.js"

/** `event` is `message` when the event names no type; multiple `data:` lines are joined with `\n`. */
export type { SseEvent }

/** A line, or the data of one event, grew past the parser's limit: the stream is not one we can take (§8.6). */
export class SseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`one event of the stream is larger than ${limit} bytes`)
  }
}

const LF = 10
const CR = 13

const asBuffer = (bytes: Uint8Array | string): Buffer =>
  typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * The whole lines of `bytes` from `from`, in order: `line(start, end, next)` with the line's text at [start, end) and
 * its end (LF, CR or CRLF) at [end, next); `line` returning true stops the scan. Then `rest` is where the unfinished
 * last line starts (or where the scan stopped), and `afterCr` says the chunk ended in a CR, whose LF may open the
 * next chunk. The next LF and CR are each searched for again only once passed — a native byte search, linear
 * however they mix (§8.6). Shared by the parser below and the relay (./relay.ts).
 */
export const scanLines = (
  bytes: Buffer,
  from: number,
  line: (start: number, end: number, next: number) => boolean | void
): { readonly rest: number; readonly afterCr: boolean } => {
  const length = bytes.length
  let start = from
  let afterCr = false
  let lf = bytes.indexOf(LF, start)
  let cr = bytes.indexOf(CR, start)
  while (lf !== -1 || cr !== -1) {
    const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr)
    let next = end + 1
    if (end === cr) {
      if (next === length) afterCr = true
      else if (bytes[next] === LF) next++
    }
    if (line(start, end, next) === true) return { rest: next, afterCr }
    start = next
    if (lf !== -1 && lf < start) lf = bytes.indexOf(LF, start)
    if (cr !== -1 && cr < start) cr = bytes.indexOf(CR, start)
  }
  return { rest: start, afterCr }
}

/**
 * Incremental, over the bytes as they arrive (split anywhere, mid-character included); LF, CRLF and CR all end
 * lines; comments (`: ping`) are skipped. Linear in the bytes received whatever the line lengths (§8.6), and cheap
 * per chunk: line ends are found with a native byte search (CR and LF never occur inside a multi-byte UTF-8
 * character), an unfinished line is kept as the chunks it arrived in — no decoding, no copy — and only a complete
 * line is decoded, once. So a provider that streams tens of MB without a newline costs the event loop a few
 * microseconds per chunk and the garbage collector nothing to copy (decoding every chunk to a string made it
 * spend more time collecting than parsing; bench/README.md, Hostile provider). A line or an event's data longer
 * than `maxEventBytes` throws SseTooLarge.
 */
export class SseParser {
  /** The unfinished last line, as it arrived. */
  private pieces: Array<Buffer> = []
  private pending = 0
  private firstLine = true
  /** The last chunk ended with CR: an LF that starts the next one belongs to the same line end. */
  private afterCr = false
  private data: Array<string> = []
  private dataBytes = 0
  private event = ""

  constructor(private readonly maxEventBytes: number = Number.POSITIVE_INFINITY) {}

  /** Bytes as they arrived (a string is taken as its UTF-8 bytes). */
  push(chunk: Uint8Array | string): Array<SseEvent> {
    const out: Array<SseEvent> = []
    const bytes = asBuffer(chunk)
    const length = bytes.length
    if (length === 0) return out
    let start = 0
    if (this.afterCr) {
      this.afterCr = false
      if (bytes[0] === LF) start = 1
    }
    const scan = scanLines(bytes, start, (from, end) => void this.line(this.completeLine(bytes, from, end), out))
    this.afterCr = scan.afterCr
    start = scan.rest
    if (start < length) {
      this.pending += length - start
      if (this.pending > this.maxEventBytes) throw new SseTooLarge(this.maxEventBytes)
      this.pieces.push(start === 0 ? bytes : bytes.subarray(start))
    }
    return out
  }

  /** End of the body: an unterminated last event is still delivered (lenient towards servers that omit it). */
  end(chunk: Uint8Array | string = ""): Array<SseEvent> {
    const out = this.push(chunk)
    if (this.pieces.length > 0) this.line(this.completeLine(Buffer.alloc(0), 0, 0), out)
    this.afterCr = false
    this.dispatch(out)
    return out
  }

  /** The line that ends at `end` in `bytes`, with what came before it: its decoded text and its size in bytes. */
  private completeLine(bytes: Buffer, start: number, end: number): { readonly text: string; readonly size: number } {
    let line: Buffer
    if (this.pieces.length === 0) line = bytes.subarray(start, end)
    else {
      this.pieces.push(bytes.subarray(start, end))
      line = Buffer.concat(this.pieces, this.pending + end - start)
      this.pieces = []
      this.pending = 0
    }
    let text = line.length === 0 ? "" : line.toString("utf8")
    if (this.firstLine) {
      this.firstLine = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    return { text, size: line.length }
  }

  private line({ text: line, size }: { readonly text: string; readonly size: number }, out: Array<SseEvent>): void {
    if (line === "") return this.dispatch(out)
    if (line.charCodeAt(0) === 58) return // ":" comment
    const colon = line.indexOf(":")
    const field = colon === -1 ? line : line.slice(0, colon)
    const raw = colon === -1 ? "" : line.slice(colon + 1)
    const value = raw.charCodeAt(0) === 32 ? raw.slice(1) : raw
    if (field === "data") {
      this.dataBytes += size + 1
      if (this.dataBytes > this.maxEventBytes) throw new SseTooLarge(this.maxEventBytes)
      this.data.push(value)
    } else if (field === "event") this.event = value
  }

  private dispatch(out: Array<SseEvent>): void {
    if (this.data.length > 0) out.push({ event: this.event === "" ? "message" : this.event, data: this.data.join("\n") })
    this.data = []
    this.dataBytes = 0
    this.event = ""
  }
}
