import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { JsonObject } from "../domain/AuthStore.js"
import { serializeStore } from "../domain/AuthStore.js"
import { commentedValue, removeDotEnvAssignments } from "../domain/DotEnv.js"
import { applyProviderChanges, editBatch, scrubConfigEnv, scrubLegacyAuth, setConfigRef, setStoreRef } from "../domain/SecretsApplyEdits.js"
import { SecretsPlanError } from "../domain/SecretsApplyErrors.js"
import { decodePlan, PLAN_MAX_BYTES, type SecretsPlan } from "../domain/SecretsPlan.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { FileLock } from "../services/FileLock.js"
import { Files } from "../services/Files.js"
import { parseJsonText, readJsonDocument } from "../services/JsonDocument.js"
import { Paths } from "../services/Paths.js"
import { ProfileStore } from "../services/ProfileStore.js"
import { type Preflight, preflightPlan, type TargetCheck } from "./SecretsPreflight.js"

/** `openclaw secrets apply` (§9): a checked plan written under §3.3, and the plain values it replaces scrubbed. */

export interface Scrubbed {
  readonly file: string
  /** A JSON path (`profiles.openai:default.key`), a variable (`OPENAI_API_KEY`) or a legacy entry (`openai`). */
  readonly what: string
}

export interface ApplyReport {
  readonly dryRun: boolean
  readonly targets: ReadonlyArray<TargetCheck>
  readonly providerUpserts: ReadonlyArray<string>
  readonly providerDeletes: ReadonlyArray<string>
  readonly scrubbed: ReadonlyArray<Scrubbed>
  /** Files written, or that would be in a dry run. */
  readonly files: ReadonlyArray<string>
  readonly notes: ReadonlyArray<string>
}

/** Reads and checks a plan file: a regular file of at most 16 MiB, JSON, every target valid. */
export const loadPlanFile = Effect.fn("Secrets.loadPlan")(function* (file: string) {
  const text = yield* (yield* Files).readText(file)
  if (Option.isNone(text)) return yield* new SecretsPlanError({ source: file, problems: ["the file does not exist"] })
  if (new TextEncoder().encode(text.value).length > PLAN_MAX_BYTES) {
    return yield* new SecretsPlanError({ source: file, problems: ["the file is larger than 16 MiB"] })
  }
  const raw = yield* parseJsonText(file, text.value, "JSON")
  return yield* Either.mapLeft(decodePlan(raw), (problems) => new SecretsPlanError({ source: file, problems }))
})

/** Env variables a ref of the plan reads from `source`: they are where a secret now lives, never scrubbed there. */
const readByRefs = (pre: Preflight, from: (source: { kind: string; path?: string }) => boolean): ReadonlySet<string> =>
  new Set(
    pre.plan.targets.flatMap((t) => {
      const found = t.ref.source === "env" ? pre.env.vars.get(t.ref.id) : undefined
      return found !== undefined && from(found.source) ? [t.ref.id] : []
    })
  )

const failed = (source: string, problem: string) => new SecretsPlanError({ source, problems: [`${problem} (the file changed since the plan was checked)`] })

/** The config with the plan's providers and refs in and replaced values out of its `env` block. */
const editConfig = (pre: Preflight, raw: JsonObject, source: string) =>
  Effect.gen(function* () {
    let next = applyProviderChanges(raw, pre.plan.providerUpserts, pre.plan.providerDeletes)
    const values = new Set(pre.replaced)
    const batch = editBatch()
    for (const target of pre.plan.targets) {
      if (target._tag !== "config") continue
      const edited = yield* Either.mapLeft(setConfigRef(next, target, batch), (p) => failed(source, `${target.path}: ${p}`))
      next = edited.raw
      if (edited.replaced !== undefined) values.add(edited.replaced)
    }
    const keep = readByRefs(pre, (s) => s.kind === "config")
    const env = scrubConfigEnv(next, values, keep)
    return { raw: env.raw, values, scrubbed: env.removed }
  })

const editStore = (pre: Preflight, agentId: string, raw: JsonObject, source: string) =>
  Effect.gen(function* () {
    let next = raw
    const values = new Set<string>()
    const scrubbed: Array<string> = []
    const batch = editBatch()
    for (const target of pre.plan.targets) {
      if (target._tag !== "store" || target.agentId !== agentId) continue
      const edited = yield* Either.mapLeft(setStoreRef(next, target, batch), (p) => failed(source, `${target.path}: ${p}`))
      next = edited.raw
      if (edited.replaced !== undefined) {
        values.add(edited.replaced)
        scrubbed.push(`profiles.${target.profileId}.${target.plain}`)
      }
    }
    return { raw: next, values, scrubbed }
  })

const legacyPath = (agentDir: string) => `${agentDir}/auth.json`

/**
 * Every file the plan changes, in order: config, stores, then the scrubs that need the replaced values from
 * them. `write` false computes the same edits from the files as they are and writes nothing (the dry run).
 */
