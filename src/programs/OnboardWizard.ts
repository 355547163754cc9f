import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { PromptCancelledError } from "../domain/AuthErrors.js"
import { formatModelRef } from "../domain/Config.js"
import { credentialSecret } from "../domain/Credential.js"
import { dotEnvValue } from "../domain/DotEnv.js"
import { UsageError } from "../domain/Errors.js"
import { parseExpiresIn } from "../domain/Duration.js"
import { formatEnvSource } from "../domain/Env.js"
import { maskSecret } from "../domain/Mask.js"
import {
  checkModelRef,
  checkProvider,
  envRefFor,
  envVarFor,
  envVarsFor,
  homeFor,
  type OnboardOptions,
  type OnboardPlan,
  type SecretHome,
  type SecretKind,
  tokenLifetime,
  validateSecret
} from "../domain/Onboard.js"
import { PROVIDERS, type ProviderId } from "../domain/Provider.js"
import { ClaudeCli } from "../services/ClaudeCli.js"
import { Prompter } from "../services/Prompter.js"
import type { AuthContext } from "./AuthContext.js"
import { readStateEnv } from "./OnboardPlan.js"
import { preflightRef } from "./RefPreflight.js"

/** The interactive side of `openclaw onboard` (§6.4). Flags that were passed answer their question. */

type Method = "api-key" | "setup-token" | "token"

const ATTEMPTS = 3

/** Asks until `check` accepts the answer, at most three times; the last problem is the failure. */
export const askUntil = <A, E, R>(
  ask: Effect.Effect<string, PromptCancelledError, R>,
  check: (answer: string) => Either.Either<A, E>,
  say: (problem: E) => string
): Effect.Effect<A, E | PromptCancelledError, R> => {
  const attempt = (n: number): Effect.Effect<A, E | PromptCancelledError, R> =>
    Effect.flatMap(ask, (answer) =>
      Either.match(check(answer), {
        onRight: Effect.succeed,
        onLeft: (problem) =>
          n >= ATTEMPTS ? Effect.fail(problem) : Effect.zipRight(Console.error(`${say(problem)} Try again.`), attempt(n + 1))
      })
    )
  return attempt(1)
}

const providerChoices = (ctx: AuthContext) =>
  PROVIDERS.map((p) => {
    const stored = [...ctx.store.store.profiles.values()].some((c) => c.provider === p.id)
    const env = p.envVars.find((v) => ctx.env.vars.has(v))
    const state = stored ? "has a stored profile" : env ? `${env} is set` : p.envVars.join(" / ")
    return { title: p.id, value: p.id, description: state }
  })

const methodChoices = (provider: ProviderId): ReadonlyArray<{ title: string; value: Method; description: string }> =>
  provider === "anthropic"
    ? [
        { title: "API key (recommended)", value: "api-key", description: "sk-ant-api03-… from console.anthropic.com" },
        {
          title: "Setup-token: run `claude setup-token` now",
          value: "setup-token",
          description: "signs in with your Claude account; lives a year"
        },
        {
          title: "Paste a setup-token",
          value: "token",
          description: "sk-ant-oat01-… from `claude setup-token` run elsewhere"
        }
      ]
    : [
        { title: "API key (recommended)", value: "api-key", description: `the ${provider} API key` },
        { title: "Token", value: "token", description: "a static bearer token (optionally with an expiry)" }
      ]

/** An already-set, valid variable for this provider may be used instead of typing the secret again. */
const offerEnvSecret = (ctx: AuthContext, provider: ProviderId, kind: SecretKind) =>
  Effect.gen(function* () {
    for (const name of envVarsFor(provider, kind)) {
      const found = ctx.env.vars.get(name)
      if (!found) continue
      const valid = validateSecret(kind, provider, found.value)
      if (Either.isLeft(valid)) continue
      const use = yield* (yield* Prompter).confirm(
        `Use ${name} from ${formatEnvSource(found.source)} (${maskSecret(found.value)})?`,
        true
      )
      if (use) return Option.some(valid.right)
    }
    return Option.none<Redacted.Redacted<string>>()
  })

