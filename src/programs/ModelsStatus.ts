import * as Effect from "effect/Effect"
import { buildStatusReport } from "../domain/Status.js"
import { loadAuthContext } from "./AuthContext.js"

/** `openclaw models status` (§6.1): the report a renderer prints and `--check` maps to an exit code. */
export const modelsStatus = Effect.fn("Models.status")(function* (agent: string | undefined) {
  const ctx = yield* loadAuthContext(agent)
  const report = buildStatusReport({
    host: ctx.host,
    agent: ctx.agent,
    config: ctx.config,
    models: ctx.models,
    env: ctx.env.vars,
    store: ctx.store.store,
    shellEnv: ctx.env.shellEnv,
    missingConfigVars: ctx.missingConfigVars,
    notices: ctx.notices,
    now: ctx.now
  })
  return { report, configExists: ctx.configExists, stateEnvPath: ctx.host.stateEnvPath, ctx }
})
