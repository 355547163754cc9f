import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * A Stream that also carries the pull it is made of, so the gateway's HTTP edge can write a provider's stream
 * with a plain loop over the pull instead of running it through Stream's channel machinery. That machinery costs
 * ~40 µs of CPU per chunk (~0.9 ms for a 20-chunk answer, measured: bench/README.md, Gateway, "Lean path") where
 * the loop costs ~4, and ~0.2 ms before the first chunk reaches the client. Every other consumer runs it as the
 * Stream it is; either way it is run once, and `onEnd` runs however it ends.
 */
export interface DirectPull<A> {
  /** The next chunk; fails with None at the end, Some(error) when it broke. */
  readonly pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<unknown>>
  readonly onEnd: () => void
}

const PULL: unique symbol = Symbol.for("openclaw/PullStream")

type WithPull<A, E> = Stream.Stream<A, E> & { readonly [PULL]?: DirectPull<A> }

/** The stream of `pull` (Stream.repeatEffectChunkOption), `onEnd` run when it ends for any reason. */
export const pullStream = <A, E>(pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>>, onEnd: () => void): Stream.Stream<A, E> =>
  Object.assign(Stream.repeatEffectChunkOption(pull).pipe(Stream.ensuring(Effect.sync(onEnd))), { [PULL]: { pull, onEnd } })

/** The pull of a stream made by `pullStream` (or `catchEnd` over one); undefined for any other stream. */
export const directPull = <A, E>(stream: Stream.Stream<A, E>): DirectPull<A> | undefined => (stream as WithPull<A, E>)[PULL]

/**
 * Stream.catchAll for a stream that, once it fails, ends with what `onError` gives. Keeps the direct pull of a
 * `pullStream`: its failure becomes those last items, then the end.
 */
export const catchEnd = <A, E>(stream: Stream.Stream<A, E>, onError: (error: E) => Effect.Effect<ReadonlyArray<A>>): Stream.Stream<A> => {
  const asStream = Stream.catchAll(stream, (error) => Stream.fromIterableEffect(onError(error)))
  const source = directPull(stream)
  if (source === undefined) return asStream
  let failed = false
  const pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<never>> = Effect.suspend(() =>
    failed
      ? Effect.fail(Option.none())
      : Effect.catchAll(source.pull, (end) => {
          if (Option.isNone(end)) return Effect.fail(Option.none())
          failed = true
          return Effect.map(onError(end.value as E), Chunk.fromIterable)
        })
  )
  return Object.assign(asStream, { [PULL]: { pull, onEnd: source.onEnd } })
}