const run = (pre: Preflight, source: string, write: boolean) =>
  Effect.gen(function* () {
    const files = yield* Files
    const lock = yield* FileLock
    const paths = yield* Paths
    const scrubbed: Array<Scrubbed> = []
    const changed: Array<string> = []
    const notes: Array<string> = []
    const values = new Set(pre.replaced)

    const configPath = pre.configDoc.path
    const configEdit = (raw: JsonObject) =>
      Effect.map(editConfig(pre, raw, source), (e) => {
        for (const v of e.values) values.add(v)
        for (const what of e.scrubbed) scrubbed.push({ file: configPath, what })
        return e.raw
      })
    if (write) {
      const [, wrote] = yield* (yield* ConfigStore).update((raw) =>
        Effect.map(configEdit(raw), (next) => [next, next !== raw] as const)
      )
      if (wrote) changed.push(configPath)
    } else if ((yield* configEdit(pre.configDoc.raw)) !== pre.configDoc.raw) changed.push(configPath)

    for (const [agentId, { agent, doc }] of pre.stores) {
      const storeEdit = (raw: JsonObject) =>
        Effect.map(editStore(pre, agentId, raw, agent.storePath), (e) => {
          for (const v of e.values) values.add(v)
          for (const what of e.scrubbed) scrubbed.push({ file: agent.storePath, what })
          return e.raw
        })
      if (write) yield* (yield* ProfileStore).update(agent.storePath, (d) => Effect.map(storeEdit(d.raw), (next) => [next, undefined] as const))
      else yield* storeEdit(doc.raw)
      changed.push(agent.storePath)
    }

    if (pre.plan.scrubLegacyAuthJson) {
      for (const agent of pre.legacyAgents) {
        const file = legacyPath(agent.agentDir)
        const scrub = Effect.gen(function* () {
          const doc = yield* Effect.either(readJsonDocument(files, file, "JSON"))
          if (Either.isLeft(doc)) {
            notes.push(`${file} was not scrubbed: ${doc.left.message}`)
            return
          }
          if (!doc.right.exists) return
          const result = scrubLegacyAuth(doc.right.raw, values)
          if (result.removed.length === 0) return
          for (const what of result.removed) scrubbed.push({ file, what })
          changed.push(file)
          if (!write) return
          // An emptied legacy file has nothing left to import: it goes.
          if (Object.keys(result.raw).length === 0) yield* files.remove(file)
          else yield* files.writeAtomic(file, serializeStore(result.raw))
        })
        yield* lock.withLock(file, scrub)
      }
    }

    if (pre.plan.scrubEnv) {
      const file = paths.stateEnvPath
      const keep = readByRefs(pre, (s) => s.kind === "dotenv" && s.path === file)
      for (const name of keep) notes.push(`${name} stays in ${file}: a ref of the plan reads it from there`)
      const scrub = Effect.gen(function* () {
        const text = yield* files.readText(file)
        if (Option.isNone(text)) return
        // A commented-out assignment of a replaced value goes too (an old copy kept by hand); any other comment stays.
        const result = removeDotEnvAssignments(
          text.value,
          (key, value) => values.has(value) && !keep.has(key),
          (line) => {
            const value = commentedValue(line)
            return value !== undefined && values.has(value)
          }
        )
        if (result.removed.length === 0) return
        for (const what of result.removed) scrubbed.push({ file, what })
        changed.push(file)
        if (write) yield* files.writeAtomic(file, result.text)
      })
      yield* lock.withLock(file, scrub)
    }
    return { scrubbed, files: [...new Set(changed)], notes }
  })

/**
 * Puts back, in memory only, what a failed apply had already written (OpenClaw's best-effort restore): no copy of
 * an old plain value is ever kept on disk.
 */
const restoring = <A, E, R>(pre: Preflight, self: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const files = yield* Files
    const touched = [pre.configDoc.path, ...[...pre.stores.values()].map((s) => s.agent.storePath), ...pre.legacyAgents.map((a) => legacyPath(a.agentDir)), (yield* Paths).stateEnvPath]
    const originals = yield* Effect.forEach(touched, (path) => Effect.map(files.readText(path), (text) => [path, text] as const))
    return yield* Effect.onError(self, () =>
      Effect.forEach(originals, ([path, text]) =>
        Effect.ignore(
          Effect.flatMap(files.readText(path), (now) =>
            Option.getEquivalence<string>((a, b) => a === b)(now, text)
              ? Effect.void
              : Option.match(text, { onNone: () => files.remove(path), onSome: (t) => files.writeAtomic(path, t) })
          )
        )
      )
    )
  })

export interface ApplyOptions {
  readonly dryRun: boolean
  readonly allowExec: boolean
  /** A line on stderr while refs resolve (a terminal, not --json). */
  readonly progress?: boolean
}

/** Checks the whole plan (targets, files, refs), then writes it, or in a dry run reports what it would change. */
export const applyPlan = Effect.fn("Secrets.apply")(function* (plan: SecretsPlan, source: string, options: ApplyOptions) {
  const pre = yield* preflightPlan(plan, { source, ...options })
  const done = options.dryRun ? yield* run(pre, source, false) : yield* restoring(pre, run(pre, source, true))
  return {
    dryRun: options.dryRun,
    targets: pre.checks,
    providerUpserts: plan.providerUpserts.map(([alias]) => alias),
    providerDeletes: plan.providerDeletes,
    ...done
  } satisfies ApplyReport
})

export const secretsApply = Effect.fn("Secrets.applyFile")(function* (file: string, options: ApplyOptions) {
  return yield* applyPlan(yield* loadPlanFile(file), file, options)
})
