import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { EnvSecretProvider, SecretsConfig } from "../domain/SecretProviders.js"
import type { SecretRef } from "../domain/SecretRef.js"

/** What became of one ref. `reason` says what is wrong and how to fix it, never a value. */
export type Resolution =
  | { readonly _tag: "Resolved"; readonly value: string }
  | { readonly _tag: "Unresolved"; readonly reason: string }
  /** An exec ref asked of a caller that may not run commands (`secrets audit` without `--allow-exec`). */
  | { readonly _tag: "NotRun"; readonly reason: string }

export interface ResolveRequest {
  readonly refs: Iterable<SecretRef>
  readonly config: SecretsConfig
  /** The assembled environment (§4.1): what env refs read and what exec `passEnv` passes on. */
  readonly env: (name: string) => string | undefined
  readonly allowExec: boolean
}

export interface SecretResolverShape {
  /**
   * Every distinct ref, by `secretRefKey`. Never fails: each ref that cannot be resolved says why. Refs of one
   * provider are resolved together (one exec run per provider). Only the snapshot builders call it (§9): CLI command
   * start, gateway start and reload — never a request.
   */
  readonly resolve: (request: ResolveRequest) => Effect.Effect<ReadonlyMap<string, Resolution>>
}

/** The SecretRef resolver (§9): env, file and exec providers. Live layer: SecretResolverLive; tests: test/support. */
export class SecretResolver extends Context.Tag("openclaw/SecretResolver")<SecretResolver, SecretResolverShape>() {}

export const resolved = (value: string): Resolution => ({ _tag: "Resolved", value })
export const unresolved = (reason: string): Resolution => ({ _tag: "Unresolved", reason })

/** An env ref: pure, the same in every layer. Missing or empty is unresolved (§9). */
export const resolveEnvRef = (
  provider: EnvSecretProvider,
  ref: SecretRef,
  env: (name: string) => string | undefined
): Resolution => {
  if (provider.allowlist !== undefined && !provider.allowlist.includes(ref.id)) {
    return unresolved(`${ref.id} is not in the allowlist of secrets provider "${ref.provider}"`)
  }
  const value = env(ref.id)
  if (value === undefined) return unresolved(`${ref.id} is not set (set it in the environment or in <state>/.env)`)
  if (value.trim() === "") return unresolved(`${ref.id} is set but empty`)
  return resolved(value)
}

/** The ref's provider problem as a Resolution, or the provider. */
export const providerOrUnresolved = <P>(provider: Either.Either<P, string>): Either.Either<P, Resolution> =>
  Either.mapLeft(provider, unresolved)
