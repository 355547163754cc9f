/** Public prefixes that identify a key's kind without revealing any of its secret part. Longest first. */
const PUBLIC_PREFIXES = [
  "sk-ant-api03-",
  "sk-ant-oat01-",
  "sk-ant-ort01-",
  "sk-or-v1-",
  "sk-proj-",
  "sk-svcacct-",
  "sk-ant-",
  "github_pat_",
  "sk-",
  "gsk_",
  "xai-",
  "pplx-",
  "ghp_",
  "AIza"
]

/** The well-known prefix of a key (`sk-ant-api03-`), which says what it is and hides nothing. */
export const publicPrefixOf = (secret: string): string => PUBLIC_PREFIXES.find((p) => secret.startsWith(p)) ?? ""

/**
 * `prefix…last4` (§6). Under 12 characters nothing is revealed. The prefix is shown only when enough remains
 * hidden that prefix plus last four cannot narrow the secret down.
 */
export const maskSecret = (secret: string): string => {
  if (secret.length < 12) return "…"
  const last4 = secret.slice(-4)
  const prefix = publicPrefixOf(secret)
  return secret.length - prefix.length >= 16 ? `${prefix}…${last4}` : `…${last4}`
}

/** A word that starts with a known key prefix and goes on for a secret's length: a key, whoever printed it. */
const KEY_SHAPED = new RegExp(`(?<![A-Za-z0-9_-])(?:${PUBLIC_PREFIXES.map((p) => p.replace(/[-]/g, "\\-")).join("|")})[A-Za-z0-9_-]{12,}`, "g")

/**
 * Text from a program we do not control (a secret resolver's stderr) with every key-shaped word replaced: such a
 * program may trace the key it was fetching (`set -x`), and that key was never registered anywhere to scrub it by.
 */
export const withoutKeyShapedWords = (text: string, replacement: string): string => text.replace(KEY_SHAPED, replacement)

/** A command-line argument that is very likely a provider secret (known prefix, secret-sized). */
const looksLikeSecret = (arg: string): boolean =>
  arg.length >= 20 && !/\s/.test(arg) && PUBLIC_PREFIXES.some((p) => arg.startsWith(p))

/**
 * Secrets on the command line end up in shell history and `ps`, and an argument the parser rejects would be
 * echoed back. Returns the first such argument, unless it is the value of an option made for secrets.
 */
export const secretInArguments = (args: ReadonlyArray<string>, secretOptions: ReadonlyArray<string>): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.indexOf("=")
    const [flag, value] = arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [undefined, arg]
    if (flag !== undefined && secretOptions.includes(flag)) continue
    if (flag === undefined && i > 0 && secretOptions.includes(args[i - 1]!)) continue
    if (looksLikeSecret(value)) return value
  }
  return undefined
}
