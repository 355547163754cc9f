import * as Effect from "effect/Effect"
import { UsageState, type UsageTarget } from "../services/UsageState.js"
import type { AuthContext } from "./AuthContext.js"

export const usageTarget = (ctx: AuthContext): UsageTarget => ({ agentId: ctx.agent.agentId, storePath: ctx.agent.storePath })

/**
 * The context with the usage state (cooldowns, counters, lastGood) as the backend holds it now: the store file's
 * as loaded, or what every gateway sharing the state recorded (§10). The file layer returns `ctx` itself.
 */
export const withUsageState = (ctx: AuthContext) =>
  Effect.flatMap(UsageState, (usage) =>
    Effect.map(usage.view(usageTarget(ctx), ctx.store), (store) => (store === ctx.store ? ctx : { ...ctx, store }))
  )
