import * as Either from "effect/Either"
import { lastErrorOf } from "../domain/ChatFailure.js"
import { type ModelRef, formatModelRef, modelAliases, parseModelRef } from "../domain/Config.js"
import { formatEnvSource } from "../domain/Env.js"
import { credentialExpiry, describeExpiry, expiryLabel, formatDuration } from "../domain/Expiry.js"
import type { ModelDirective } from "../domain/ModelDirective.js"
import { describeUnusable, profileOrder, whyUnusable } from "../domain/Order.js"
import { type ProfileId, profileIdFromInput } from "../domain/ProfileId.js"
import type { ProviderId } from "../domain/Provider.js"
import { providerTarget } from "../domain/ProviderTarget.js"
import { missingCredentialFix, resolveCredential } from "../domain/Resolve.js"
import { resetSession, type Session, sessionCandidates } from "../domain/Session.js"
import { unavailableLabel } from "../domain/StoredProfiles.js"
import { escapeControl as esc } from "../domain/Untrusted.js"
import type { AuthContext } from "./AuthContext.js"

/**
 * Chat commands (§8.3), answered by the gateway itself. Pure: the caller persists the new session state. Every
 * reply line quotes ids, emails, base URLs and arguments from outside and is escaped whole (§11): the program's
 * own words hold no control characters, and only its own line breaks separate lines.
 */

export type ModelSource = "session" | "header" | "request" | "agent"

export interface CommandInput {
  readonly ctx: AuthContext
  readonly session: Session | undefined
  readonly current: { readonly model: ModelRef; readonly source: ModelSource }
  /** Whether the request named a session; without one nothing can be remembered. */
  readonly persistent: boolean
  readonly now: number
}

export interface CommandOutcome {
  readonly text: string
  /** The session's new state, when the command changed it. */
  readonly session?: Session
}

const SOURCE_LABEL: Readonly<Record<ModelSource, string>> = {
  session: "set for this session",
  header: "from the x-openclaw-model header",
  request: "named by the request",
  agent: "agent default"
}

const NOT_REMEMBERED =
  "\n\nNote: this request named no session (send an x-openclaw-session-key header or the `user` field), so nothing was remembered."

/** Aliases by model id, for display. */
const aliasesById = (ctx: AuthContext): ReadonlyMap<string, string> => {
  const out = new Map<string, string>()
  for (const [alias, id] of modelAliases(ctx.config)) out.set(id, alias)
  return out
}

const withAlias = (ref: ModelRef, aliases: ReadonlyMap<string, string>): string => {
  const id = formatModelRef(ref)
  const alias = aliases.get(id)
  return alias ? `${id} (${alias})` : id
}

const allowedModels = (ctx: AuthContext): ReadonlyArray<ModelRef> => {
  const aliases = modelAliases(ctx.config)
  return Object.keys(ctx.config.agents?.defaults?.models ?? {}).map((id) => parseModelRef(id, aliases))
}

const defaultLine = (ctx: AuthContext, aliases: ReadonlyMap<string, string>): string => {
  const fallbacks = ctx.models.fallbacks.map((m) => withAlias(m, aliases))
  return `Default model (agent ${ctx.agent.agentId}): ${withAlias(ctx.models.primary, aliases)}${fallbacks.length > 0 ? `; fallbacks: ${fallbacks.join(", ")}` : "; no fallbacks"}`
}

const listText = (input: CommandInput): string => {
  const { ctx, current } = input
  const aliases = aliasesById(ctx)
  const allowed = allowedModels(ctx)
  const lines = [
    `Current model: ${withAlias(current.model, aliases)} (${SOURCE_LABEL[current.source]})`,
    defaultLine(ctx, aliases),
    allowed.length > 0 ? "Allowed models:" : "Allowed models: any (agents.defaults.models lists none)",
    ...allowed.map((m) => `  ${withAlias(m, aliases)}`),
    "Switch with /model <alias-or-id>; pin an auth profile with /model <alias-or-id>@<profileId>; details: /model status; start over: /new"
  ]
  return lines.map(esc).join("\n")
}

const sessionLine = (session: Session | undefined): string => {
  if (session?.userPin) return `Session: profile ${session.userPin} pinned by you (never rotated until /new)`
  if (session?.autoPin) return `Session: sticks to ${session.autoPin} (chosen automatically) until /new or a cooldown`
  return "Session: no profile chosen yet"
}

