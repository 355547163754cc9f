import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { maskSecret } from "../domain/Mask.js"
import { scrub } from "../domain/Scrub.js"
import { RUN, type ScrubIndex, scrubIndex } from "../domain/ScrubIndex.js"
import { serviceLayer } from "./LayerInOrder.js"

/**
 * Every secret value this process has loaded (stores, env files, env vars, config, secret command-line options),
 * so that whatever prints — the CLI's console, the gateway's logger, the last-resort error printer — can scrub them
 * by value. Masking at the source is the rule; this is the net under it. Everything that replaces secrets by value
 * goes through `replaceSecrets` below.
 */
export interface SecretRegistryShape {
  /**
   * `secret` values are found whole, in runs of 8 or more of their characters and in their encodings; `value`s
   * (text substituted from `${VAR}` into the config: model ids, base URLs, headers) are found whole only.
   */
  readonly register: (values: Iterable<string | undefined>, kind?: "secret" | "value") => Effect.Effect<void>
  /** Replaces every registered secret in `text`: whole by its mask (`prefix…last4`), a piece or an encoding by `…`. */
  readonly scrub: (text: string) => string
  /**
   * The same matches, each replaced by as many `*` as it had characters: for a prompt's frames, which the prompt
   * erases by the length it meant to draw (a shorter mask would make it erase lines above it).
   */
  readonly scrubSameWidth: (text: string) => string
}

export class SecretRegistry extends Context.Tag("openclaw/SecretRegistry")<SecretRegistry, SecretRegistryShape>() {
  static readonly layer = serviceLayer(SecretRegistry, Effect.sync(() => makeSecretRegistry()))
}

/** Shorter values are too likely to be ordinary words to scrub by value. */
const MIN_SECRET_LENGTH = RUN

/** Callers pass the same list (a snapshot's secrets) again and again: index it once. */
const indexes = new WeakMap<object, ScrubIndex>()
const indexOf = (secrets: Iterable<string>): ScrubIndex => {
  let index = indexes.get(secrets)
  if (index === undefined) {
    index = scrubIndex(secrets)
    indexes.set(secrets, index)
  }
  return index
}

/**
 * The one scrubber (domain/Scrub): every whole occurrence of a secret becomes `replacement(secret)`; a run of 8 or
 * more of its characters, its base64 or percent-encoding, URL user-info and credential query parameters become `…`.
 */
export const replaceSecrets = (text: string, secrets: Iterable<string>, replacement: (secret: string) => string): string =>
  scrub(text, indexOf(secrets), replacement, "…")

/**
 * `secrets` as a list for `redactSecrets`, with `values` (text `${VAR}` put into the config) found whole too: the
 * gateway builds one per snapshot and passes it wherever it redacts.
 */
export const secretList = (secrets: ReadonlyArray<string>, values: Iterable<string>): ReadonlyArray<string> => {
  indexes.set(secrets, scrubIndex(secrets, values))
  return secrets
}

const REDACTED = () => "<redacted>"
/** ASCII: `•` is two columns wide on terminals that draw ambiguous-width characters wide (CJK locales). */
const DOTS = (length: number): string => "*".repeat(length)

/**
 * For text that reaches a client or a log of the gateway (answers, provider error details): `<redacted>`. `known`:
 * the client's own request, when the text goes back to that client — what it sent is echoed as sent (domain/Scrub).
 */
export const redactSecrets = (text: string, secrets: ReadonlyArray<string>, known?: Iterable<string>): string =>
  scrub(text, indexOf(secrets), REDACTED, "<redacted>", known)

export const makeSecretRegistry = (): SecretRegistryShape => {
  const secrets = new Set<string>()
  const values = new Set<string>()
  let index: ScrubIndex | undefined = scrubIndex([])
  return {
    register: (registered, kind = "secret") =>
      Effect.sync(() => {
        const into = kind === "secret" ? secrets : values
        for (const v of registered) {
          if (v !== undefined && v.length >= MIN_SECRET_LENGTH && !into.has(v)) {
            into.add(v)
            index = undefined
          }
        }
      }),
    scrub: (text) => scrub(text, (index ??= scrubIndex(secrets, values)), maskSecret, "…"),
    scrubSameWidth: (text) => scrub(text, (index ??= scrubIndex(secrets, values)), (secret) => DOTS(secret.length), DOTS)
  }
}

/** Environment variables whose values are secrets by their name. */
export const isSecretVarName = (name: string): boolean => /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i.test(name)
