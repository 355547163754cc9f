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
}

export class Background extends Context.Tag("openclaw/gateway/Background")<Background, BackgroundShape>() {
  static readonly layer = (awaitAtShutdown: Duration.DurationInput = "10 seconds") =>
    Layer.scoped(
      Background,
      Effect.gen(function* () {
        const set = yield* FiberSet.make<void, never>()
        yield* Effect.addFinalizer(() => FiberSet.awaitEmpty(set).pipe(Effect.timeout(awaitAtShutdown), Effect.ignore))
        return Background.of({ run: (task) => Effect.asVoid(FiberSet.run(set, task)) })
      })
    )
}
