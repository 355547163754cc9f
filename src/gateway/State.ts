import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as Option from "effect/Option"
import { decodeAuthStore, overlayStore } from "../domain/AuthStore.js"
import { configuredAgentIds, defaultAgentId, secretText, textHeaders } from "../domain/Config.js"
import { credentialRef, credentialSecret } from "../domain/Credential.js"
import { UsageError } from "../domain/Errors.js"
import { PROVIDERS } from "../domain/Provider.js"
import { secretRefKey } from "../domain/SecretRef.js"
import { type AuthContext, loadAgentStore, loadAuthContext, materializedDocument } from "../programs/AuthContext.js"
import { type GatewayAccess, gatewayAccess, GATEWAY_TOKEN_VAR } from "../programs/GatewayAccess.js"
import { Files } from "../services/Files.js"
import { Paths } from "../services/Paths.js"
import { ProfileStore, type StoreDocument } from "../services/ProfileStore.js"
import { SecretRegistry, secretList } from "../services/SecretRegistry.js"
import { isSendableToken } from "./Access.js"
import { FileWatcher } from "./FileWatcher.js"
import { makeSecretsHealthRecord, type SecretsHealth } from "./SecretsHealth.js"
import { startRefusal, unresolvedSecrets, type UnresolvedSecret } from "./SecretSurface.js"
import { makeStoreChanges } from "./StoreChanges.js"

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

