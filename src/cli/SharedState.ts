import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { StateSettings } from "../domain/StateSettings.js"
import { loadStateSettings } from "../programs/StateSettings.js"
import { sharedStateLayer } from "../services/SharedStateLayer.js"

type StateLayer = ReturnType<typeof sharedStateLayer>

/**
 * For the commands that read or clear usage state (`models status`, `auth list`, `cooldowns clear`): on a host whose
 * config has `gateway.state`, the state every gateway shares (§10), not only this host's files. Without it, this
 * host's files, which the app layer has already built (services/AppLayer.ts): the handler runs as it is, with no
 * layer to build (a layer, even an empty one, costs a cold command its memo map's bookkeeping).
 */
export const withSharedState = <Name extends string, R, E, A>(self: Command.Command<Name, R, E, A>) =>
  Command.transformHandler(self, (handler) => {
    const withState = (settings: StateSettings): Effect.Effect<void, E | Layer.Layer.Error<StateLayer>, R | Layer.Layer.Context<StateLayer>> =>
      settings.backend === "file" ? handler : Effect.provide(handler, sharedStateLayer(settings))
    return Effect.flatMap(loadStateSettings(), withState)
  })
