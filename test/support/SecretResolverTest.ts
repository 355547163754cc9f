import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { providerFor } from "../../src/domain/SecretProviders.js"
import { secretRefKey } from "../../src/domain/SecretRef.js"
import { type Resolution, resolved, resolveEnvRef, unresolved } from "../../src/domain/SecretResolution.js"
import { SecretResolver } from "../../src/services/SecretResolver.js"

/**
 * The in-memory resolver: env refs as the live layer resolves them; file and exec refs from a map keyed by
 * `secretRefKey` (`exec:vault:openai/key` → value, or an Error for a per-id failure). `calls` counts batches per
 * provider alias, so a test can see that resolution happened once per snapshot and never per request.
 */
export class MemorySecretResolver {
  readonly calls = new Map<string, number>()
  constructor(readonly values: Map<string, string | Error> = new Map()) {}

  readonly layer = Layer.sync(SecretResolver, () => ({
    resolve: (request) =>
      Effect.sync(() => {
        const out = new Map<string, Resolution>()
        const providers = new Set<string>()
        for (const ref of request.refs) {
          const key = secretRefKey(ref)
          if (out.has(key)) continue
          const provider = providerFor(request.config, ref)
          if (Either.isLeft(provider)) {
            out.set(key, unresolved(provider.left))
            continue
          }
          if (provider.right.source === "env") {
            out.set(key, resolveEnvRef(provider.right, ref, request.env))
            continue
          }
          if (ref.source === "exec" && !request.allowExec) {
            out.set(key, { _tag: "NotRun", reason: "exec refs are resolved only with --allow-exec" })
            continue
          }
          providers.add(ref.provider)
          const value = this.values.get(key)
          out.set(
            key,
            value === undefined ? unresolved(`${ref.id} not found`) : value instanceof Error ? unresolved(value.message) : resolved(value)
          )
        }
        for (const alias of providers) this.calls.set(alias, (this.calls.get(alias) ?? 0) + 1)
        return out
      })
  }))
}
