import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { ProviderAuth, ProviderError, ProviderTarget } from "../domain/Chat.js"
import type { ApiShape } from "../domain/Provider.js"
import { providerTarget } from "../domain/ProviderTarget.js"
import { formatModelRef, type ModelRef, modelAliases, parseModelRef } from "../domain/Config.js"
import { idProblem, type ModelDirective, parseModelDirective } from "../domain/ModelDirective.js"
import { Background } from "../services/Background.js"
import type { StoreDocument } from "../services/ProfileStore.js"
import { ProviderClient, type ProviderClientShape } from "../services/ProviderClient.js"
import { SessionState } from "../services/SessionState.js"
import { withUsageState } from "./UsageView.js"
import type { AuthContext } from "./AuthContext.js"
import { answerChatCommand, modelRefusal, type ModelSource } from "./ChatCommands.js"
import { type ChatFailedError, type Served, serveWithFailover, type TriedFirst } from "./Failover.js"

export type { TriedFirst } from "./Failover.js"

/**
 * One chat turn for one agent, whatever the wire shape (§8.3, §5.3): the session and the model are chosen, then
 * either a chat command is answered or the model is called with failover, and the bookkeeping that follows an
 * answer (usage, cooldowns seen, the session's sticky profile) is done or handed to the background. How one
 * attempt calls the model (the client's body passed through, or translated for a provider of another shape) is
 * the edge's: it knows the client's wire shape.
 */

export interface ChatTurnInput {
  readonly agentId: string
  /** The agent's context from the snapshot the request is served from. */
  readonly ctx: AuthContext
  /** The last user message's text: a chat command there is answered by the gateway (§8.3). */
  readonly lastUserText: string | undefined
  /** The client's own session key (checked by the caller), or none: nothing is remembered then. */
  readonly sessionKey: string | undefined
  /** A model chosen for this request only (`x-openclaw-model`): an alias or a ref. */
  readonly modelOverride: string | undefined
  /**
   * The backend model the request's body names (an Anthropic client's `model`: a bare id, a ref or an alias), below
   * the session's and the header's choice. Not the `/model` allow-list's business: Claude Code names its models itself.
   */
  readonly requestModel?: string | undefined
  /** Re-reads the credential stores (a command shows what is on disk): this agent's context then, if it still loads. */
  readonly refreshStores: (reason: string) => Effect.Effect<AuthContext | undefined>
  /** Hears every store document the failover writes (cooldowns, usage), so the caller's copy stays current. */
  readonly storeWritten: (doc: StoreDocument) => Effect.Effect<void>
  /** A first attempt the gateway's lane made, and that failed: the failover goes on from it (Failover `TriedFirst`). */
  readonly triedFirst?: TriedFirst | undefined
}

/**
 * One attempt: `model` (the provider's own id in `model.model`) at `target` with one credential. A stream's
 * request lives as long as the scope the attempt runs in.
 */
export type ModelCall<A, R = never> = (
  client: ProviderClientShape,
  target: ProviderTarget,
  auth: ProviderAuth,
  model: ModelRef
) => Effect.Effect<A, ProviderError, R>

/**
 * The attempts' call, given the API shapes of every model the turn may try: the edge translates the client's body
 * once when a shape differs from the client's, and refuses (a message naming the field) what cannot be translated
 * before any provider is called (§8.4).
 */
export type Attempts<A, R = never> = (apis: ReadonlySet<ApiShape>) => AttemptPlan<A, R>

export interface AttemptPlan<A, R = never> {
  readonly call: ModelCall<A, R>
  /**
   * The shapes this request cannot go to (a field the translation cannot carry, or an endpoint the shape does not
   * have): when the turn's own model is of one, its refusal is the answer; fallbacks of one are not tried.
   */
  readonly refused?: ReadonlyMap<ApiShape, Refusal>
}

export interface Refusal {
  readonly message: string
  /** The error code the client sees (`invalid_request`, `untranslatable`). */
  readonly code: string
  /** 400 unless said. */
  readonly status?: number
}

/** `clientModel`: the turn's model when it is the client's own text (ModelRef.byClient), to echo as sent. */
export type ChatTurn<A> =
  | { readonly _tag: "Refused"; readonly refusal: Refusal }
  | { readonly _tag: "Command"; readonly kind: ModelDirective["kind"]; readonly text: string; readonly clientModel?: string }
  | { readonly _tag: "Served"; readonly served: Served<A>; readonly clientModel?: string }
  /** The verdict over every candidate (§8.5): status, reason, profiles tried, fix, Retry-After. */
  | { readonly _tag: "Failed"; readonly error: ChatFailedError; readonly clientModel?: string }

/**
 * A success's usage record (Failover's `recordUse`), after the answer, in the background. Effect.void when there is
 * nothing to write. Until the write is in the caller's copy every answer by this profile asks for it again: those
 * coalesce into one write, which storeWritten patches in.
 */
export const recordInBackground = (profileId: string | undefined, recordUse: Served<unknown>["recordUse"]): Effect.Effect<void, never, Background> =>
  recordUse === Effect.void
    ? Effect.void
    : Effect.flatMap(Background, (background) =>
        background.runLatest(`usage:${profileId}`, recordUse.pipe(Effect.catchAll((e) => Effect.logWarning(`could not record usage of ${profileId}: ${e.message}`))))
      )

