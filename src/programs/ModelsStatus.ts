import * as Effect from "effect/Effect"
import { buildStatusReport, type StatusReport } from "../domain/Status.js"
import { plainResidue } from "../domain/StoreRefs.js"
import { type AuthContext, loadAuthContext } from "./AuthContext.js"
import { withUsageState } from "./UsageView.js"

/**
 * The report on one agent's loaded context at `now`: pure, so the gateway builds it from its snapshot without
 * loading anything, and the JSON is the same as the CLI's for the same files.
 */
export const statusReport = (ctx: AuthContext, now: number): StatusReport =>
  buildStatusReport({
    host: ctx.host,
    agent: ctx.agent,
    config: ctx.config,
    models: ctx.models,
    env: ctx.env.vars,
    store: ctx.store.store,
    shellEnv: ctx.env.shellEnv,
    missingConfigVars: ctx.missingConfigVars,
    ignoredEnv: ctx.env.ignored,
    notices: ctx.notices,
    refs: { snapshot: ctx.secrets, configProblems: ctx.configRefProblems, plainResidue: plainResidue(ctx.store.raw) },
    now
  })

/** `openclaw models status` (§6.1): the report a renderer prints and `--check` maps to an exit code. */
export const modelsStatus = Effect.fn("Models.status")(function* (agent: string | undefined) {
  const ctx = yield* withUsageState(yield* loadAuthContext(agent))
  return { report: statusReport(ctx, ctx.now), configExists: ctx.configExists, stateEnvPath: ctx.host.stateEnvPath, ctx }
})
