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

/**
 * `prefix…last4` (§6). Under 12 characters nothing is revealed. The prefix is shown only when enough remains
 * hidden that prefix plus last four cannot narrow the secret down.
 */
export const maskSecret = (secret: string): string => {
  if (secret.length < 12) return "…"
  const last4 = secret.slice(-4)
  const prefix = PUBLIC_PREFIXES.find((p) => secret.startsWith(p)) ?? ""
  return secret.length - prefix.length >= 16 ? `${prefix}…${last4}` : `…${last4}`
}
