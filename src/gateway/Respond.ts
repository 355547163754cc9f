import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ServerResponse } from "node:http"
import type { GatewayReply } from "./Reply.js"

/**
 * A route's reply written on node's response (the edge, ./server.ts): a whole body with its length, or an SSE
 * stream written chunk by chunk as it is pulled — each chunk leaves with the next socket write, nothing is
 * gathered — and paused while the client reads slower than the provider sends.
 */

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" } as const

/** Until the socket takes more (or the client is gone). Interruptible: a client that hangs up ends the wait. */
const drained = (res: ServerResponse) =>
  Effect.async<void>((resume) => {
    const done = () => {
      res.off("drain", done).off("close", done)
      resume(Effect.void)
    }
    res.on("drain", done).on("close", done)
    return Effect.sync(() => void res.off("drain", done).off("close", done))
  })

const writeChunk = (res: ServerResponse) => (chunk: Chunk.Chunk<string | Uint8Array>) => {
  let full = false
  for (const piece of chunk) if (!res.write(piece)) full = true
  return full && !res.destroyed ? drained(res) : Effect.void
}

export const writeReply = (res: ServerResponse, reply: GatewayReply): Effect.Effect<void> => {
  switch (reply._tag) {
    case "json": {
      const body = JSON.stringify(reply.body)
      res.writeHead(reply.status, { ...reply.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      res.end(body)
      return Effect.void
    }
    case "raw":
      res.writeHead(reply.status, { ...reply.headers, "content-type": reply.contentType, "content-length": reply.body.byteLength })
      res.end(reply.body)
      return Effect.void
    case "sse":
      res.writeHead(200, { ...SSE_HEADERS, ...reply.headers })
      // Interruptible although the request's fiber is not: a client that hangs up stops the stream, and the
      // request's scope then aborts the provider's (§8.6).
      return Stream.runForEachChunk(reply.events, writeChunk(res)).pipe(
        Effect.interruptible,
        Effect.ensuring(Effect.sync(() => res.end()))
      )
  }
}
