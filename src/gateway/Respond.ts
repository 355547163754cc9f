import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { untilDrained } from "../services/Drain.js"
import { type DirectPull, directPull } from "../services/PullStream.js"
import { putHeaders } from "../domain/Headers.js"
import type { GatewayReply } from "./Reply.js"

/**
 * A route's reply written on node's response (the edge, ./server.ts): a whole body with its length, or an SSE
 * stream written chunk by chunk as it is pulled — each chunk leaves with the next socket write, nothing is
 * gathered — and paused while the client reads slower than the provider sends.
 */

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" } as const

const writeChunk = (res: ServerResponse) => (chunk: Chunk.Chunk<string | Uint8Array>) => {
  let full = false
  for (const piece of chunk) if (!res.write(piece)) full = true
  // Until the socket takes more (or the client is gone); a client that hangs up ends the wait.
  return full ? untilDrained(res) : Effect.void
}

/**
 * Every chunk of the pull, written, until its end. A reply's stream cannot fail (a provider's failure was made its
 * last event by ChatRoute's `catchEnd`): any other failure is a defect, as it would be for the Stream.
 */
const relay = <A>(source: DirectPull<A>, write: (chunk: Chunk.Chunk<A>) => Effect.Effect<void>): Effect.Effect<void> => {
  const loop: Effect.Effect<void> = Effect.matchEffect(source.pull, {
    onFailure: (end) => (Option.isSome(end) ? Effect.die(end.value) : Effect.void),
    onSuccess: (chunk) => Effect.zipRight(write(chunk), loop)
  })
  return loop
}

/** Responses that are event streams now: the drain at shutdown ends these with an error event (./server.ts). */
const streaming = new WeakSet<ServerResponse>()
export const isStreaming = (res: ServerResponse): boolean => streaming.has(res)

/**
 * A whole answer waits in memory until the client takes it. A client that takes none of it for this long loses its
 * connection, and the answer's memory goes with it: else every client that asks and never reads could hold a
 * provider's answer (up to maxProviderBodyBytes) for as long as it liked (§8.6). A slow reader that takes some in
 * each period keeps its connection; streams need no such watch (their relay waits for the client to drain).
 */
export const UNREAD_MS = 60_000

/**
 * Bytes still to go to the kernel: node's buffer, plus what libuv has left of the write in flight — node counts a
 * write whole until it completes (one 30 MB body is one write), libuv's queue shrinks as the client reads.
 */
const unsent = (socket: Socket): number => socket.writableLength + ((socket as Socket & { _handle?: { writeQueueSize?: number } })._handle?.writeQueueSize ?? 0)

const dropWhenUnread = (res: ServerResponse, unreadMs: number): void => {
  const socket = res.socket
  // A response pipelined behind another has no socket yet: it waits in node's queue, its size bounded by the cap.
  if (socket === null || socket.writableLength === 0) return
  let waiting = unsent(socket)
  const watch = setInterval(() => {
    if (socket.destroyed) return stop()
    const now = unsent(socket)
    if (now < waiting) return void (waiting = now)
    stop()
    socket.destroy()
  }, unreadMs)
  watch.unref()
  // This answer's watch: it ends with the answer (all of it handed to the kernel), not with the connection, which
  // may carry the next answer already.
  const stop = () => {
    clearInterval(watch)
    res.off("finish", stop)
    res.off("close", stop)
  }
  res.once("finish", stop)
  res.once("close", stop)
}

/** An event stream's head; the drain at shutdown ends the response with an error event from now on (./server.ts). */
export const startEvents = (res: ServerResponse, headers: Readonly<Record<string, string>> | undefined): void => {
  const all: Record<string, string> = {}
  putHeaders(all, SSE_HEADERS)
  putHeaders(all, headers)
  res.writeHead(200, all)
  streaming.add(res)
}

/** A whole body as it is (a provider's own bytes): what the `raw` reply writes, and the gateway's lane. */
export const writeWhole = (
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Uint8Array,
  headers: Readonly<Record<string, string>> | undefined,
  unreadMs: number = UNREAD_MS
): void => {
  const all: Record<string, string | number> = {}
  putHeaders(all, headers)
  all["content-type"] = contentType
  all["content-length"] = body.byteLength
  res.writeHead(status, all)
  res.end(body)
  dropWhenUnread(res, unreadMs)
}

export const writeReply = (res: ServerResponse, reply: GatewayReply, unreadMs: number = UNREAD_MS): Effect.Effect<void> => {
  switch (reply._tag) {
    case "json":
      writeWhole(res, reply.status, "application/json", Buffer.from(JSON.stringify(reply.body)), reply.headers, unreadMs)
      return Effect.void
    case "raw":
      writeWhole(res, reply.status, reply.contentType, reply.body, reply.headers, unreadMs)
      return Effect.void
    case "sse": {
      startEvents(res, reply.headers)
      // A provider's stream is written by a loop over its pull: Stream's channel machinery costs more per chunk
      // than the rest of the relay (services/PullStream.ts). Interruptible although the request's fiber is not: a
      // client that hangs up stops the stream, and the request's scope then aborts the provider's (§8.6).
      const source = directPull(reply.events)
      const written =
        source === undefined
          ? Stream.runForEachChunk(reply.events, writeChunk(res))
          : Effect.ensuring(relay(source, writeChunk(res)), Effect.sync(source.onEnd))
      return written.pipe(Effect.interruptible, Effect.ensuring(Effect.sync(() => res.end())))
    }
  }
}
