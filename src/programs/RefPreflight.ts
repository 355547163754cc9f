import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { UsageError } from "../domain/Errors.js"
import { decodeSecretsConfig } from "../domain/SecretProviders.js"
import { type SecretRef, parseSecretRefArgument, secretRefKey, secretRefLabel } from "../domain/SecretRef.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { SecretResolver } from "../services/SecretResolver.js"
import { withExecProgress } from "./SecretProgress.js"
import type { AuthContext } from "./AuthContext.js"

/** `--ref <source>:<provider>:<id>` (§9), or a usage error that says how it is written. */
export const refArgument = (text: string) =>
  Either.mapLeft(
    parseSecretRefArgument(text.trim()),
    (problem) => new UsageError({ problem: `--ref: ${problem}`, fix: "for example --ref env:default:OPENAI_API_KEY or --ref exec:vault:openai/api-key" })
  )

/** What to do when a ref does not resolve, by where it points. */
const fixFor = (ctx: AuthContext, ref: SecretRef): string =>
  ref.source === "env"
    ? `set ${ref.id} in the environment or in ${ctx.host.stateEnvPath} (a non-empty value), then run this again`
    : `check secrets.providers.${ref.provider} in ${ctx.host.configPath} and that it holds ${ref.source === "file" ? "the pointer" : "the id"} you named (\`openclaw secrets configure\` sets providers up), then run this again`

/**
 * Resolves one ref as a snapshot would (the config's `secrets` block, the assembled environment, exec allowed)
 * before a command stores it, so a ref that cannot work is refused instead of written (§9 preflight). The value
 * joins the registry at once; it is returned for checks and never written.
 */
export const preflightRef = Effect.fn("Secrets.preflight")(function* (ctx: AuthContext, ref: SecretRef) {
  const config = decodeSecretsConfig(ctx.config.secrets)
  const resolutions = yield* withExecProgress(
    config,
    [ref],
    (yield* SecretResolver).resolve({ refs: [ref], config, env: (name) => ctx.env.vars.get(name)?.value, allowExec: true })
  )
  const resolution = resolutions.get(secretRefKey(ref))
  if (resolution?._tag !== "Resolved") {
    return yield* new UsageError({
      problem: `${secretRefLabel(ref)} does not resolve: ${resolution?.reason ?? "the resolver gave no answer"}; nothing was stored`,
      fix: fixFor(ctx, ref)
    })
  }
  yield* (yield* SecretRegistry).register([resolution.value])
  return resolution.value
})
