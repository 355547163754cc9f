import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { decodeAuthStore, overlayStore } from "../domain/AuthStore.js"
import { configuredAgentIds, defaultAgentId, secretText, textHeaders } from "../domain/Config.js"
import { credentialRef, credentialSecret } from "../domain/Credential.js"
import { UsageError } from "../domain/Errors.js"
import { PROVIDERS } from "../domain/Provider.js"
import { secretRefKey } from "../domain/SecretRef.js"
import { type AuthContext, loadAgentStore, loadAuthContext, materializedDocument } from "../programs/AuthContext.js"
import { type GatewayAccess, gatewayAccess, GATEWAY_TOKEN_VAR } from "../programs/GatewayAccess.js"
import type { StoreDocument } from "../services/ProfileStore.js"
import { secretList } from "../services/SecretRegistry.js"
import { isSendableToken } from "./Access.js"

/**
 * What the gateway serves from: every configured agent's AuthContext as loaded at one moment. A request takes the
 * snapshot current when it starts and uses it to the end; a reload swaps in a new one (§8.1).
 */
export interface GatewaySnapshot {
  readonly generation: number
  readonly loadedAt: number
  /** `--agent`, else the configured default: what `openclaw` and `openclaw/default` mean. */
  readonly defaultAgentId: string
  readonly agents: ReadonlyMap<string, AuthContext>
  /** Agents whose store could not be loaded, with why (their requests fail with that message). */
  readonly agentErrors: ReadonlyMap<string, AgentFailure>
  readonly access: GatewayAccess
  /** Every secret the gateway knows, so nothing it sends or logs can contain one (≥ 8 characters). */
  readonly secrets: ReadonlyArray<string>
}

/** Why an agent could not be loaded: the error's tag and its message. */
export interface AgentFailure {
  readonly _tag: string
  readonly message: string
}

const PROVIDER_VARS = PROVIDERS.flatMap((p) => p.envVars)

export const secretsOf = (contexts: ReadonlyArray<AuthContext>, access: GatewayAccess): ReadonlyArray<string> => {
  const out = new Set<string>()
  for (const ctx of contexts) {
    for (const c of ctx.store.store.profiles.values()) {
      const secret = credentialSecret(c)
      if (secret) out.add(secret)
      if (c.type === "oauth" && c.refresh) out.add(Redacted.value(c.refresh))
    }
    for (const name of PROVIDER_VARS) {
      const v = ctx.env.vars.get(name)?.value
      if (v) out.add(v)
    }
    for (const v of ctx.env.ignoredValues) out.add(v)
    for (const p of Object.values(ctx.config.models?.providers ?? {})) {
      const apiKey = secretText(p.apiKey)
      if (apiKey) out.add(apiKey)
      for (const h of Object.values(textHeaders(p.headers))) out.add(h)
    }
  }
  if (access.token) out.add(Redacted.value(access.token))
  // What the refs resolved to: masked like every other secret, though no file holds them.
  for (const ctx of contexts) for (const r of ctx.secrets.resolutions.values()) if (r._tag === "Resolved") out.add(r.value)
  const values = new Set<string>()
  for (const ctx of contexts) for (const v of ctx.configValues) values.add(v)
  return secretList([...out].filter((s) => s.length >= 8), values)
}

/** The files whose change means "reload" (their directories are watched), and which of them are stores. */
export const watchTargets = (snapshot: GatewaySnapshot): { readonly files: ReadonlySet<string>; readonly stores: ReadonlySet<string> } => {
  const files = new Set<string>()
  const stores = new Set<string>()
  for (const ctx of snapshot.agents.values()) {
    files.add(ctx.host.configPath)
    files.add(ctx.host.stateEnvPath)
    files.add(ctx.host.cwdEnvPath)
    files.add(ctx.agent.storePath)
    stores.add(ctx.agent.storePath)
  }
  return { files, stores }
}

