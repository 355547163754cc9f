import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { withDefaultModel } from "../domain/ConfigEdits.js"
import { ApiKeyCredential, TokenCredential } from "../domain/Credential.js"
import { type DotEnvUpsert, upsertDotEnv, validateEnvName } from "../domain/DotEnv.js"
import { formatEnvSource } from "../domain/Env.js"
import { maskSecret } from "../domain/Mask.js"
import { checkFlags, envVarsFor, modelFlag, type OnboardOptions, type OnboardPlan, qualifyModel, usage } from "../domain/Onboard.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { FileLock } from "../services/FileLock.js"
import { Files } from "../services/Files.js"
import { Prompter } from "../services/Prompter.js"
import { type AuthContext, loadAuthContext } from "./AuthContext.js"
import { modelsStatus } from "./ModelsStatus.js"
import { planFromFlags, readStateEnv } from "./OnboardPlan.js"
import { runWizard } from "./OnboardWizard.js"
import { ensureStateDir } from "./StateDir.js"
import { type StoredProfile, storeCredential } from "./StoreCredential.js"

export type Saved =
  | { readonly _tag: "profile"; readonly stored: StoredProfile }
  | {
      readonly _tag: "env"
      readonly path: string
      readonly envVar: string
      readonly upsert: DotEnvUpsert
      /** The file was readable by others and is now 0600. */
      readonly tightened: boolean
    }

/** Sets one variable in `<state>/.env` under the file's lock: other lines kept, the key never duplicated, 0600. */
const writeStateEnv = (ctx: AuthContext, envVar: string, value: string) =>
  Effect.gen(function* () {
    const files = yield* Files
    const path = ctx.host.stateEnvPath
    yield* Either.mapLeft(validateEnvName(envVar), (problem) => usage(problem, "choose --store profiles for this provider"))
    const upsert = yield* (yield* FileLock).withLock(
      path,
      Effect.gen(function* () {
        const text = Option.getOrElse(yield* files.readText(path), () => "")
        const next = yield* Either.mapLeft(upsertDotEnv(text, envVar, value), (problem) =>
          usage(`cannot write ${envVar} to ${path}: ${problem}`, "store it as a profile with --store profiles")
        )
        if (next.change !== "unchanged") yield* files.writeAtomic(path, next.text)
        return next
      })
    )
    // An unchanged file is not rewritten, but it holds a secret: it must not stay readable by others.
    const mode = Option.map(yield* files.stat(path), (s) => s.mode)
    const tightened = Option.isSome(mode) && (mode.value & 0o077) !== 0
    if (tightened) yield* files.chmod(path, 0o600)
    return { _tag: "env", path, envVar, upsert, tightened } satisfies Saved
  })

/** Things worth knowing about where the secret went: what else would be used instead of it. */
const notesFor = (ctx: AuthContext, plan: OnboardPlan): ReadonlyArray<string> => {
  const notes: Array<string> = []
  if (plan.home._tag === "env") {
    const envVar = plan.home.envVar
    const profiles = [...ctx.store.store.profiles].filter(([, c]) => c.provider === plan.provider).map(([id]) => id)
    if (profiles.length > 0) {
      notes.push(
        `stored profiles beat environment variables, so ${profiles.join(", ")} will be used for ${plan.provider} ` +
          `instead of ${envVar}; to use the .env key, remove them with \`openclaw models auth logout --profile-id <id>\``
      )
    }
    const earlier = ctx.env.vars.get(envVar)
    const isStateEnv = earlier?.source.kind === "dotenv" && earlier.source.path === ctx.host.stateEnvPath
    if (earlier && !isStateEnv && earlier.value !== Redacted.value(plan.secret)) {
      notes.push(
        `${envVar} is also set in ${formatEnvSource(earlier.source)} (${maskSecret(earlier.value)}), which comes ` +
          `before ${ctx.host.stateEnvPath} (§4.1): wherever that is visible, its value is used instead`
      )
    }
    // ANTHROPIC_OAUTH_TOKEN comes before ANTHROPIC_API_KEY (§4.2): a new key would not be used while it is set.
    const tokenVar =
      plan.kind === "api_key" ? envVarsFor(plan.provider, "token").find((name) => ctx.env.vars.has(name)) : undefined
    if (tokenVar) notes.push(`${tokenVar} is set and is used before ${envVar} (§4.2); unset it to use the new key`)
  }
  if (plan.model !== undefined) {
    const own = ctx.config.agents?.list?.find((a) => a.id === ctx.agent.agentId)?.model
    if (own !== undefined) {
      notes.push(`agent ${ctx.agent.agentId} sets its own model in agents.list, which wins over agents.defaults.model`)
    }
  }
  return notes
}

/** Writes the plan: the secret first (profile or `.env`), then the default model. */
const apply = (ctx: AuthContext, plan: OnboardPlan) =>
  Effect.gen(function* () {
    let saved: Saved
    if (plan.home._tag === "env") {
      saved = yield* writeStateEnv(ctx, plan.home.envVar, Redacted.value(plan.secret))
    } else {
      const now = yield* Clock.currentTimeMillis
      // With a ref the profile holds the ref alone: what it resolved to at preflight is never written (§9).
      const credential =
        plan.kind === "api_key"
          ? new ApiKeyCredential({ type: "api_key", provider: plan.provider, ...(plan.ref ? { keyRef: plan.ref } : { key: plan.secret }) })
          : new TokenCredential({
              type: "token",
              provider: plan.provider,
              ...(plan.ref ? { tokenRef: plan.ref } : { token: plan.secret }),
              ...(plan.lifetimeMs === undefined ? {} : { expires: now + plan.lifetimeMs })
            })
      saved = { _tag: "profile", stored: yield* storeCredential(ctx, plan.home.profileId, credential) }
    }
    if (plan.model !== undefined) {
      const model = plan.model
      yield* (yield* ConfigStore).update((raw) => Effect.succeed([withDefaultModel(raw, model), undefined] as const))
    }
    return saved
  })

/** `openclaw onboard` (§6.4): the wizard on a terminal, flags with `--non-interactive`; ends with the status. */
export const onboard = Effect.fn("Onboard.run")(function* (opts: OnboardOptions) {
  yield* checkFlags(opts)
  const prompter = yield* Prompter
  if (!opts.nonInteractive && !prompter.interactive) {
    return yield* usage(
      "onboard is an interactive wizard, but this is not a terminal",
      "run it in a terminal, or pass --non-interactive --auth-choice api-key --provider <p> with --api-key <key> " +
        "(or the provider's environment variable, e.g. OPENAI_API_KEY); see `openclaw onboard --help`"
    )
  }
  const ctx = yield* loadAuthContext(opts.agent)
  // First, whatever is chosen below: a user who stops here to edit <state>/.env by hand finds the directory there.
  yield* ensureStateDir(ctx.host.stateDir)
  if (opts.model !== undefined) yield* modelFlag(opts.model, ctx.config)
  const planned = opts.nonInteractive ? yield* planFromFlags(ctx, opts) : yield* runWizard(ctx, opts)
  const plan = planned.model === undefined ? planned : { ...planned, model: qualifyModel(planned.model, planned.provider, ctx.config) }
  if (plan.home._tag === "env") yield* readStateEnv(ctx)
  const saved = yield* apply(ctx, plan)
  const status = yield* modelsStatus(opts.agent)
  return { provider: plan.provider, kind: plan.kind, model: plan.model, saved, notes: notesFor(ctx, plan), status }
})

export type OnboardResult = Effect.Effect.Success<ReturnType<typeof onboard>>