const providerBlock = (input: CommandInput, provider: ProviderId): ReadonlyArray<string> => {
  const { ctx, session, now } = input
  const store = ctx.store.store
  const endpoint = providerTarget(ctx.config, provider)?.baseUrl ?? "(no endpoint configured)"
  const lines = [`${provider} — endpoint ${endpoint}`]
  const order = profileOrder(store, ctx.config, provider, now)
  const unavailable = new Map(order.unavailable.map((u) => [u.profileId, u]))
  const available = order.candidates.filter((id) => !unavailable.has(id))
  const pinned = session?.userPin !== undefined && store.profiles.get(session.userPin)?.provider === provider ? session.userPin : undefined
  const next = pinned ?? sessionCandidates(session, available)[0]
  order.candidates.forEach((id, i) => {
    const c = store.profiles.get(id)!
    const flags: Array<string> = []
    if (id === next) flags.push("next")
    if (id === pinned) flags.push("pinned")
    if (store.lastGood[provider] === id) flags.push("lastGood")
    const u = unavailable.get(id)
    if (u) flags.push(`${unavailableLabel(u.reason, u.disabledReason)} ${formatDuration(u.until - now)}`)
    const expiry = credentialExpiry(c, now)
    if (expiry.status !== "static") flags.push(`${expiryLabel(expiry.status)}, ${describeExpiry(expiry)}`)
    lines.push(`  ${i + 1}. ${id} (${c.type}${c.email ? `, ${c.email}` : ""})${flags.length > 0 ? ` [${flags.join("; ")}]` : ""}`)
    // Kept after a success too: why a profile last failed is what a user asks when answers come from elsewhere.
    const last = lastErrorOf(store.usageStats[id])
    if (last) lines.push(`     last error ${now - last.at < 60_000 ? "<1m" : formatDuration(now - last.at)} ago: ${last.reason} — ${last.message}`)
  })
  for (const x of order.excluded) lines.push(`  -  ${x.profileId}: not usable, ${describeUnusable(x.why)}`)
  if (order.candidates.length === 0) {
    const resolved = resolveCredential({ store, config: ctx.config, env: ctx.env.vars, now }, provider)
    if (Either.isRight(resolved)) {
      const r = resolved.right
      lines.push(
        r.kind === "env"
          ? `  no profiles; uses ${r.name} (${formatEnvSource(r.source)})`
          : r.kind === "config"
            ? `  no profiles; uses models.providers.${provider}.apiKey`
            : "  no profiles; none needed (loopback endpoint)"
      )
    } else lines.push(`  no credential. Fix: ${missingCredentialFix(provider, ctx.host.stateEnvPath)}`)
  } else if (available.length === 0 && pinned === undefined) {
    lines.push("  every profile is cooling down or disabled; lift by hand with `openclaw models auth cooldowns clear`")
  }
  return lines
}

const statusText = (input: CommandInput): string => {
  const { ctx, current } = input
  const aliases = aliasesById(ctx)
  const providers = [...new Set([current.model, ...ctx.models.fallbacks].map((m) => m.provider))]
  return [
    `Current model: ${withAlias(current.model, aliases)} (${SOURCE_LABEL[current.source]})`,
    defaultLine(ctx, aliases),
    `Agent: ${ctx.agent.agentId}`,
    `Auth file: ${ctx.agent.storePath}`,
    sessionLine(input.session),
    ...providers.flatMap((p) => providerBlock(input, p))
  ]
    .map(esc)
    .join("\n")
}

/**
 * Why `model` (as `rawRef` named it) may not be chosen for this agent, or undefined: `/model` and the
 * `x-openclaw-model` header share this one allow-list (§8.2, §8.3).
 */
export const modelRefusal = (ctx: AuthContext, rawRef: string, model: ModelRef): string | undefined => {
  if (model.model === "") return `"${rawRef}" names no model.`
  if (providerTarget(ctx.config, model.provider) === undefined) {
    return `Unknown provider "${model.provider}" in ${formatModelRef(model)}. Configure it under models.providers.${model.provider} (baseUrl, api) or pick another model (/model list).`
  }
  const allowed = allowedModels(ctx)
  const known = [ctx.models.primary, ...ctx.models.fallbacks, ...allowed].map(formatModelRef)
  if (allowed.length > 0 && !known.includes(formatModelRef(model))) {
    return `Model ${formatModelRef(model)} is not allowed here. Allowed: ${[...new Set(known)].join(", ")} (agents.defaults.models).`
  }
  return undefined
}

type SetResult = Either.Either<{ readonly model: ModelRef; readonly pin?: ProfileId }, string>

const resolveSet = (input: CommandInput, rawRef: string, rawProfile: string | undefined): SetResult => {
  const { ctx } = input
  const model = parseModelRef(rawRef, modelAliases(ctx.config))
  const refused = modelRefusal(ctx, rawRef, model)
  if (refused !== undefined) return Either.left(refused)
  if (rawProfile === undefined) return Either.right({ model })
  const store = ctx.store.store
  const id = (store.profiles.has(rawProfile as ProfileId) ? rawProfile : profileIdFromInput(model.provider, rawProfile)) as ProfileId
  const credential = store.profiles.get(id)
  if (credential === undefined) return Either.left(`Auth profile "${id}" not found.`)
  if (credential.provider !== model.provider) return Either.left(`Auth profile "${id}" is for ${credential.provider}, not ${model.provider}.`)
  const why = whyUnusable(ctx.config, model.provider, id, credential, input.now)
  if (why !== undefined) return Either.left(`Auth profile "${id}" cannot be used: ${describeUnusable(why)}.`)
  return Either.right({ model, pin: id })
}

export const answerChatCommand = (directive: ModelDirective, input: CommandInput): CommandOutcome => {
  const note = input.persistent ? "" : NOT_REMEMBERED
  switch (directive.kind) {
    case "list":
      return { text: listText(input) }
    case "invalid":
      return { text: esc(directive.problem) }
    case "status":
      return { text: statusText(input) }
    case "reset": {
      const session = resetSession(input.session, input.now)
      const model = withAlias(input.ctx.models.primary, aliasesById(input.ctx))
      return {
        text: `${esc(`New session started: model back to ${model}, no pinned profile.`)}${note}`,
        ...(input.persistent ? { session } : {})
      }
    }
    case "set": {
      const resolved = resolveSet(input, directive.ref, directive.profileId)
      if (Either.isLeft(resolved)) return { text: esc(resolved.left) }
      const { model, pin } = resolved.right
      const { userPin: _dropped, ...rest } = input.session ?? { updatedAt: input.now }
      const session: Session = { ...rest, model: formatModelRef(model), ...(pin ? { userPin: pin } : {}), updatedAt: input.now }
      const label = withAlias(model, aliasesById(input.ctx))
      const text = pin
        ? `Model set to ${label} for this session, using auth profile ${pin} only (never rotated) until /new.`
        : `Model set to ${label} for this session.`
      return { text: `${esc(text)}${note}`, ...(input.persistent ? { session } : {}) }
    }
  }
}
