import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { providerFor } from "../domain/SecretProviders.js"
import { secretRefKey } from "../domain/SecretRef.js"
import { type Resolution, resolveEnvRef, unresolved } from "../domain/SecretResolution.js"
import { SecretResolver } from "./SecretResolver.js"

// Interim: env refs only; file and exec providers land next (wt-resolver).
export const SecretResolverLive = Layer.succeed(SecretResolver, {
  resolve: (request) =>
    Effect.sync(() => {
      const out = new Map<string, Resolution>()
      for (const ref of request.refs) {
        const key = secretRefKey(ref)
        if (out.has(key)) continue
        const provider = providerFor(request.config, ref)
        if (Either.isLeft(provider)) out.set(key, unresolved(provider.left))
        else if (provider.right.source === "env") out.set(key, resolveEnvRef(provider.right, ref, request.env))
        else out.set(key, unresolved(`${ref.source} providers are not available in this build`))
      }
      return out
    })
})