/** Why a model the request names (`where` it was named) cannot be used, if it cannot. */
const namedModelRefusal = (raw: string | undefined, where: string): Refusal | undefined => {
  const problem = raw?.trim() ? idProblem(raw.trim()) : undefined
  return problem === undefined ? undefined : { message: `${where}: ${problem}`, code: "invalid_model" }
}

/** The session's model, else the request's override, else the agent's default. */
const currentModel = (
  ctx: AuthContext,
  sessionModel: string | undefined,
  override: string | undefined,
  requested: string | undefined
): { readonly model: ModelRef; readonly source: ModelSource } => {
  const aliases = modelAliases(ctx.config)
  const clients = (raw: string): ModelRef => {
    const model = parseModelRef(raw, aliases)
    return aliases.has(raw.trim().toLowerCase()) ? model : { ...model, byClient: true }
  }
  if (sessionModel) return { model: clients(sessionModel), source: "session" }
  if (override?.trim()) return { model: clients(override), source: "header" }
  if (requested?.trim()) return { model: clients(requested), source: "request" }
  return { model: ctx.models.primary, source: "agent" }
}

/**
 * The turn, from the snapshot's context for the agent. Untraced: this runs once per proxied request, and Effect.fn's call-site capture costs ~20 µs, more than the
 * whole choice of credential (the gateway installs no tracer).
 */
export const chatTurn = Effect.fnUntraced(function* <A, R>(input: ChatTurnInput, attempts: Attempts<A, R>) {
  const sessions = yield* SessionState
  const { agentId } = input
  // The usage state as it is now: a cooldown another gateway recorded is honoured by this request (§10).
  const ctx = yield* withUsageState(input.ctx)
  const sessionKey = input.sessionKey === undefined ? undefined : `${agentId}:${input.sessionKey}`
  const session = sessionKey === undefined ? undefined : yield* sessions.get(sessionKey)
  // A model a client names for this request is held to the same rule as one it chooses with /model (§8.2).
  const badId = namedModelRefusal(input.modelOverride, "x-openclaw-model") ?? namedModelRefusal(input.requestModel, "The request's model")
  if (badId !== undefined) return { _tag: "Refused", refusal: badId } satisfies ChatTurn<A>
  const current = currentModel(ctx, session?.model, input.modelOverride, input.requestModel)
  const echo = current.model.byClient ? { clientModel: formatModelRef(current.model) } : {}

  const directive = input.lastUserText === undefined ? undefined : parseModelDirective(input.lastUserText)
  if (directive !== undefined) {
    // Commands are rare and show or check what is on disk: answer from a fresh load.
    const reread = yield* input.refreshStores(`/${directive.kind === "reset" ? "new" : "model"} command`)
    const fresh = reread === undefined ? ctx : yield* withUsageState(reread)
    const outcome = answerChatCommand(directive, {
      ctx: fresh,
      session,
      current,
      persistent: sessionKey !== undefined,
      now: yield* Clock.currentTimeMillis
    })
    if (sessionKey !== undefined && outcome.session !== undefined) yield* sessions.set(sessionKey, outcome.session)
    return { _tag: "Command", kind: directive.kind, text: outcome.text, ...echo } satisfies ChatTurn<A>
  }

  if (current.source === "header") {
    // x-openclaw-model chooses from the same allow-list as `/model` (§8.2).
    const refused = modelRefusal(ctx, input.modelOverride ?? "", current.model)
    if (refused !== undefined) {
      const message = `${refused} Fix: name an allowed model in x-openclaw-model (see /model list), or add it to agents.defaults.models.`
      return { _tag: "Refused", refusal: { message, code: "model_not_allowed" } } satisfies ChatTurn<A>
    }
  }

  const seen = new Set<string>()
  const models = [current.model, ...ctx.models.fallbacks].filter((m) => {
    const id = formatModelRef(m)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
  const apiOf = models.map((m) => providerTarget(ctx.config, m.provider)?.api)
  const apis = new Set<ApiShape>()
  for (const api of apiOf) if (api !== undefined) apis.add(api)
  const plan = attempts(apis)
  if (plan.refused !== undefined && plan.refused.size > 0) {
    // The request is judged by the model it is for; a fallback that cannot take it is left out.
    const own = apiOf[0] === undefined ? undefined : plan.refused.get(apiOf[0])
    if (own !== undefined) return { _tag: "Refused", refusal: own } satisfies ChatTurn<A>
    for (let i = models.length - 1; i > 0; i--) if (apiOf[i] !== undefined && plan.refused.has(apiOf[i]!)) models.splice(i, 1)
  }
  const client = yield* ProviderClient
  const result = yield* Effect.either(
    serveWithFailover(ctx, models, session, (target, auth, model) => plan.call(client, target, auth, model), input.storeWritten, input.triedFirst)
  )

  if (Either.isLeft(result)) return { _tag: "Failed", error: result.left, ...echo } satisfies ChatTurn<A>

  const served = result.right
  yield* recordInBackground(served.profileId, served.recordUse)
  if (sessionKey !== undefined && served.profileId !== undefined && session?.userPin === undefined && session?.autoPin !== served.profileId) {
    yield* sessions.set(sessionKey, { ...session, autoPin: served.profileId, updatedAt: yield* Clock.currentTimeMillis }, { automatic: true })
  }
  return { _tag: "Served", served, ...echo } satisfies ChatTurn<A>
})
