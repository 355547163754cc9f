import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { catchEnd, directPull, pullStream } from "../src/services/PullStream.js"

/**
 * services/PullStream.ts: the gateway writes a provider's stream by a loop over its pull (src/gateway/Respond.ts);
 * that loop must see what the Stream would give — the chunks, then `catchEnd`'s last items after a failure, then
 * the end — and `onEnd` must run once either way.
 */

/** Chunks ["a"], ["b", "c"], then the end or a failure. */
const source = (failWith: string | undefined) => {
  const ended = { count: 0 }
  const chunks = [["a"], ["b", "c"]]
  let i = 0
  const pull = Effect.suspend(() =>
    i < chunks.length
      ? Effect.succeed(Chunk.unsafeFromArray(chunks[i++]!))
      : Effect.fail(failWith === undefined ? Option.none<string>() : Option.some(failWith))
  )
  return { stream: pullStream(pull, () => void ended.count++), ended }
}

/** As Respond.ts runs it: pull until the end, onEnd however it ends. */
const byLoop = <A>(stream: Stream.Stream<A>) =>
  Effect.gen(function* () {
    const direct = directPull(stream)
    if (direct === undefined) return yield* Effect.die("no direct pull")
    const out: Array<A> = []
    const loop: Effect.Effect<void> = Effect.matchEffect(direct.pull, {
      onFailure: () => Effect.void,
      onSuccess: (chunk) => Effect.zipRight(Effect.sync(() => out.push(...chunk)), loop)
    })
    yield* Effect.ensuring(loop, Effect.sync(direct.onEnd))
    return out
  })

const lastWords = (error: string) => Effect.succeed([`error:${error}`])

describe("PullStream", () => {
  for (const failWith of [undefined, "broke"]) {
    it.effect(`the loop over the pull gives what the Stream gives (${failWith ?? "ends"})`, () =>
      Effect.gen(function* () {
        const a = source(failWith)
        const asStream = yield* Stream.runCollect(catchEnd(a.stream, lastWords))
        const b = source(failWith)
        const asLoop = yield* byLoop(catchEnd(b.stream, lastWords))
        const expected = failWith === undefined ? ["a", "b", "c"] : ["a", "b", "c", "error:broke"]
        expect(Chunk.toReadonlyArray(asStream)).toEqual(expected)
        expect(asLoop).toEqual(expected)
        expect([a.ended.count, b.ended.count]).toEqual([1, 1])
      })
    )
  }

  it("a stream not made by pullStream has no direct pull, nor does catchEnd over it", () => {
    const plain = Stream.make("a")
    expect(directPull(plain)).toBeUndefined()
    expect(directPull(catchEnd(plain, lastWords))).toBeUndefined()
  })
})
