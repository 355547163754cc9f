import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type ExecSecretProvider, type FileSecretProvider, providerFor } from "../domain/SecretProviders.js"
import { idProblem, type SecretRef, secretRefKey } from "../domain/SecretRef.js"
import { type Resolution, resolveEnvRef, unresolved } from "../domain/SecretResolution.js"
import { escapeControl } from "../domain/Untrusted.js"
import { HostProcess } from "./HostProcess.js"
import { resolveExecIds } from "./secrets/ExecSecrets.js"
import { resolveFileIds } from "./secrets/FileSecrets.js"
import { type ResolveRequest, SecretResolver } from "./SecretResolver.js"
import { serviceLayer } from "./LayerInOrder.js"

/** Providers resolved at once; a provider's ids are always one batch (one read, one run). */
const PROVIDER_CONCURRENCY = 4

const NOT_RUN: Resolution = { _tag: "NotRun", reason: "exec refs are resolved only with --allow-exec" }

interface Batch {
  readonly alias: string
  readonly provider: FileSecretProvider | ExecSecretProvider
  readonly refs: Array<SecretRef>
}

/**
 * Sorts the request's distinct refs: those that resolve without I/O (env refs, refs with no usable provider, invalid
 * ids, exec refs when commands may not run) are settled in `out`; the rest are grouped in one batch per provider.
 */
const plan = (request: ResolveRequest, out: Map<string, Resolution>): ReadonlyArray<Batch> => {
  const batches = new Map<string, Batch>()
  const seen = new Set<string>()
  for (const ref of request.refs) {
    const key = secretRefKey(ref)
    if (seen.has(key)) continue
    seen.add(key)
    // The caller validated the ref; checked again because an id that fails reaches no provider, least of all a command.
    const problem = idProblem(ref.source, ref.id)
    if (problem !== undefined) {
      out.set(key, unresolved(`the reference's id is invalid: ${problem}`))
      continue
    }
    const provider = providerFor(request.config, ref)
    if (Either.isLeft(provider)) out.set(key, unresolved(provider.left))
    else if (provider.right.source === "env") out.set(key, resolveEnvRef(provider.right, ref, request.env))
    else if (provider.right.source === "exec" && !request.allowExec) out.set(key, NOT_RUN)
    else {
      const batchKey = `${ref.source}:${ref.provider}`
      const batch = batches.get(batchKey) ?? { alias: ref.provider, provider: provider.right, refs: [] }
      batch.refs.push(ref)
      batches.set(batchKey, batch)
    }
  }
  return [...batches.values()]
}

const resolveBatch = (batch: Batch, request: ResolveRequest, home: string): Effect.Effect<ReadonlyMap<string, Resolution>> => {
  const ids = batch.refs.map((ref) => ref.id)
  const run =
    batch.provider.source === "file"
      ? resolveFileIds(batch.alias, batch.provider, ids, home)
      : resolveExecIds(batch.alias, batch.provider, ids, request.env)
  // The resolvers answer every failure they know of; this keeps the promise that resolve never fails for the rest.
  return Effect.catchAllDefect(run, () => {
    const reason = unresolved(`${batch.provider.source} provider "${batch.alias}" failed unexpectedly`)
    return Effect.succeed(new Map(ids.map((id) => [id, reason] as const)))
  })
}

/** The live resolver (§9): env from the assembled environment, file from disk, exec by running the command. */
export const SecretResolverLive = serviceLayer(
  SecretResolver,
    Effect.map(HostProcess, (host) => {
    const home = host.vars.HOME !== undefined && host.vars.HOME !== "" ? host.vars.HOME : host.osHome
    return {
      resolve: (request) =>
        Effect.gen(function* () {
          const out = new Map<string, Resolution>()
          const batches = plan(request, out)
          yield* Effect.forEach(
            batches,
            (batch) =>
              Effect.map(resolveBatch(batch, request, home), (byId) => {
                for (const ref of batch.refs) {
                  const reason = `${batch.provider.source} provider "${batch.alias}" gave no answer for ${escapeControl(ref.id)}`
                  out.set(secretRefKey(ref), byId.get(ref.id) ?? unresolved(reason))
                }
              }),
            { concurrency: PROVIDER_CONCURRENCY, discard: true }
          )
          return out
        })
    }
  })
  )
