/**
 * Provider answer bodies, read up to a cap (§8.6). A provider that answers hundreds of MB must cost the gateway a
 * bounded amount of memory, never a `RangeError: Invalid string length` thrown from a 'data' handler, which no one
 * can catch and which ends the process. The OAuth token endpoint's answers (../OAuthHttp.ts) are read through it too.
 */
import type { IncomingMessage } from "node:http"

/** An error body is read only for the provider's message: its beginning is plenty. */
export const ERROR_BODY_BYTES = 64 * 1024

export interface BodyText {
  /** False when the body was longer than the limit: the rest was not read and the body was destroyed. */
  readonly complete: boolean
  /** The body, or its first `limit` bytes; decoded on demand (a caller that refuses a large body never pays for it). */
  readonly text: () => string
  /** The same, as bytes: what a passthrough hands on unchanged (§8.4). */
  readonly bytes: () => Buffer
}

/**
 * Reads at most `limit` bytes of the body, then `onBody` once; a body that breaks off first is `onError`. Past the
 * limit the rest is not read: the body is destroyed, which closes the connection (cheaper than draining an answer
 * of unknown size to keep the connection alive).
 */
export const readBounded = (
  body: IncomingMessage,
  limit: number,
  onBody: (body: BodyText) => void,
  onError: (error: unknown) => void
): void => {
  let chunks: Array<Buffer> = []
  let size = 0
  let done = false
  const finish = (complete: boolean) => {
    if (done) return
    done = true
    const kept = chunks
    chunks = []
    if (!complete) body.destroy()
    const bytes = () => Buffer.concat(kept, size)
    onBody({ complete, text: () => bytes().toString("utf8"), bytes })
  }
  body.on("data", (chunk: Buffer) => {
    if (done) return
    const room = limit - size
    if (chunk.length <= room) {
      chunks.push(chunk)
      size += chunk.length
      return
    }
    chunks.push(chunk.subarray(0, room))
    size += room
    finish(false)
  })
  body.on("end", () => finish(true))
  // Stays registered after `finish`: an 'error' event without a listener would be thrown.
  body.on("error", (error) => {
    if (done) return
    done = true
    onError(error)
  })
}
