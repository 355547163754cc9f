/** A chat message that is a command for the gateway itself (§8.3), not for a model. */
export type ModelDirective =
  | { readonly kind: "list" }
  | { readonly kind: "status" }
  | { readonly kind: "set"; readonly ref: string; readonly profileId?: string }
  | { readonly kind: "reset" }
  /** A model id or profile id a provider could not take (spaces, control or non-ASCII characters). */
  | { readonly kind: "invalid"; readonly problem: string }

const DATE_SUFFIX = /^\d{8}$/

/** Model and profile ids are visible ASCII: they travel in URLs, JSON and response headers. */
const ID_CHARS = /^[\x21-\x7e]+$/
/** Longer than any provider's model id: a session keeps what a client chose, and this bounds it (§8.6). */
export const MAX_MODEL_ID = 256

/** Why a model id or profile id a client chose cannot be used, if it cannot. */
export const idProblem = (id: string): string | undefined => {
  if (id.length > MAX_MODEL_ID) return `A model id or profile id may be at most ${MAX_MODEL_ID} characters long.`
  if (!ID_CHARS.test(id)) return "A model id or profile id may hold only visible ASCII characters (no spaces, control or non-ASCII characters)."
  return undefined
}

/**
 * `/model`, `/model list`, `/model status`, `/model <ref>[@<profileId>]`, `/new`, `/reset`. The `@` split is
 * taken after the last `/`, and an 8-digit date suffix (`@20251001`) stays part of the model id.
 */
export const parseModelDirective = (text: string): ModelDirective | undefined => {
  const trimmed = text.trim()
  if (/^\/(new|reset)$/i.test(trimmed)) return { kind: "reset" }
  const match = /^\/model(?:\s+([\s\S]*))?$/i.exec(trimmed)
  if (!match) return undefined
  const arg = (match[1] ?? "").trim()
  if (arg === "" || arg.toLowerCase() === "list") return { kind: "list" }
  if (arg.toLowerCase() === "status") return { kind: "status" }
  const slash = arg.lastIndexOf("/")
  const head = arg.slice(0, slash + 1)
  const parts = arg.slice(slash + 1).split("@")
  let model = parts[0]!
  let i = 1
  while (i < parts.length && DATE_SUFFIX.test(parts[i]!)) model += `@${parts[i++]}`
  const profileId = parts.slice(i).join("@").trim()
  const ref = `${head}${model}`.trim()
  // An `@` with nothing after it (or before it) pins nothing: said, not taken as a plain /model or /model list.
  if (i < parts.length && profileId === "") return { kind: "invalid", problem: "Nothing follows the @: write /model <model>@<profileId>, or leave the @ out. Try /model list for the allowed models." }
  if (ref === "" && profileId !== "") return { kind: "invalid", problem: "No model before the @: write /model <model>@<profileId>. Try /model list for the allowed models." }
  if (ref === "") return { kind: "list" }
  const problem = idProblem(ref) ?? (profileId === "" ? undefined : idProblem(profileId))
  if (problem !== undefined) return { kind: "invalid", problem: `${problem} Try /model list for the allowed models.` }
  return profileId === "" ? { kind: "set", ref } : { kind: "set", ref, profileId }
}

/**
 * Earlier chat commands and the gateway's answers to them (the assistant message right after each) are not part of
 * the conversation with the model: their indexes, or undefined when there are none (the body then goes unchanged).
 * `userText` is a user message's text, undefined for any other message; whatever the wire shape.
 */
export const commandTurns = <M>(messages: ReadonlyArray<M>, userText: (m: M) => string | undefined, isAssistant: (m: M) => boolean): ReadonlySet<number> | undefined => {
  let out: Set<number> | undefined
  let skipAnswer = false
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!
    const text = userText(m)
    if (text !== undefined && text.trimStart().charCodeAt(0) === 47 && parseModelDirective(text) !== undefined) {
      ;(out ??= new Set()).add(i)
      skipAnswer = true
      continue
    }
    if (skipAnswer && isAssistant(m)) out!.add(i)
    skipAnswer = false
  }
  return out
}
