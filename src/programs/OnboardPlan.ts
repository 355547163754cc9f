import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  checkProvider,
  envRefFor,
  envVarsFor,
  homeFor,
  KIND_FLAG,
  knownProviders,
  modelFlag,
  type OnboardOptions,
  type OnboardPlan,
  type SecretKind,
  tokenLifetime,
  usage,
  validateSecret
} from "../domain/Onboard.js"
import type { ProviderId } from "../domain/Provider.js"
import { Files } from "../services/Files.js"
import { preflightRef } from "./RefPreflight.js"
import type { AuthContext } from "./AuthContext.js"

/** `--non-interactive`: every answer comes from flags or the provider's environment variable. */
export const planFromFlags = (ctx: AuthContext, o: OnboardOptions) =>
  Effect.gen(function* () {
    const choice = o.authChoice ?? (o.apiKey ? "api-key" : o.token ? "token" : undefined)
    if (choice === undefined) {
      return yield* usage(
        "--auth-choice is required with --non-interactive",
        "pass --auth-choice api-key (recommended) or --auth-choice token"
      )
    }
    if (o.provider === undefined) {
      return yield* usage(
        "--provider is required with --non-interactive",
        `pass --provider with one of ${knownProviders(ctx.config).join(", ")}`
      )
    }
    const provider = yield* checkProvider(ctx.config, ctx.host.configPath, o.provider)
    const kind: SecretKind = choice === "api-key" ? "api_key" : "token"
    if (o.secretInputMode === "ref") return yield* refPlan(ctx, o, provider, kind)
    const flag = KIND_FLAG[kind]
    const vars = envVarsFor(provider, kind)
    const fromFlag = kind === "api_key" ? o.apiKey : o.token
    const fromEnv = vars.map((name) => ctx.env.vars.get(name)).find((v) => v !== undefined)
    const raw = fromFlag ? Redacted.value(fromFlag) : fromEnv?.value
    if (raw === undefined || raw.trim() === "") {
      const orEnv = vars.length > 0 ? ` (or set ${vars.join(" or ")})` : ""
      const exportIt =
        vars.length === 0
          ? ""
          : `, or export ${vars[0]} before running onboard (the environment stays out of shell history and \`ps\`)`
      return yield* usage(
        `${flag} is required with --auth-choice ${choice}${orEnv}`,
        `pass ${flag} <${kind === "api_key" ? "key" : "token"}>${exportIt}`
      )
    }
    const secret = yield* validateSecret(kind, provider, raw)
    const lifetimeMs =
      kind === "token" && o.store !== "env" ? yield* tokenLifetime(provider, o.tokenExpiresIn) : undefined
    const model = o.model === undefined ? undefined : yield* modelFlag(o.model, ctx.config)
    return {
      provider,
      kind,
      secret,
      lifetimeMs,
      home: homeFor(o.store ?? "profiles", provider, kind, o.profileId),
      model
    } satisfies OnboardPlan
  })

/**
 * `--secret-input-mode ref` (§9): the profile holds `{source: "env", provider: "default", id: <the provider's
 * variable>}`; the variable must resolve now and hold a valid secret (preflight), or nothing is stored.
 */
export const refPlan = (ctx: AuthContext, o: OnboardOptions, provider: ProviderId, kind: SecretKind) =>
  Effect.gen(function* () {
    const ref = envRefFor(provider, kind)
    const secret = yield* validateSecret(kind, provider, yield* preflightRef(ctx, ref))
    const lifetimeMs = kind === "token" ? yield* tokenLifetime(provider, o.tokenExpiresIn) : undefined
    const model = o.model === undefined ? undefined : yield* modelFlag(o.model, ctx.config)
    return { provider, kind, secret, ref, lifetimeMs, home: homeFor("profiles", provider, kind, o.profileId), model } satisfies OnboardPlan
  })

/** Reads `<state>/.env` before anything is written, so an unreadable file fails with nothing changed. */
export const readStateEnv = (ctx: AuthContext) =>
  Effect.flatMap(Files, (files) => files.readText(ctx.host.stateEnvPath))

