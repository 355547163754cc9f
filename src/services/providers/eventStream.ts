/**
 * A provider's event-stream body as a Stream of chunks, pulled: the push of ./pump.ts (a BodyReader — the parser and
 * a decoder here, or the same-shape relay of ./relay.ts — under an idle deadline and the event size limit, §8.6)
 * held for each pull.
 */
import type { IncomingMessage } from "node:http"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import type { ProviderError } from "../../domain/Chat.js"
import type { StreamDecoder, StreamStep } from "../../domain/chat/Codec.js"
import { pullStream } from "../PullStream.js"
import { type BodyReader, pumpBody, type ReaderStep } from "./pump.js"
import { type CallContext, failure } from "./errors.js"
import { type SseEvent, SseParser } from "./sse.js"

/** Events through the parser and a decoder (the provider's shape → canonical events, or → the client's frames). */
export const decodedBody = <T>(maxEventBytes: number, decoder: StreamDecoder<T>): BodyReader<T> => {
  const parser = new SseParser(maxEventBytes)
  const run = (events: ReadonlyArray<SseEvent>): ReaderStep<T> => {
    const out: Array<T> = []
    let error: StreamStep<T>["error"]
    for (const event of events) {
      const step = decoder.onEvent(event)
      for (const chunk of step.events) out.push(chunk)
      if (step.error !== undefined) error = step.error
      if (step.done) return { events: out, done: true, progress: out.length > 0, ...(error === undefined ? {} : { error }) }
    }
    return { events: out, done: false, progress: out.length > 0, ...(error === undefined ? {} : { error }) }
  }
  return {
    push: (bytes) => run(parser.push(bytes)),
    end: () => {
      const step = run(parser.end())
      if (step.done) return step
      const last = decoder.onEnd()
      if (last === undefined) return step
      const events = [...step.events, ...last.events]
      return { events, done: true, progress: events.length > 0, ...((last.error ?? step.error) === undefined ? {} : { error: last.error ?? step.error }) }
    }
  }
}

/**
 * The body as a pulled Stream of chunks (what a fiber writes): the push of ./pump.ts — its reader, event size limit,
 * idle deadline and end — with each delivery held in `ready` until the next pull, and the body paused while it is
 * (a slow client slows the provider; the idle deadline runs while a pull waits, as the pump's runs while its sink
 * takes chunks). Not the body's async iterator: its read() concatenates whatever is buffered into a new Buffer, a
 * copy per read that was a large part of the gateway's CPU while a provider streamed megabytes without an event
 * (bench/README.md, Hostile provider). Ending the stream early, or interrupting a pull, aborts the request; after a
 * normal end a body not read to its end yet is closed too. Run once.
 */
export const sseStream = <T>(
  ctx: CallContext,
  body: IncomingMessage,
  abort: () => void,
  reader: BodyReader<T>
): Stream.Stream<T, ProviderError> => {
  let ready: Array<T> = []
  /** Open, ended by the provider, or the ProviderError it broke with (thrown after `ready` is delivered). */
  let outcome: "open" | "ended" | ProviderError = "open"
  /** The pull waiting for a chunk. */
  let waiting: (() => void) | undefined
  const wake = () => {
    const w = waiting
    waiting = undefined
    w?.()
  }
  const pumping = pumpBody(ctx, body, abort, reader, {
    chunks: (chunks) => {
      for (const chunk of chunks) ready.push(chunk)
      wake()
      // Paused until the next pull: the deadline runs only while one waits.
      return false
    },
    end: () => {
      outcome = "ended"
      wake()
    },
    fail: (error) => {
      outcome = error
      wake()
    }
  }, { startPaused: true })
  /** Stopped before the provider finished (an interrupted pull, the stream ended early): a later pull fails at once. */
  const stop = () => {
    pumping.stop()
    if (outcome === "open") outcome = failure(ctx, Object.assign(new Error("aborted"), { code: "ECONNRESET" }), false, "data")
  }
  const pull = Effect.async<Chunk.Chunk<T>, Option.Option<ProviderError>>((resume) => {
    const deliver = () => {
      if (ready.length > 0) {
        const chunks = ready
        ready = []
        return resume(Effect.succeed(Chunk.unsafeFromArray(chunks)))
      }
      resume(Effect.fail(outcome === "open" || outcome === "ended" ? Option.none() : Option.some(outcome)))
    }
    if (ready.length > 0 || outcome !== "open") return deliver()
    waiting = deliver
    pumping.resume()
    return Effect.sync(() => {
      waiting = undefined
      stop()
    })
  })
  // A pullStream: the gateway writes it with a loop over `pull` (../PullStream.ts).
  return pullStream(pull, () => {
    stop()
    if (!body.complete) abort()
  })
}
