import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

type L<A, E, R> = Layer.Layer<A, E, R>

/**
 * Layers built one after the other, each seeing what the ones before it built, all of it the result: what
 * `a.pipe(Layer.provideMerge(b) …)` chains express, in one layer. Each provideMerge is five nodes in the layer
 * graph (a ProvideMerge, a Provide, a Suspend, a context and one more merge), each memoised with its own deferred,
 * lock and scope. With these and mergeInOrder the CLI builds its ~35 services in ~16 ms instead of ~24 on this
 * machine, on every command (issue 16). The layers given are still memoised in the same memo map, so a layer
 * shared with another part of the graph is built once; their finalizers run, in reverse, when this layer's scope
 * closes.
 */
export function provideInOrder<A1, E1, R1, A2, E2, R2>(
  l1: L<A1, E1, R1>,
  l2: L<A2, E2, R2>
): L<A1 | A2, E1 | E2, R1 | Exclude<R2, A1>>
export function provideInOrder<A1, E1, R1, A2, E2, R2, A3, E3, R3>(
  l1: L<A1, E1, R1>,
  l2: L<A2, E2, R2>,
  l3: L<A3, E3, R3>
): L<A1 | A2 | A3, E1 | E2 | E3, R1 | Exclude<R2, A1> | Exclude<R3, A1 | A2>>
export function provideInOrder<A1, E1, R1, A2, E2, R2, A3, E3, R3, A4, E4, R4>(
  l1: L<A1, E1, R1>,
  l2: L<A2, E2, R2>,
  l3: L<A3, E3, R3>,
  l4: L<A4, E4, R4>
): L<A1 | A2 | A3 | A4, E1 | E2 | E3 | E4, R1 | Exclude<R2, A1> | Exclude<R3, A1 | A2> | Exclude<R4, A1 | A2 | A3>>
export function provideInOrder<A1, E1, R1, A2, E2, R2, A3, E3, R3, A4, E4, R4, A5, E5, R5>(
  l1: L<A1, E1, R1>,
  l2: L<A2, E2, R2>,
  l3: L<A3, E3, R3>,
  l4: L<A4, E4, R4>,
  l5: L<A5, E5, R5>
): L<
  A1 | A2 | A3 | A4 | A5,
  E1 | E2 | E3 | E4 | E5,
  R1 | Exclude<R2, A1> | Exclude<R3, A1 | A2> | Exclude<R4, A1 | A2 | A3> | Exclude<R5, A1 | A2 | A3 | A4>
>
export function provideInOrder(...layers: ReadonlyArray<L<unknown, unknown, unknown>>): L<unknown, unknown, unknown> {
  return inOrder(layers)
}

type Layers = readonly [L<never, any, any>, ...Array<L<never, any, any>>]

/**
 * `Layer.mergeAll`, built one after the other instead of one fiber each: layers that wait for nothing while built
 * gain nothing from the forks, and the forks and their joins cost every CLI command's start-up (issue 16). For
 * layers that need nothing from each other, as mergeAll's are, the result is the same.
 */
export const mergeInOrder = <Ls extends Layers>(...layers: Ls): Merged<Ls> =>
  inOrder(layers as unknown as ReadonlyArray<L<unknown, unknown, unknown>>) as Merged<Ls>

/** What Layer.mergeAll makes of the same layers. */
type Merged<Ls extends Layers> = L<
  { [K in keyof Ls]: Layer.Layer.Success<Ls[K]> }[number],
  { [K in keyof Ls]: Layer.Layer.Error<Ls[K]> }[number],
  { [K in keyof Ls]: Layer.Layer.Context<Ls[K]> }[number]
>

const inOrder = (layers: ReadonlyArray<L<unknown, unknown, unknown>>): L<unknown, unknown, unknown> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const memoMap = yield* Layer.CurrentMemoMap
      const scope = yield* Effect.scope
      let built = Context.empty() as Context.Context<unknown>
      for (const layer of layers) {
        // Effect.provide(context) adds to what the fiber has: the edge's own inputs stay visible to every layer.
        built = Context.merge(built, yield* Effect.provide(Layer.buildWithMemoMap(layer, memoMap, scope), built))
      }
      return built
    })
  )
