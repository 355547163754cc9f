import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { mergeInOrder, provideInOrder, serviceLayer } from "../src/services/LayerInOrder.js"

/**
 * services/LayerInOrder.ts builds the CLI's layers (services/AppLayer.ts, bin/openclaw.ts) without provideMerge's
 * and mergeAll's graph nodes and forks. What the app relies on must hold as with those: a later layer sees what the
 * earlier ones built, a layer used twice is built once, an input of the edge reaches every layer, finalizers run in
 * reverse when the scope closes, and a failure is the layer's failure. A `serviceLayer` in a list is built in place,
 * without the memo map: once per list it is in.
 */

class Host extends Context.Tag("test/Host")<Host, { readonly name: string }>() {}
class Disk extends Context.Tag("test/Disk")<Disk, { readonly path: string }>() {}
class Store extends Context.Tag("test/Store")<Store, { readonly at: string }>() {}
class Edge extends Context.Tag("test/Edge")<Edge, { readonly tty: boolean }>() {}

/** Layers that record when they are built and released, in order. */
const recording = () => {
  const log: Array<string> = []
  const host = Layer.scoped(
    Host,
    Effect.acquireRelease(
      Effect.sync(() => (log.push("build host"), { name: "h" })),
      () => Effect.sync(() => void log.push("release host"))
    )
  )
  const disk = Layer.scoped(
    Disk,
    Effect.acquireRelease(
      Effect.map(Host, (h) => (log.push("build disk"), { path: `/${h.name}` })),
      () => Effect.sync(() => void log.push("release disk"))
    )
  )
  // Needs Disk from the layer before it, and Edge from whoever provides the whole.
  const store = Layer.effect(
    Store,
    Effect.map(Effect.all([Disk, Edge]), ([d, e]) => (log.push("build store"), { at: `${d.path}:${e.tty}` }))
  )
  return { log, host, disk, store }
}

describe("provideInOrder", () => {
  it.effect("later layers see what earlier ones built; all of it is the result; the edge's inputs reach every layer", () =>
    Effect.gen(function* () {
      const { log, host, disk, store } = recording()
      const app = provideInOrder(host, disk, store)
      const [h, d, s] = yield* Effect.all([Host, Disk, Store]).pipe(
        Effect.provide(app),
        Effect.provideService(Edge, { tty: true })
      )
      expect([h.name, d.path, s.at]).toEqual(["h", "/h", "/h:true"])
      expect(log).toEqual(["build host", "build disk", "build store", "release disk", "release host"])
    })
  )

  it.effect("a layer shared with the rest of the graph is built once", () =>
    Effect.gen(function* () {
      const { log, host, disk, store } = recording()
      // `host` is in the chain and, again, provided to `disk` on its own: one memo map, one build.
      const app = Layer.merge(provideInOrder(host, disk, store), disk.pipe(Layer.provide(host)))
      yield* Effect.provide(Effect.all([Host, Disk, Store]), app).pipe(Effect.provideService(Edge, { tty: false }))
      expect(log.filter((l) => l === "build host")).toHaveLength(1)
      expect(log.filter((l) => l === "build disk")).toHaveLength(1)
    })
  )

  it.effect("finalizers run when the scope closes, last built first", () =>
    Effect.gen(function* () {
      const { log, host, disk } = recording()
      const scope = yield* Scope.make()
      yield* Layer.buildWithScope(provideInOrder(host, disk), scope)
      expect(log).toEqual(["build host", "build disk"])
      yield* Scope.close(scope, Exit.void)
      expect(log).toEqual(["build host", "build disk", "release disk", "release host"])
    })
  )

  it.effect("a failing layer fails the whole, and what was built before it is released", () =>
    Effect.gen(function* () {
      const { log, host } = recording()
      const broken = Layer.effect(Disk, Effect.fail("no disk" as const))
      const exit = yield* Effect.exit(Effect.provide(Host, provideInOrder(host, broken)))
      expect(exit).toStrictEqual(Exit.fail("no disk"))
      expect(log).toEqual(["build host", "release host"])
    })
  )
})

describe("mergeInOrder", () => {
  it.effect("the same services as Layer.mergeAll, each layer built once, in the order given", () =>
    Effect.gen(function* () {
      const { log, host, disk } = recording()
      const diskOnHost = disk.pipe(Layer.provide(host))
      const store = Layer.succeed(Store, { at: "s" })
      const ours = yield* Effect.provide(Effect.all([Host, Disk, Store]), mergeInOrder(host, diskOnHost, store))
      const theirs = yield* Effect.provide(Effect.all([Host, Disk, Store]), Layer.mergeAll(host, diskOnHost, store))
      expect(ours).toEqual(theirs)
      expect(log.slice(0, 2)).toEqual(["build host", "build disk"])
    })
  )
})

describe("serviceLayer", () => {
  const services = () => {
    const log: Array<string> = []
    const host = serviceLayer(Host, Effect.sync(() => (log.push("build host"), { name: "h" })))
    const disk = serviceLayer(
      Disk,
      Effect.acquireRelease(
        Effect.map(Host, (h) => (log.push("build disk"), { path: `/${h.name}` })),
        () => Effect.sync(() => void log.push("release disk"))
      )
    )
    const store = serviceLayer(Store, Effect.map(Disk, (d) => (log.push("build store"), { at: d.path })))
    return { log, host, disk, store }
  }

  it.effect("in lists, nested too: built in order, each seeing the ones before, released when the list's scope closes", () =>
    Effect.gen(function* () {
      const { log, host, disk, store } = services()
      const plain = Layer.succeed(Edge, { tty: true })
      const scope = yield* Scope.make()
      const built = yield* Layer.buildWithScope(provideInOrder(host, mergeInOrder(disk, plain), store), scope)
      expect([Context.get(built, Store).at, Context.get(built, Edge).tty]).toEqual(["/h", true])
      expect(log).toEqual(["build host", "build disk", "build store"])
      yield* Scope.close(scope, Exit.void)
      expect(log).toEqual(["build host", "build disk", "build store", "release disk"])
    })
  )

  it.effect("on its own, is an ordinary layer: memoised, so used twice in a graph it is built once", () =>
    Effect.gen(function* () {
      const { log, host, disk } = services()
      const app = Layer.merge(disk.pipe(Layer.provide(host)), host)
      const [h, d] = yield* Effect.provide(Effect.all([Host, Disk]), app)
      expect([h.name, d.path]).toEqual(["h", "/h"])
      expect(log.filter((l) => l === "build host")).toHaveLength(1)
    })
  )

  it.effect("in two lists, is built once in each: lists build it in place, not through the memo map", () =>
    Effect.gen(function* () {
      const { log, host } = services()
      yield* Effect.provide(Host, Layer.merge(mergeInOrder(host), mergeInOrder(host)))
      expect(log).toEqual(["build host", "build host"])
    })
  )

  it.effect("a failure while built in place fails the list, and what was built before it is released", () =>
    Effect.gen(function* () {
      const { log, disk } = services()
      const host = serviceLayer(Host, Effect.sync(() => ({ name: "h" })))
      const broken = serviceLayer(Store, Effect.fail("no store" as const))
      const exit = yield* Effect.exit(Effect.provide(Host, provideInOrder(host, disk, broken)))
      expect(exit).toStrictEqual(Exit.fail("no store"))
      expect(log).toEqual(["build disk", "release disk"])
    })
  )
})
