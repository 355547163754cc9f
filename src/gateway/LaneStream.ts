import * as Effect from "effect/Effect"
import type { ServerResponse } from "node:http"
import type { ProviderError } from "../domain/Chat.js"
import { classifyFailure } from "../domain/Failure.js"
import type { Pumping, PushedEvents } from "../services/ProviderClient.js"
import type { Background } from "../services/Background.js"
import { redactSecrets, type SecretRegistry } from "../services/SecretRegistry.js"
import type { UsageState } from "../services/UsageState.js"

/** What the lane runs on the gateway's runtime (its bookkeeping programs), and how: in the background, `then` after. */
export type LaneEffect = Effect.Effect<void, never, Background | UsageState | SecretRegistry>
export type RunOnRuntime = (effect: LaneEffect, then?: () => void) => void

/**
 * A provider's stream, pushed (services/providers/pump.ts), written to the client by the gateway's lane (./Lane.ts)
 * as ./Respond.ts writes a pulled one: each chunk as it arrives, the provider's body paused while the client's
 * buffer is full. `started` runs once, in the tick after the first chunk's — once that chunk is on the wire — or
 * before the stream ends, fails or is stopped, whichever comes first: what it does costs the client no time to its
 * first byte, and nothing can be recorded before it. A failure after the first byte ends the stream with the client's
 * error event, written once its record (`recordLate`) is done, as ./ChatRoute.ts `endWithError` does. Returns the
 * stream's stop (a hang-up, or the drain's time ran out): the provider's request is aborted and the response ended.
 */
export const relayPushed = (
  res: ServerResponse,
  events: PushedEvents,
  how: {
    readonly run: RunOnRuntime
    /** The stream's bookkeeping (its access line and use record): after its first chunk, and before anything else. */
    readonly started: () => void
    readonly recordLate: (error: ProviderError) => LaneEffect
    /** The client's error event for a classified reason and the provider's problem, secrets scrubbed. */
    readonly errorEvent: (reason: string, problem: string) => string
    /** For the log line of an internal error. */
    readonly secrets: ReadonlyArray<string>
  }
): (() => void) => {
  let over = false
  let begun = false
  const logDefect = (defect: unknown) => how.run(Effect.logError(`internal error: ${redactSecrets(JSON.stringify(String(defect)), how.secrets)}`))
  // Its own failure is only logged: the answer the provider was paid for still goes on, a late failure is still
  // recorded, and a throw on a hang-up's path would be uncaught.
  const begin = () => {
    if (begun) return
    begun = true
    try {
      how.started()
    } catch (defect) {
      logDefect(defect)
    }
  }
  const resume = () => pumping.resume()
  const close = () => {
    over = true
    res.off("drain", resume)
    res.end()
  }
  // In node's callbacks (the provider's body, the pump's timer): a throw would be uncaught. It ends the stream
  // instead, as a defect in the fiber's path would.
  const guarded =
    <A extends ReadonlyArray<unknown>, B>(f: (...a: A) => B, otherwise: B) =>
    (...a: A): B => {
      try {
        return f(...a)
      } catch (defect) {
        pumping.stop()
        close()
        logDefect(defect)
        return otherwise
      }
    }
  const pumping: Pumping = events.start({
    chunks: guarded((chunks: ReadonlyArray<Uint8Array>) => {
      let room = true
      for (const chunk of chunks) if (!res.write(chunk)) room = false
      // Node holds a response's writes until the end of this tick (it corks the socket and uncorks it in a nextTick
      // queued by the first write): queued after that one, the bookkeeping runs once the chunk has been sent.
      if (!begun) process.nextTick(begin)
      if (!room) res.once("drain", resume)
      return room
    }, false),
    end: guarded(() => {
      begin()
      close()
    }, undefined),
    fail: guarded((error: ProviderError) => {
      begin()
      const { reason } = classifyFailure(error)
      const event = how.errorEvent(reason, error.problem)
      how.run(Effect.zipRight(Effect.logWarning(`stream ended early: ${reason}`), how.recordLate(error)), () => {
        // Stopped meanwhile (a hang-up, or the drain's time ran out and it wrote its own last event).
        if (over) return
        res.write(event)
        close()
      })
    }, undefined)
  })
  return () => {
    begin()
    pumping.stop()
    close()
  }
}
