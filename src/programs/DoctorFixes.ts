/**
 * `openclaw doctor --fix` (§6.3): which fixes may run (a destructive one needs `--yes` or a "yes"), and applying
 * them — modes, legacy import, each store, the config — each under its lock. The checks themselves are in Doctor.ts.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { decodeAuthStore, holdsProfile, removeProfile, setUsageStats, type JsonObject } from "../domain/AuthStore.js"
import { configReferences, unregisterProfile } from "../domain/ConfigEdits.js"
import {
  type Check,
  chmodRefusal,
  clearStaleCooldown,
  confirmMessage,
  describeFix,
  type DoctorInputs,
  type Fix,
  type FixOutcome,
  hasStaleCooldown,
  isDestructive,
  setConfigProfileMode
} from "../domain/Doctor.js"
import { type Explained, messageOf } from "../domain/Errors.js"
import { ProfileId } from "../domain/ProfileId.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Files } from "../services/Files.js"
import { ProfileStore, type StoreDocument } from "../services/ProfileStore.js"
import { Prompter } from "../services/Prompter.js"
import { migrateLegacy } from "./LegacyImport.js"

/** Whether a path really (symlinks resolved) is the state dir or lies under it; unresolvable → no. */
export const insideOf = Effect.fn("Doctor.insideOf")(function* (stateDir: string) {
  const files = yield* Files
  const realState = yield* Effect.either(files.realPath(stateDir))
  return (path: string) =>
    Effect.map(Effect.either(files.realPath(path)), (real) =>
      Either.isRight(realState) && Either.isRight(real)
        ? real.right === realState.right || real.right.startsWith(`${realState.right.replace(/\/+$/, "")}/`)
        : false
    )
})

export type Decision = { readonly check: Check; readonly approved: boolean; readonly detail?: string }

/** Safe fixes are approved; a destructive one needs `--yes` or a "yes" at the prompt. */
export const decide = Effect.fn("Doctor.decide")(function* (
  checks: ReadonlyArray<Check>,
  options: { readonly yes: boolean; readonly nonInteractive: boolean }
) {
  const prompter = yield* Prompter
  const decisions: Array<Decision> = []
  let cancelled = false
  for (const check of checks) {
    if (check.fix === undefined) continue
    if (!isDestructive(check.fix) || options.yes) {
      decisions.push({ check, approved: true })
    } else if (options.nonInteractive || !prompter.interactive) {
      const why = options.nonInteractive ? "--non-interactive" : "no terminal to ask on"
      decisions.push({ check, approved: false, detail: `skipped: needs confirmation (${why}); rerun with --fix --yes to apply` })
    } else if (cancelled) {
      decisions.push({ check, approved: false, detail: "skipped: cancelled" })
    } else {
      const answer = yield* Effect.either(prompter.confirm(confirmMessage(check.fix), false))
      cancelled = Either.isLeft(answer)
      const approved = Either.getOrElse(answer, () => false)
      decisions.push(approved ? { check, approved } : { check, approved, detail: cancelled ? "skipped: cancelled" : "skipped: you declined" })
    }
  }
  return decisions
})

type FixOf<K extends Fix["kind"]> = Extract<Fix, { readonly kind: K }>
type StoreFix = FixOf<"remove-profile" | "clear-stale-cooldown">

/** An approved check with its fix, typed by the kind it was filed under. */
interface Approved<F extends Fix> {
  readonly check: Check
  readonly fix: F
}

interface ApprovedFixes {
  readonly chmod: ReadonlyArray<Approved<FixOf<"chmod">>>
  readonly legacy: ReadonlyArray<Approved<FixOf<"migrate-legacy">>>
  /** Removals and cooldown clears together, in check order: they edit the same documents. */
  readonly store: ReadonlyArray<Approved<StoreFix>>
  readonly config: ReadonlyArray<Approved<FixOf<"set-config-mode">>>
}

/** Splits the approved checks by what their fix touches, so each step gets its own kind of fix. */
const groupApproved = (checks: ReadonlyArray<Check>): ApprovedFixes => {
  const chmod: Array<Approved<FixOf<"chmod">>> = []
  const legacy: Array<Approved<FixOf<"migrate-legacy">>> = []
  const store: Array<Approved<StoreFix>> = []
  const config: Array<Approved<FixOf<"set-config-mode">>> = []
  for (const check of checks) {
    const fix = check.fix
    switch (fix?.kind) {
      case undefined:
        break
      case "chmod":
        chmod.push({ check, fix })
        break
      case "migrate-legacy":
        legacy.push({ check, fix })
        break
      case "remove-profile":
      case "clear-stale-cooldown":
        store.push({ check, fix })
        break
      case "set-config-mode":
        config.push({ check, fix })
        break
    }
  }
  return { chmod, legacy, store, config }
}

