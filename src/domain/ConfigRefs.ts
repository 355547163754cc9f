import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { type OpenClawConfig, type SecretInput } from "./Config.js"
import { withoutPrototypes } from "./JsonStructure.js"
import { decodeSecretRef, looksLikeSecretRef } from "./SecretRef.js"
import { type LocatedRef, resolvedValue, type SecretSnapshot } from "./SecretResolution.js"

/**
 * SecretRefs in `openclaw.json` (§9): `models.providers.<p>.apiKey`, `models.providers.<p>.headers.<name>` and
 * `gateway.auth.token`, `gateway.state.url` (§10). A field holding a ref is resolved into the config (in memory) when the snapshot is built;
 * one that does not resolve is left out, as if it were not set, and said.
 */

/** A config field that holds something meant as a ref but is no valid one. */
export interface ConfigRefProblem {
  readonly path: string
  readonly reason: string
}

type Field = readonly [path: string, value: SecretInput]

/** `gateway.state.url` when it is text or an object (a ref); `gateway.state` is otherwise checked where it is used. */
const stateUrlOf = (config: OpenClawConfig): SecretInput | undefined => {
  const state = config.gateway?.state
  if (!Predicate.isRecord(state)) return undefined
  const url = state.url
  return typeof url === "string" || (Predicate.isRecord(url) && "source" in url) ? (url as SecretInput) : undefined
}

/** The secret-bearing fields that are set, with their JSON paths. */
const secretFields = (config: OpenClawConfig): ReadonlyArray<Field> => {
  const out: Array<Field> = []
  for (const [provider, p] of Object.entries(config.models?.providers ?? {})) {
    if (p.apiKey !== undefined) out.push([`models.providers.${provider}.apiKey`, p.apiKey])
    for (const [name, value] of Object.entries(p.headers ?? {})) out.push([`models.providers.${provider}.headers.${name}`, value])
  }
  const token = config.gateway?.auth?.token
  if (token !== undefined) out.push(["gateway.auth.token", token])
  const stateUrl = stateUrlOf(config)
  if (stateUrl !== undefined) out.push(["gateway.state.url", stateUrl])
  return out
}

/** The config's refs, located in `file`, and the fields whose ref is invalid (with why). */
export const configRefs = (
  config: OpenClawConfig,
  file: string
): { readonly refs: ReadonlyArray<LocatedRef>; readonly problems: ReadonlyArray<ConfigRefProblem> } => {
  const refs: Array<LocatedRef> = []
  const problems: Array<ConfigRefProblem> = []
  for (const [path, value] of secretFields(config)) {
    if (!looksLikeSecretRef(value)) continue
    Either.match(decodeSecretRef(value), {
      onLeft: (reason) => problems.push({ path, reason }),
      onRight: (ref) => refs.push({ file, path, ref })
    })
  }
  return { refs, problems }
}

/** The resolved value of a SecretInput that is a ref, else the input as it is (a ref that did not resolve stays one). */
const resolvedInput = (input: SecretInput, snapshot: SecretSnapshot): SecretInput => {
  if (typeof input === "string") return input
  const ref = decodeSecretRef(input)
  return Either.isRight(ref) ? (resolvedValue(snapshot, ref.right) ?? input) : input
}

/**
 * The config with every ref the snapshot resolved replaced by its value. A ref that did not resolve stays an
 * object, which every reader of these fields (`secretText`, `textHeaders`) takes as not set.
 */
export const materializeConfig = (config: OpenClawConfig, snapshot: SecretSnapshot): OpenClawConfig => {
  if (snapshot.refs.length === 0) return config
  const providers = config.models?.providers
  const token = config.gateway?.auth?.token
  const stateUrl = stateUrlOf(config)
  const gateway =
    token === undefined && stateUrl === undefined
      ? {}
      : {
          gateway: {
            ...config.gateway,
            ...(token === undefined ? {} : { auth: { ...config.gateway?.auth, token: resolvedInput(token, snapshot) } }),
            ...(stateUrl === undefined ? {} : { state: { ...(config.gateway?.state as object), url: resolvedInput(stateUrl, snapshot) } })
          }
        }
  return withoutPrototypes({
    ...config,
    ...(providers === undefined
      ? {}
      : {
          models: {
            ...config.models,
            providers: Object.fromEntries(
              Object.entries(providers).map(([id, p]) => [
                id,
                {
                  ...p,
                  ...(p.apiKey === undefined ? {} : { apiKey: resolvedInput(p.apiKey, snapshot) }),
                  ...(p.headers === undefined
                    ? {}
                    : { headers: Object.fromEntries(Object.entries(p.headers).map(([n, v]) => [n, resolvedInput(v, snapshot)])) })
                }
              ])
            )
          }
        }),
    ...gateway
  })
}
