import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { loadStateSettings } from "../programs/StateSettings.js"
import { sharedStateLayer } from "../services/SharedStateLayer.js"

/**
 * For the commands that read or clear usage state (`models status`, `auth list`, `cooldowns clear`): on a host whose
 * config has `gateway.state`, the state every gateway shares (§10), not only this host's files. Without it, this
 * host's files, which the app layer has already built (services/AppLayer.ts): nothing to build again.
 */
export const sharedStateOfConfig = Layer.unwrapEffect(
  Effect.map(loadStateSettings(), (settings) => (settings.backend === "file" ? Layer.empty : sharedStateLayer(settings)))
)

export const withSharedState = <Name extends string, R, E, A>(self: Command.Command<Name, R, E, A>) => Command.provide(self, sharedStateOfConfig)