export const storePaths = (agents: ReadonlyMap<string, AuthContext>): ReadonlyArray<string> => [...new Set([...agents.values()].map((c) => c.agent.storePath))]

export const loadAgents = (requested: string | undefined, previous: GatewaySnapshot | undefined) =>
  Effect.gen(function* () {
    const first = yield* loadAuthContext(requested)
    const agents = new Map<string, AuthContext>([[first.agent.agentId, first]])
    const agentErrors = new Map<string, AgentFailure>()
    for (const id of configuredAgentIds(first.config)) {
      if (agents.has(id)) continue
      const loaded = yield* Effect.either(loadAuthContext(id))
      if (Either.isRight(loaded)) agents.set(id, loaded.right)
      else {
        // An agent whose store broke keeps serving from what it had, and says so.
        const kept = previous?.agents.get(id)
        if (kept) agents.set(id, kept)
        agentErrors.set(id, { _tag: loaded.left._tag, message: loaded.left.message })
      }
    }
    const access = gatewayAccess(first)
    if (access.token !== undefined && !isSendableToken(Redacted.value(access.token))) {
      // Accepted, it would match no request and lock every client out.
      return yield* new UsageError({
        problem: `The gateway token (${access.source === "env" ? `${GATEWAY_TOKEN_VAR} in the environment` : `${access.source === "ref" ? "what the ref at " : ""}gateway.auth.token in ${first.host.configPath}${access.source === "ref" ? " resolves to" : ""}`}) holds spaces, control or non-ASCII characters, so no client can send it as \`Authorization: Bearer <token>\``,
        fix: "use a token of visible ASCII characters without spaces, e.g. `openssl rand -hex 32`"
      })
    }
    return { defaultAgentId: first.agent.agentId, agents, agentErrors, access }
  })

/**
 * An agent's context with its store re-read, its refs as this snapshot resolved them (a ref that is new since then
 * resolves on the next full reload: resolution happens when a snapshot is built, §9).
 */
export const refreshStore = (ctx: AuthContext) =>
  Effect.map(loadAgentStore(ctx.config, ctx.agent), (store) => ({ ...ctx, store: materializedDocument(store, ctx.secrets) }))

/** Refs the stores hold that the snapshot never resolved (stored since it was built: `paste-api-key --ref`), by key. */
export const refsNotResolved = (agents: ReadonlyMap<string, AuthContext>): ReadonlyArray<string> => {
  const keys = new Set<string>()
  for (const ctx of agents.values()) {
    for (const c of ctx.store.store.profiles.values()) {
      const ref = credentialRef(c)
      if (ref !== undefined && !ctx.secrets.resolutions.has(secretRefKey(ref))) keys.add(secretRefKey(ref))
    }
  }
  return [...keys]
}

/**
 * The agents with `doc` as the store at its path. A sub-agent that writes its own store keeps what it saw of the
 * main store underneath (a gateway write only adds or changes usage entries); a write to the main store goes under
 * every sub-agent's own store, which is decoded again from its raw document.
 */
export const withStoreDocument = (snapshot: GatewaySnapshot, doc: StoreDocument): ReadonlyMap<string, AuthContext> => {
  const agents = new Map(snapshot.agents)
  for (const [id, ctx] of snapshot.agents) {
    if (ctx.agent.storePath === doc.path) {
      const store = ctx.agent.isDefault ? doc : { ...doc, store: overlayStore(ctx.store.store, doc.store) }
      agents.set(id, { ...ctx, store: materializedDocument(store, ctx.secrets) })
    } else if (!ctx.agent.isDefault && snapshot.agents.get(defaultAgentId(ctx.config))?.agent.storePath === doc.path) {
      const own = decodeAuthStore(ctx.store.raw)
      if (Either.isRight(own)) agents.set(id, { ...ctx, store: materializedDocument({ ...ctx.store, store: overlayStore(doc.store, own.right) }, ctx.secrets) })
    }
  }
  return agents
}

