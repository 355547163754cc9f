import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { SecretsConfig } from "../domain/SecretProviders.js"
import type { Resolution } from "../domain/SecretResolution.js"
import type { SecretRef } from "../domain/SecretRef.js"

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
