import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { Files } from "../services/Files.js"
import type { Paths } from "../services/Paths.js"
import type { ProfileStore, StoreDocument } from "../services/ProfileStore.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { FileWatcher } from "./FileWatcher.js"
import { makeSecretsHealthRecord, type SecretsHealth } from "./SecretsHealth.js"
import { startRefusal, unresolvedSecrets, type UnresolvedSecret } from "./SecretSurface.js"
import {
  type GatewaySnapshot,
  loadAgents,
  refreshStore,
  refsNotResolved,
  secretsOf,
  storePaths,
  watchTargets,
  withStoreDocument
} from "./Snapshot.js"
import { makeStoreChanges } from "./StoreChanges.js"

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
  /** `fresh` without a fiber when no store changed (no stat while the watch is quiet); undefined when one did, or it cannot tell. */
  readonly freshNow: () => GatewaySnapshot | undefined
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
  /** How long a quiet watch of the stores spares the per-request stat (./StoreChanges.ts). */
  readonly quietWatchTrustedMs?: number | undefined
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
      /** The gateway's lifetime: a reload run apart from whoever asked still ends with it. */
      const lifetime = yield* Effect.scope
      const registry = yield* SecretRegistry
      const loadedAt = yield* Clock.currentTimeMillis
      const storeChanges = makeStoreChanges(watcher.fingerprint, watcher.fingerprintNow, { trustedMs: options.quietWatchTrustedMs })
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
      // The ref's value, kept by every write below (inside its update, so never behind it): for `freshNow`.
      let latest: GatewaySnapshot = yield* SubscriptionRef.get(ref)
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
        load: (previous: GatewaySnapshot) => Effect.Effect<Omit<GatewaySnapshot, "generation" | "loadedAt" | "secrets">, { readonly message: string }, Effect.Effect.Context<ReturnType<typeof loadAgents>> | ProfileStore | Paths>,
        started: () => void = () => undefined
      ): Effect.Effect<ReloadOutcome> =>
        lock.withPermits(1)(
          Effect.gen(function* () {
            started()
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
              yield* storeChanges.afterRead(storePaths(previous.agents), before)
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
              latest = next
              return [[current !== previous, next] as const, next]
            })
            if (resolves) yield* health.record({ what: `${what} (${reason})`, unresolved, generation: next.generation })
            // A store written (and patched in) while this load ran may have been read before the write: read again.
            if (patched) yield* requestReload("a store was written during the load", "stores")
            yield* Effect.logDebug(`${what} (generation ${next.generation}): ${reason}`)
            return { snapshot: next, swapped: true, unresolved, degraded: (yield* health.current).degraded }
          }).pipe(Effect.provide(services))
        )

      /**
       * A full reload runs every secrets resolver again, behind the lock requests take to read a changed store. So
       * reloads asked while one waits for the lock share it (twenty `POST /v1/secrets/reload` resolve twice at most,
       * not twenty times with requests queued behind them); one asked after it started gets the next, which reads
       * what changed since. Run apart from the asker, so one that hangs up cannot leave the others waiting.
       */
      let waiting: Deferred.Deferred<ReloadOutcome> | undefined
      const reload = (reason: string): Effect.Effect<ReloadOutcome> =>
        Effect.suspend(() => {
          if (waiting !== undefined) return Deferred.await(waiting)
          return Effect.flatMap(Deferred.make<ReloadOutcome>(), (next) => {
            waiting = next
            const once = swap("reload", reason, true, (previous) => loadAgents(options.agent, previous), () => {
              if (waiting === next) waiting = undefined
            })
            return Effect.zipRight(Effect.forkIn(Effect.intoDeferred(once, next), lifetime), Deferred.await(next))
          })
        })
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
            latest = { ...s, agents, generation: s.generation + 1, secrets: secretsOf([...agents.values()], s.access) }
            return latest
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

      // Watch the files of the current snapshot (through their directories); a reload that changes them re-targets it.
      for (const ctx of initial.agents.values()) {
        yield* files.makeDirectory(ctx.agent.agentDir).pipe(Effect.ignore)
        yield* files.makeDirectory(ctx.host.stateDir).pipe(Effect.ignore)
      }
      yield* ref.changes.pipe(
        Stream.map(watchTargets),
        Stream.changesWith((a, b) => [...a.files].join("\n") === [...b.files].join("\n")),
        Stream.flatMap((t) => watcher.watch(t.files, storeChanges.listener).pipe(Stream.map((path) => [path, t.stores.has(path)] as const)), { switch: true }),
        // A store change (the CLI, another gateway, our own writes) needs only the stores; anything else, all.
        Stream.runForEach(([path, isStore]) => {
          return requestReload(`${path} changed`, isStore ? "stores" : "full")
        }),
        Effect.forkScoped
      )

      const current = SubscriptionRef.get(ref)
      const fresh = Effect.flatMap(storeChanges.changed, (changed) => (changed ? refreshStores("a store changed on disk") : current))
      const freshNow = () => (storeChanges.changedNow() === false ? latest : undefined)
      return GatewayState.of({ current, fresh, freshNow, changes: ref.changes, reload, secretsHealth: health.current, refreshStores, storeWritten, requestReload })
    })
  )