const secretsOf = (contexts: ReadonlyArray<AuthContext>, access: GatewayAccess): ReadonlyArray<string> => {
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

/** The directories to watch and the files in them whose change means "reload". */
export const watchTargets = (
  snapshot: GatewaySnapshot
): { readonly dirs: ReadonlyArray<string>; readonly files: ReadonlySet<string>; readonly stores: ReadonlySet<string> } => {
  const files = new Set<string>()
  const stores = new Set<string>()
  for (const ctx of snapshot.agents.values()) {
    files.add(ctx.host.configPath)
    files.add(ctx.host.stateEnvPath)
    files.add(ctx.host.cwdEnvPath)
    files.add(ctx.agent.storePath)
    stores.add(ctx.agent.storePath)
  }
  const dirs = [...new Set([...files].map((f) => f.slice(0, Math.max(1, f.lastIndexOf("/")))))].sort()
  return { dirs, files, stores }
}

const storePaths = (agents: ReadonlyMap<string, AuthContext>): ReadonlyArray<string> => [...new Set([...agents.values()].map((c) => c.agent.storePath))]

export type ReloadKind = "full" | "stores"

/** What a reload did: swapped in a new snapshot, or kept the old one (and why). */
export interface ReloadOutcome {
  /** The snapshot serving after it. */
  readonly snapshot: GatewaySnapshot
  readonly swapped: boolean
  /** Why the load itself failed (a file that no longer parses …), when it did. */
  readonly failure?: string
  /** Every ref the attempt could not resolve; a needed one is why it kept the old snapshot. */
  readonly unresolved: ReadonlyArray<UnresolvedSecret>
  /** Whether the gateway serves an older snapshot than it should because needed refs do not resolve. */
  readonly degraded: boolean
}

export interface GatewayStateShape {
  readonly current: Effect.Effect<GatewaySnapshot>
  /**
   * `current`, after reading the stores again if one changed on disk since (./StoreChanges.ts): what a request
   * chooses from, so a cooldown lifted by the CLI applies to the very next request, not after the debounce.
   */
  readonly fresh: Effect.Effect<GatewaySnapshot>
  readonly changes: Stream.Stream<GatewaySnapshot>
  /**
   * Reloads config, environment and stores and resolves the secret refs again, now (one at a time); the new
   * snapshot is swapped in whole, or — a failure, a needed ref unresolved — not at all (logged; the old one serves).
   */
  readonly reload: (reason: string) => Effect.Effect<ReloadOutcome>
  /** Whether the last attempt left needed refs unresolved (and which). */
  readonly secretsHealth: Effect.Effect<SecretsHealth>
  /**
   * Re-reads only the credential stores: what the gateway's own writes (cooldowns, usage) change. Cheap: no
   * config parse and no login-shell import.
   */
  readonly refreshStores: (reason: string) => Effect.Effect<GatewaySnapshot>
  /**
   * Puts a store document this gateway has just written (ProfileStore `update` returns it) into the snapshot:
   * what a failover or a usage record changed is seen by the next request without reading any file.
   */
  readonly storeWritten: (doc: StoreDocument) => Effect.Effect<GatewaySnapshot>
  /** Schedules a reload; requests within the debounce window share one (a full one if any asked for it). */
  readonly requestReload: (reason: string, kind?: ReloadKind) => Effect.Effect<void>
}

export class GatewayState extends Context.Tag("openclaw/GatewayState")<GatewayState, GatewayStateShape>() {}

export interface GatewayStateOptions {
  readonly agent?: string | undefined
  readonly debounceMs?: number | undefined
}

const loadAgents = (requested: string | undefined, previous: GatewaySnapshot | undefined) =>
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
const refreshStore = (ctx: AuthContext) =>
  Effect.map(loadAgentStore(ctx.config, ctx.agent), (store) => ({ ...ctx, store: materializedDocument(store, ctx.secrets) }))

/** Refs the stores hold that the snapshot never resolved (stored since it was built: `paste-api-key --ref`), by key. */
const refsNotResolved = (agents: ReadonlyMap<string, AuthContext>): ReadonlyArray<string> => {
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

/**
 * Loads the first snapshot (a failure here stops the start-up with the error), then keeps it current: on a
 * change in a watched file, on `reload`, `refreshStores` and `requestReload`.
 */
export const gatewayStateLayer = (options: GatewayStateOptions = {}) =>
  Layer.scoped(
    GatewayState,
    Effect.gen(function* () {
      const watcher = yield* FileWatcher
      const files = yield* Files
      const registry = yield* SecretRegistry
      const loadedAt = yield* Clock.currentTimeMillis
      const storeChanges = makeStoreChanges(watcher.fingerprint)
      const initial = yield* loadAgents(options.agent, undefined)
      // Fail fast (§9): a gateway that cannot resolve a ref it needs does not start; it was never healthy, so it
      // is not "degraded" either. Unneeded unresolved refs are reported once.
      const initialUnresolved = unresolvedSecrets(initial.agents.values())
      const refusal = startRefusal(initialUnresolved, initial.agents.get(initial.defaultAgentId)!.host.stateEnvPath)
      if (refusal !== undefined) return yield* refusal
      yield* storeChanges.afterRead(storePaths(initial.agents), new Map())
      const initialSecrets = secretsOf([...initial.agents.values()], initial.access)
      yield* registry.register(initialSecrets)
      const ref = yield* SubscriptionRef.make<GatewaySnapshot>({ generation: 1, loadedAt, ...initial, secrets: initialSecrets })
      for (const [id, why] of initial.agentErrors) yield* Effect.logWarning(`agent ${id} is unavailable: ${why.message}`)
      const health = yield* makeSecretsHealthRecord
      yield* health.record({ what: "start", unresolved: initialUnresolved, generation: 1 })

      const lock = yield* Effect.makeSemaphore(1)
      // Reloads run on behalf of whoever asks (a request, a watch, a signal) with the services captured here.
      const services = yield* Effect.context<Effect.Effect.Context<ReturnType<typeof loadAgents>> | ProfileStore | Paths>()
      /** `resolves`: the load resolves the refs again (a full reload), so it decides the secrets' health (§9). */
      const swap = (
        what: string,
        reason: string,
        resolves: boolean,
        load: (previous: GatewaySnapshot) => Effect.Effect<Omit<GatewaySnapshot, "generation" | "loadedAt" | "secrets">, { readonly message: string }, Effect.Effect.Context<ReturnType<typeof loadAgents>> | ProfileStore | Paths>
      ): Effect.Effect<ReloadOutcome> =>
        lock.withPermits(1)(
          Effect.gen(function* () {
            const previous = yield* SubscriptionRef.get(ref)
            const before = yield* storeChanges.beforeRead(storePaths(previous.agents))
            const loaded = yield* Effect.either(load(previous))
            if (Either.isLeft(loaded)) {
              yield* Effect.logWarning(`${what} (${reason}) failed, still serving generation ${previous.generation}: ${loaded.left.message}`)
              return { snapshot: previous, swapped: false, failure: loaded.left.message, unresolved: [], degraded: (yield* health.current).degraded }
            }
            // A store refresh keeps the refs as the snapshot resolved them: it neither degrades nor recovers.
            const unresolved = resolves ? unresolvedSecrets(loaded.right.agents.values()) : []
            if (unresolved.some((u) => u.needed)) {
              // Last known good (§9): nothing of this load is used, not even what it read correctly. The stores
              // count as seen, so requests do not retry it one by one; the next change, signal or
              // `secrets reload` does.
              yield* storeChanges.afterRead(storePaths(loaded.right.agents), before)
              yield* health.record({ what: `${what} (${reason})`, unresolved, generation: previous.generation })
              return { snapshot: previous, swapped: false, unresolved, degraded: true }
            }
            yield* storeChanges.afterRead(storePaths(loaded.right.agents), before)
            const secrets = secretsOf([...loaded.right.agents.values()], loaded.right.access)
            yield* registry.register(secrets)
            const loadedAt = yield* Clock.currentTimeMillis
            for (const [id, why] of loaded.right.agentErrors) yield* Effect.logWarning(`agent ${id}: ${why.message}`)
            const [patched, next] = yield* SubscriptionRef.modify(ref, (current) => {
              const next: GatewaySnapshot = { ...loaded.right, generation: current.generation + 1, loadedAt, secrets }
              return [[current !== previous, next] as const, next]
            })
            if (resolves) yield* health.record({ what: `${what} (${reason})`, unresolved, generation: next.generation })
            // A store written (and patched in) while this load ran may have been read before the write: read again.
            if (patched) yield* requestReload("a store was written during the load", "stores")
            yield* Effect.logDebug(`${what} (generation ${next.generation}): ${reason}`)
            return { snapshot: next, swapped: true, unresolved, degraded: (yield* health.current).degraded }
          }).pipe(Effect.provide(services))
        )

      const reload = (reason: string) => swap("reload", reason, true, (previous) => loadAgents(options.agent, previous))
      // Refs a store refresh found unresolved, for which a full reload was asked: once each, so one that the reload
      // cannot resolve (degraded) does not have every later store change ask again.
      const newRefsAsked = new Set<string>()
      const refreshStores = (reason: string) =>
        Effect.flatMap(
          swap("store refresh", reason, false, (previous) =>
            Effect.map(
              Effect.forEach([...previous.agents], ([id, ctx]) => Effect.map(refreshStore(ctx), (fresh) => [id, fresh] as const)),
              (entries) => ({ ...previous, agents: new Map(entries) })
            )
          ),
          (outcome) => {
            // A store refresh does not resolve (the snapshot's resolutions are kept): a ref stored since needs the
            // full reload, which resolves every ref once — soon (debounced), not for each request.
            const fresh = refsNotResolved(outcome.snapshot.agents).filter((key) => !newRefsAsked.has(key))
            for (const key of fresh) newRefsAsked.add(key)
            return Effect.as(fresh.length > 0 ? requestReload("a store holds a secret reference not resolved yet", "full") : Effect.void, outcome.snapshot)
          }
        )

      // Not behind the lock: only memory is touched. A reload that read the store before this write and finishes
      // after it notices the patch and reads the stores again (see swap).
      const storeWritten = (doc: StoreDocument) =>
        Effect.gen(function* () {
          yield* storeChanges.written(doc.path)
          const next = yield* SubscriptionRef.updateAndGet(ref, (s) => {
            const agents = withStoreDocument(s, doc)
            return { ...s, agents, generation: s.generation + 1, secrets: secretsOf([...agents.values()], s.access) }
          })
          // Another process may have added a profile since our last read: its secret is masked from now on too.
          yield* registry.register(next.secrets)
          return next
        })

      // Requests within the debounce window are served by one reload: a full one if any of them needs it.
      let pending: { full: boolean; reasons: Set<string> } = { full: false, reasons: new Set() }
      const wake = yield* Queue.sliding<void>(1)
      const debounce = Duration.millis(options.debounceMs ?? 150)
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.gen(function* () {
            yield* Queue.take(wake)
            yield* Effect.sleep(debounce)
            const batch = pending
            pending = { full: false, reasons: new Set() }
            const reason = [...batch.reasons].join("; ")
            if (batch.full) yield* reload(reason)
            else yield* refreshStores(reason)
          })
        )
      )
      const requestReload = (reason: string, kind: ReloadKind = "full") =>
        Effect.suspend(() => {
          pending.full ||= kind === "full"
          pending.reasons.add(reason)
          return Queue.offer(wake, undefined)
        }).pipe(Effect.asVoid)

      // Watch the directories of the current snapshot; a reload that changes them re-targets the watch.
      for (const ctx of initial.agents.values()) {
        yield* files.makeDirectory(ctx.agent.agentDir).pipe(Effect.ignore)
        yield* files.makeDirectory(ctx.host.stateDir).pipe(Effect.ignore)
      }
      yield* ref.changes.pipe(
        Stream.map(watchTargets),
        Stream.changesWith((a, b) => a.dirs.join("\n") === b.dirs.join("\n") && [...a.files].join("\n") === [...b.files].join("\n")),
        Stream.flatMap(
          (t) => watcher.watch(t.dirs).pipe(Stream.filterMap((path) => (t.files.has(path) ? Option.some([path, t.stores.has(path)] as const) : Option.none()))),
          { switch: true }
        ),
        // A store change (the CLI, another gateway, our own writes) needs only the stores; anything else, all.
        Stream.runForEach(([path, isStore]) => {
          return requestReload(`${path} changed`, isStore ? "stores" : "full")
        }),
        Effect.forkScoped
      )

      const current = SubscriptionRef.get(ref)
      const fresh = Effect.flatMap(storeChanges.changed, (changed) => (changed ? refreshStores("a store changed on disk") : current))
      return GatewayState.of({ current, fresh, changes: ref.changes, reload, secretsHealth: health.current, refreshStores, storeWritten, requestReload })
    })
  )
