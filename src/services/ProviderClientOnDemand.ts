import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { ProviderClient, type ProviderClientShape } from "./ProviderClient.js"
import { serviceLayer } from "./LayerInOrder.js"

/**
 * The live ProviderClient, loaded on its first call: its HTTP code and the chat codecs' Schema classes are a large
 * share of the CLI's start-up (issue 16), and only a few commands call a provider (`models status --probe`). The
 * gateway, which calls one on every request, provides ProviderClientLive itself (cli/GatewayCommand.ts).
 */
export const ProviderClientOnDemand: Layer.Layer<ProviderClient> = serviceLayer(ProviderClient, Effect.sync(() => {
  let live: ProviderClientShape | undefined
  const client = Effect.suspend(() =>
    live !== undefined
      ? Effect.succeed(live)
      : Effect.map(Effect.promise(() => import("./ProviderClientLive.js")), (m) => (live ??= m.makeProviderClient()))
  )
  return ProviderClient.of({
    complete: (...args) => Effect.flatMap(client, (c) => c.complete(...args)),
    stream: (...args) => Effect.flatMap(client, (c) => c.stream(...args)),
    forward: (...args) => Effect.flatMap(client, (c) => c.forward(...args)),
    // Once loaded (its first call went through `forward`): the gateway's lane calls without a fiber.
    forwardNow: (...args) => live?.forwardNow?.(...args)
  })
}))
