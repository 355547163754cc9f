import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

type L<A, E, R> = Layer.Layer<A, E, R>

/**
 * What builds each layer made by `serviceLayer` (and by the lists below). A list built in order runs it in place,
 * in the list's own scope, instead of asking the memo map: memoising a layer costs a lock, a deferred, two refs, a
 * scope and a diff of every fiber ref: building the CLI's ~35 layers took ~9 ms of a ~72 ms command, in place ~5
 * (issue 16). Such a layer is built once per list it is in, then, not once per memo map: keep a stateful one in one
 * list of an edge's graph. Built anywhere else (Effect.provide, Layer.provide, a test), it is an ordinary layer.
 */
const inPlace = new WeakMap<L<any, any, any>, Effect.Effect<Context.Context<any>, any, any>>()

const remember = <A, E, R>(build: Effect.Effect<Context.Context<A>, E, R>): L<A, E, Exclude<R, Scope.Scope>> => {
  const layer = Layer.scopedContext(build)
  inPlace.set(layer, build)
  return layer
}

/** `Layer.effect(tag, make)` (or `scoped`: a finalizer `make` adds runs when the layer's scope closes), built in place by a list. */
export const serviceLayer = <I, S, E, R>(tag: Context.Tag<I, S>, make: Effect.Effect<S, E, R>): L<I, E, Exclude<R, Scope.Scope>> =>
  remember(Effect.map(make, (service) => Context.make(tag, service)))

/**
 * Layers built one after the other, each seeing what the ones before it built, all of it the result: what
 * `a.pipe(Layer.provideMerge(b) …)` chains express, in one layer. Each provideMerge is five nodes in the layer
 * graph (a ProvideMerge, a Provide, a Suspend, a context and one more merge), each memoised with its own deferred,
 * lock and scope. With these and mergeInOrder the CLI built its ~35 services in ~16 ms instead of ~24 on an earlier
 * machine (issue 16). Layers of other kinds are memoised in the same memo map, so one shared with another part of
 * the graph is built once; a `serviceLayer` or a nested list is built in place (above). Finalizers run, in reverse,
 * when this layer's scope closes.
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
  remember(
    Effect.gen(function* () {
      const memoMap = yield* Layer.CurrentMemoMap
      const scope = yield* Effect.scope
      let built = Context.empty() as Context.Context<unknown>
      for (const layer of layers) {
        // Effect.provide(context) adds to what the fiber has: the edge's own inputs stay visible to every layer. A
        // nested list runs in place too, in this scope.
        const build = inPlace.get(layer) ?? Layer.buildWithMemoMap(layer, memoMap, scope)
        built = Context.merge(built, yield* Effect.provide(build, built))
      }
      return built
    })
  )