const askSecret = (provider: ProviderId, kind: SecretKind, method: Method) =>
  Effect.gen(function* () {
    const prompter = yield* Prompter
    const what = kind === "api_key" ? `${provider} API key` : `${provider} token`
    const message =
      method === "setup-token"
        ? "Paste the token `claude setup-token` printed (input is hidden)"
        : `Paste the ${what} (input is hidden)`
    // Nothing typed is "" and fails validation like any other bad input: the user gets another try.
    const read = Effect.map(prompter.readSecret(message), Option.match({ onNone: () => "", onSome: Redacted.value }))
    return yield* askUntil(
      read,
      (raw) => validateSecret(kind, provider, raw),
      (e) => `Invalid ${e.kind}: ${e.detail}.`
    )
  })

const askLifetime = (provider: ProviderId) =>
  askUntil(
    Effect.flatMap(Prompter, (p) =>
      p.text(`How long is this ${provider} token valid? (30m, 12h, 2w, 1y; empty: it does not expire)`)
    ),
    (raw): Either.Either<number | undefined, UsageError> =>
      raw.trim() === ""
        ? Either.right(undefined)
        : Either.mapLeft(parseExpiresIn(raw), (problem) => new UsageError({ problem, fix: "give a duration such as 30m, 12h, 2w or 1y, or nothing if it does not expire" })),
    (e) => `${e.problem}.`
  )

const askModel = (ctx: AuthContext, provider: ProviderId) =>
  Effect.gen(function* () {
    const prompter = yield* Prompter
    const current = formatModelRef(ctx.models.primary)
    const other = ctx.models.primary.provider !== provider
    const keep = { title: `Keep ${current}`, value: "keep" as const, description: "leave the config as it is" }
    const set = {
      title: "Set the default model",
      value: "set" as const,
      description: `you type it, e.g. ${provider}/<model>`
    }
    const answer = yield* prompter.choose(
      other
        ? `The default model is ${current}, which uses ${ctx.models.primary.provider}, not ${provider}. Change it?`
        : `The default model is ${current}. Change it?`,
      other ? [set, keep] : [keep, set]
    )
    if (answer === "keep") return undefined
    return yield* askUntil(
      prompter.text(`Default model (${provider}/<model>)`),
      (raw) =>
        Either.mapLeft(checkModelRef(raw, ctx.config), (problem) =>
          new UsageError({ problem: `That is not a model id: ${problem}`, fix: `type <provider>/<model>, e.g. ${provider}/<model>` })
        ),
      (e) => `${e.problem}.`
    )
  })

/** Refuses to replace something silently: the user sees (masked) what would be overwritten. */
const confirmReplace = (ctx: AuthContext, plan: Pick<OnboardPlan, "home" | "secret">) =>
  Effect.gen(function* () {
    const prompter = yield* Prompter
    let question: string | undefined
    if (plan.home._tag === "profiles") {
      const existing = ctx.store.store.profiles.get(plan.home.profileId)
      const secret = existing && credentialSecret(existing)
      if (existing && secret !== Redacted.value(plan.secret)) {
        question = `Replace the stored ${plan.home.profileId} (${existing.type}${secret ? ` ${maskSecret(secret)}` : ""})?`
      }
    } else {
      const text = Option.getOrElse(yield* readStateEnv(ctx), () => "")
      const existing = dotEnvValue(text, plan.home.envVar)
      if (existing !== undefined && existing !== "" && existing !== Redacted.value(plan.secret)) {
        question = `Replace ${plan.home.envVar} in ${ctx.host.stateEnvPath} (${maskSecret(existing)})?`
      }
    }
    if (question !== undefined && !(yield* prompter.confirm(question, true))) return yield* new PromptCancelledError()
  })

const storeChoices = (ctx: AuthContext, envVar: string) => [
  { title: "This agent's credential store (recommended)", value: "profiles" as const, description: ctx.agent.storePath },
  {
    title: `${ctx.host.stateEnvPath} as ${envVar}`,
    value: "env" as const,
    description: "for the gateway daemon; a 0600 file, no expiry tracking"
  }
]

/**
 * §9: keep the secret itself, or a reference to the provider's variable (preflighted: it must be set now). A
 * reference that does not resolve is said, and the question asked again (plain text stays possible).
 */
