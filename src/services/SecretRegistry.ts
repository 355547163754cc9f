import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { maskSecret } from "../domain/Mask.js"

/**
 * Every secret value this process has loaded (stores, env files, env vars, config, secret command-line options),
 * so that whatever prints — the CLI's console, the gateway's logger, the last-resort error printer — can scrub them
 * by value. Masking at the source is the rule; this is the net under it. Everything that replaces secrets by value
 * goes through `replaceSecrets` below.
 */
export interface SecretRegistryShape {
  readonly register: (values: Iterable<string | undefined>) => Effect.Effect<void>
  /** Replaces every registered secret in `text` by its mask (`prefix…last4`). */
  readonly scrub: (text: string) => string
}

export class SecretRegistry extends Context.Tag("openclaw/SecretRegistry")<SecretRegistry, SecretRegistryShape>() {
  static readonly layer = Layer.sync(SecretRegistry, () => makeSecretRegistry())
}

/** Shorter values are too likely to be ordinary words to scrub by value. */
const MIN_SECRET_LENGTH = 8

const longestFirst = (secrets: Iterable<string>): Array<string> => [...secrets].sort((a, b) => b.length - a.length)

/**
 * The one scrubber: every occurrence of each secret becomes `replacement(secret)`. Longest first, so a secret that
 * contains another is replaced whole; pass `sorted` when the list already is. Empty values are ignored.
 */
export const replaceSecrets = (
  text: string,
  secrets: Iterable<string>,
  replacement: (secret: string) => string,
  sorted = false
): string => {
  let out = text
  for (const s of sorted ? secrets : longestFirst(secrets)) if (s !== "" && out.includes(s)) out = out.split(s).join(replacement(s))
  return out
}

const REDACTED = () => "<redacted>"

/** For text that reaches a client or a log of the gateway (answers, provider error details): `<redacted>`. */
export const redactSecrets = (text: string, secrets: ReadonlyArray<string>): string => replaceSecrets(text, secrets, REDACTED)

export const makeSecretRegistry = (): SecretRegistryShape => {
  const secrets = new Set<string>()
  let sorted: Array<string> = []
  return {
    register: (values) =>
      Effect.sync(() => {
        let added = false
        for (const v of values) {
          if (v !== undefined && v.length >= MIN_SECRET_LENGTH && !secrets.has(v)) {
            secrets.add(v)
            added = true
          }
        }
        // Longest first, so a secret that contains another is replaced whole.
        if (added) sorted = longestFirst(secrets)
      }),
    scrub: (text) => replaceSecrets(text, sorted, maskSecret, true)
  }
}

/** Environment variables whose values are secrets by their name. */
export const isSecretVarName = (name: string): boolean => /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i.test(name)
