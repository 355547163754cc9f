import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { decodeConfig, defaultAgentId, substituteEnvRefs } from "../domain/Config.js"
import { FileShapeError, UsageError } from "../domain/Errors.js"
import { providersAfter } from "../domain/SecretsConfigure.js"
import { encodePlan, PLAN_MAX_BYTES, type SecretsPlan } from "../domain/SecretsPlan.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Environment } from "../services/Environment.js"
import { Files } from "../services/Files.js"
import { Paths } from "../services/Paths.js"
import { ProfileStore } from "../services/ProfileStore.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { Prompter } from "../services/Prompter.js"
import { configSecrets, storeSecrets } from "./AuthContext.js"
import { type ApplyReport, applyPlan } from "./SecretsApply.js"
import { mapFields, setUpProviders } from "./SecretsConfigureWizard.js"
import { agentsConfig } from "./SecretsPreflight.js"

/**
 * `openclaw secrets configure` (§9): the wizard, its preflight, then a plan file and/or the apply. What it says
 * along the way goes to stderr, so stdout holds only the report (JSON with --json).
 */

export interface ConfigureOptions {
  readonly planOut: string | undefined
  readonly apply: boolean
  readonly yes: boolean
  readonly providersOnly: boolean
  readonly skipProviderSetup: boolean
  readonly agent: string | undefined
  readonly allowExec: boolean
  readonly json: boolean
  /** Shows the preflight report before the apply question (the CLI renders it; nothing for --json). */
  readonly show: (preflight: ApplyReport) => Effect.Effect<void>
}

export interface ConfigureResult {
  /** The plan as written to --plan-out (OpenClaw's shape); undefined when there was nothing to change. */
  readonly plan: Record<string, unknown> | undefined
  readonly planOut: string | undefined
  readonly preflight: ApplyReport | undefined
  readonly applied: ApplyReport | undefined
}

const IRREVERSIBLE = "The plain values the refs replace are scrubbed for good: no backup is kept."

export const secretsConfigure = Effect.fn("Secrets.configure")(function* (o: ConfigureOptions) {
  if (o.providersOnly && o.skipProviderSetup) {
    return yield* new UsageError({ problem: "--providers-only and --skip-provider-setup leave nothing to do together", fix: "pass one of them" })
  }
  if (o.yes && !o.apply) return yield* new UsageError({ problem: "--yes only applies to --apply", fix: "run `openclaw secrets configure --apply --yes`" })
  const prompter = yield* Prompter
  if (!prompter.interactive) {
    return yield* new UsageError({
      problem: "secrets configure is an interactive wizard and needs a terminal",
      fix: "run it in a terminal; for scripts, write a plan (see `openclaw secrets apply --help`) and run `openclaw secrets apply --from <plan>`"
    })
  }
  const configDoc = yield* (yield* ConfigStore).load
  const env = yield* (yield* Environment).load(configDoc.raw)
  const config = yield* Either.mapLeft(agentsConfig(configDoc.raw, (n) => env.vars.get(n)?.value), (detail) => new FileShapeError({ path: configDoc.path, detail }))
  const agent = yield* (yield* Paths).agent(config, o.agent ?? defaultAgentId(config))
  const store = yield* (yield* ProfileStore).load(agent.storePath)
  // Registered before anything is drawn: a prompt's frames are scrubbed too, and a stored key pasted where a name
  // is asked must not be drawn back (§11).
  const registry = yield* SecretRegistry
  const whole = decodeConfig(substituteEnvRefs(configDoc.raw, (n) => env.vars.get(n)?.value).value)
  yield* registry.register(configSecrets(env.vars, env.ignoredValues, Either.getOrElse(whole, () => config)))
  yield* registry.register(storeSecrets(store.store))
  yield* Console.error(`Secret references for agent ${agent.agentId} (${configDoc.path}, ${agent.storePath}). Credentials change only when you confirm.`)

  const providers = o.skipProviderSetup ? { upserts: new Map(), deletes: new Set<string>() } : yield* setUpProviders(configDoc.raw)
  const targets = o.providersOnly
    ? []
    : yield* mapFields(configDoc.raw, store.raw, agent.agentId, providersAfter(configDoc.raw, providers.upserts, providers.deletes))
  const plan: SecretsPlan = {
    targets,
    providerUpserts: [...providers.upserts],
    providerDeletes: [...providers.deletes],
    scrubEnv: true,
    scrubLegacyAuthJson: true
  }
  if (plan.targets.length === 0 && plan.providerUpserts.length === 0 && plan.providerDeletes.length === 0) {
    yield* Console.error("Nothing to change; nothing was written.")
    return { plan: undefined, planOut: undefined, preflight: undefined, applied: undefined } satisfies ConfigureResult
  }
  // The same checks and resolution `secrets apply --dry-run` makes: a plan that fails them is never written.
  const preflight = yield* applyPlan(plan, "the plan", { dryRun: true, allowExec: o.allowExec, progress: !o.json })
  yield* o.show(preflight)
  const encoded = encodePlan(plan, new Date(yield* Clock.currentTimeMillis).toISOString())
  if (o.planOut !== undefined) {
    const text = `${JSON.stringify(encoded, null, 2)}\n`
    if (new TextEncoder().encode(text).length > PLAN_MAX_BYTES) {
      return yield* new UsageError({ problem: "the plan is larger than 16 MiB", fix: "map fewer fields at a time" })
    }
    // A plan holds refs only, never a value; it is still written 0600 like everything openclaw writes.
    yield* (yield* Files).writeAtomic(o.planOut, text)
    yield* Console.error(`Plan written to ${o.planOut} (apply it with: openclaw secrets apply --from ${o.planOut}).`)
  }
  const apply = o.apply
    ? o.yes || (yield* prompter.confirm(`Apply the plan now? ${IRREVERSIBLE}`, false))
    : yield* prompter.confirm(`Apply this plan now? ${IRREVERSIBLE}`, false)
  const applied = apply ? yield* applyPlan(plan, "the plan", { dryRun: false, allowExec: o.allowExec }) : undefined
  if (!apply) yield* Console.error(o.planOut === undefined ? "Not applied; nothing was written." : "Not applied.")
  return { plan: encoded, planOut: o.planOut, preflight, applied } satisfies ConfigureResult
})
