import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"

/**
 * Work a request starts but does not wait for (usage bookkeeping after an answer). At shutdown it is awaited,
 * not interrupted, so a store write that began is finished before the process exits.
 */
export interface BackgroundShape {
  readonly run: (task: Effect.Effect<void>) => Effect.Effect<void>
  /**
   * At most one task per key runs, and at most one waits: a burst of requests answered by the same profile
   * makes one store write (plus one for what arrived meanwhile), not one each under the file lock.
   */
  readonly runLatest: (key: string, task: Effect.Effect<void>) => Effect.Effect<void>
}

export class Background extends Context.Tag("openclaw/Background")<Background, BackgroundShape>() {
  static readonly layer = (awaitAtShutdown: Duration.DurationInput = "10 seconds") =>
    Layer.scoped(
      Background,
      Effect.gen(function* () {
        const set = yield* FiberSet.make<void, never>()
        yield* Effect.addFinalizer(() => FiberSet.awaitEmpty(set).pipe(Effect.timeout(awaitAtShutdown), Effect.ignore))
        const run = (task: Effect.Effect<void>) => Effect.asVoid(FiberSet.run(set, task))
        const queued = new Map<string, Effect.Effect<void> | undefined>()
        const drain = (key: string): Effect.Effect<void> =>
          Effect.suspend(() => {
            const next = queued.get(key)
            if (next === undefined) {
              queued.delete(key)
              return Effect.void
            }
            queued.set(key, undefined)
            return Effect.zipRight(next, drain(key))
          })
        const runLatest = (key: string, task: Effect.Effect<void>) =>
          Effect.suspend(() => {
            const running = queued.has(key)
            queued.set(key, task)
            return running ? Effect.void : run(drain(key))
          })
        return Background.of({ run, runLatest })
      })
    )
}