/** One store's fixes on its raw document; what it decides is the ids really removed (others were already gone). */
const applyStoreFixes = (doc: StoreDocument, fixes: ReadonlyArray<StoreFix>, now: number) =>
  fixes.reduce<readonly [JsonObject, ReadonlyArray<ProfileId>]>(([raw, removed], fix) => {
    const id = ProfileId.make(fix.profileId)
    if (fix.kind === "remove-profile") return holdsProfile(raw, id) ? [removeProfile(raw, id), [...removed, id]] : [raw, removed]
    const stats = doc.store.usageStats[id]
    return stats !== undefined && hasStaleCooldown(stats, now)
      ? [setUsageStats(raw, id, (s) => clearStaleCooldown(s, now)), removed]
      : [raw, removed]
  }, [doc.raw, []])

/** Applies the approved fixes: modes, then legacy import, then each store, then the config, each under its lock. */
export const applyFixes = Effect.fn("Doctor.applyFixes")(function* (inputs: DoctorInputs, decisions: ReadonlyArray<Decision>) {
  const files = yield* Files
  const outcomes: Array<FixOutcome> = decisions
    .filter((d) => !d.approved)
    .map((d) => ({ check: d.check, applied: false, detail: d.detail ?? "skipped" }))
  const approved = groupApproved(decisions.filter((d) => d.approved).map((d) => d.check))
  const done = ({ check, fix }: Approved<Fix>, result: Either.Either<unknown, Explained>) =>
    outcomes.push(
      Either.isRight(result)
        ? { check, applied: true, detail: describeFix(fix) }
        : { check, applied: false, detail: `failed: ${messageOf(result.left)}` }
    )

  // Checked again just before: the path may have been swapped (for a symlink, say) since it was looked at.
  const insideStateDir = yield* insideOf(inputs.host.stateDir)
  for (const item of approved.chmod) {
    const { path, mode } = item.fix
    const info = Option.getOrUndefined(Either.getOrElse(yield* Effect.either(files.stat(path)), () => Option.none()))
    const real = Either.getOrElse(yield* Effect.either(files.realPath(path)), () => path)
    const refTarget = inputs.secrets.targets.has(path) || inputs.secrets.targets.has(real)
    const refusal = info === undefined ? "it is gone" : chmodRefusal({ ...info, insideStateDir: yield* insideStateDir(path), refTarget })
    if (refusal !== undefined) outcomes.push({ check: item.check, applied: false, detail: `not changed: ${refusal}` })
    else done(item, yield* Effect.either(files.chmod(path, mode)))
  }

  if (approved.legacy.length > 0 && inputs.agent !== undefined) {
    const result = yield* Effect.either(migrateLegacy(inputs.host, inputs.agent))
    for (const item of approved.legacy) {
      if (Either.isLeft(result)) done(item, result)
      else if (result.right.removed.includes(item.fix.path)) done(item, result)
      else {
        const why = result.right.notices.filter((n) => n.includes(item.fix.path)).join("; ")
        outcomes.push({ check: item.check, applied: false, detail: `not migrated: ${why || "the file is still there"}` })
      }
    }
  }

  const removed: Array<ProfileId> = []
  for (const storePath of new Set(approved.store.map((item) => item.fix.storePath))) {
    const mine = approved.store.filter((item) => item.fix.storePath === storePath)
    const result = yield* Effect.either(
      (yield* ProfileStore).update(storePath, (doc) => {
        const [raw, removedHere] = applyStoreFixes(doc, mine.map((item) => item.fix), inputs.now)
        // Checked here too: a store that no longer decodes is never written (ProfileStore dies instead), and then
        // nothing was removed.
        return Effect.succeed(Either.isRight(decodeAuthStore(raw)) ? ([raw, removedHere] as const) : ([doc.raw, []] as const))
      })
    )
    // Only what the store really lost is unregistered from the config: a failed write leaves the config alone.
    if (Either.isRight(result)) removed.push(...result.right[1])
    for (const item of mine) done(item, result)
  }

  const configRaw = yield* Effect.either((yield* ConfigStore).load)
  const unregister = removed.filter((id) => Either.isRight(configRaw) && configReferences(configRaw.right.raw, id))
  if (approved.config.length > 0 || unregister.length > 0) {
    const result = yield* Effect.either(
      (yield* ConfigStore).update((raw) => {
        const unregistered = unregister.reduce((doc, id) => unregisterProfile(doc, id), raw)
        const next = approved.config.reduce((doc, { fix }) => setConfigProfileMode(doc, fix.profileId, fix.mode), unregistered)
        return Effect.succeed([next, undefined] as const)
      })
    )
    for (const item of approved.config) done(item, result)
  }
  return outcomes
})