const askRefMode = (ctx: AuthContext, provider: ProviderId, kind: SecretKind) =>
  Effect.gen(function* () {
    const prompter = yield* Prompter
    const ref = envRefFor(provider, kind)
    const noun = kind === "api_key" ? "key" : "token"
    for (let attempt = 1; ; attempt++) {
      const mode = yield* prompter.choose(`Store the ${noun} itself, or a reference to where it lives?`, [
        { title: `The ${noun} itself (plain text in the agent's store)`, value: "plaintext" as const },
        { title: `A reference to ${ref.id} (the ${noun} stays in the environment)`, value: "ref" as const, description: "SecretRef {source: env}; the variable must be set wherever openclaw runs" }
      ])
      if (mode === "plaintext") return undefined
      const checked = yield* Effect.either(Effect.flatMap(preflightRef(ctx, ref), (value) => validateSecret(kind, provider, value)))
      if (Either.isRight(checked)) return { ref, secret: checked.right }
      yield* Console.error(checked.left.message)
      if (attempt >= ATTEMPTS) return yield* checked.left
    }
  })

/** Provider, method, secret (hidden), where it lives, default model: the plan, with nothing written yet. */
export const runWizard = Effect.fn("Onboard.wizard")(function* (ctx: AuthContext, o: OnboardOptions) {
  const prompter = yield* Prompter
  yield* Console.log(
    `Setting up model-provider auth for agent ${ctx.agent.agentId}. Secrets are read without echo and never shown.`
  )
  const provider =
    o.provider !== undefined
      ? yield* checkProvider(ctx.config, ctx.host.configPath, o.provider)
      : yield* prompter.choose("Model provider", providerChoices(ctx))
  const method: Method =
    o.authChoice ??
    (o.apiKey ? "api-key" : o.token ? "token" : undefined) ??
    (yield* prompter.choose(`How should openclaw authenticate to ${provider}?`, methodChoices(provider)))
  const kind: SecretKind = method === "api-key" ? "api_key" : "token"
  if (method === "setup-token") {
    yield* Console.log("Running `claude setup-token`: sign in, then copy the token it prints.")
    yield* (yield* ClaudeCli).setupToken
  }
  const fromFlag = kind === "api_key" ? o.apiKey : o.token
  // Asked only where a reference can work: a secret typed on the command line or bound for .env is plain text, and
  // a reference to a variable that is not set could not resolve.
  const refVar = ctx.env.vars.get(envRefFor(provider, kind).id)?.value.trim()
  const asRef =
    o.secretInputMode === "plaintext" || fromFlag !== undefined || o.store === "env" || method === "setup-token"
      ? undefined
      : o.secretInputMode === "ref"
        ? { ref: envRefFor(provider, kind), secret: yield* validateSecret(kind, provider, yield* preflightRef(ctx, envRefFor(provider, kind))) }
        : refVar
          ? yield* askRefMode(ctx, provider, kind)
          : undefined
  const secret = asRef
    ? asRef.secret
    : fromFlag
      ? yield* validateSecret(kind, provider, Redacted.value(fromFlag))
      : Option.getOrUndefined(yield* offerEnvSecret(ctx, provider, kind)) ?? (yield* askSecret(provider, kind, method))
  const where: SecretHome =
    (asRef ? "profiles" : undefined) ??
    o.store ??
    (yield* prompter.choose(
      `Where should openclaw keep the ${kind === "api_key" ? "key" : "token"}?`,
      storeChoices(ctx, envVarFor(provider, kind))
    ))
  const home = homeFor(where, provider, kind, o.profileId)
  yield* confirmReplace(ctx, { home, secret })
  const lifetimeMs =
    kind === "api_key" || where === "env"
      ? undefined
      : o.tokenExpiresIn !== undefined || provider === "anthropic"
        ? yield* tokenLifetime(provider, o.tokenExpiresIn)
        : yield* askLifetime(provider)
  const model = o.model ?? (yield* askModel(ctx, provider))
  return { provider, kind, secret, ...(asRef ? { ref: asRef.ref } : {}), lifetimeMs, home, model } satisfies OnboardPlan
})
