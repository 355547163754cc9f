import * as Predicate from "effect/Predicate"
import { jsonKind } from "./JsonPointer.js"
import { withoutKeyShapedWords } from "./Mask.js"
import { scrub } from "./Scrub.js"
import { scrubIndex } from "./ScrubIndex.js"
import { type Resolution, resolved, unresolved } from "./SecretResolution.js"
import { escapeControl } from "./Untrusted.js"

/**
 * The exec provider protocol (§9). The command reads `{"protocolVersion":1,"provider":"<alias>","ids":[…]}` on
 * stdin and prints `{"protocolVersion":1,"values":{"<id>":"…"},"errors":{"<id>":{"message":"…"}}}`; with
 * `jsonOnly: false` and one id, a stdout that is not a JSON object is that id's value as it is (`op read`,
 * `pass show`, `security find-generic-password -w`).
 */
export const execRequest = (alias: string, ids: ReadonlyArray<string>): string =>
  JSON.stringify({ protocolVersion: 1, provider: alias, ids })

const DETAIL_CHARS = 200

/**
 * Text the command wrote, fit for a reason: its first line, bounded, with no value of the batch in it (a resolver
 * that echoes one secret in another id's error must not leak it), no key-shaped word (it may trace the key it
 * fetched) and control characters shown, not acting (§11).
 */
export const commandDetail = (text: string, values: ReadonlyArray<string> = []): string => {
  const line = withoutKeyShapedWords(text.trim().split(/\r?\n/, 1)[0] ?? "", "<redacted>")
  const clean = values.length === 0 ? line : scrub(line, scrubIndex(values), () => "<redacted>", "<redacted>")
  return clean.length > DETAIL_CHARS ? `${escapeControl(clean.slice(0, DETAIL_CHARS))}…` : escapeControl(clean)
}

/**
 * What a command that failed had printed, as values its stderr must not show: a resolver writes the secret before
 * it fails (`printf "$KEY"; exit 1`, or a trace of the same), and a failed run's stdout is never read as an answer
 * or registered. Plain output: each one-word line and the whole of it; the protocol's JSON: the strings under
 * `values` — not ids or messages, which are what makes a failure understood.
 */
export const printedValues = (stdout: string): ReadonlyArray<string> => {
  const parsed = parseJson(stdout)
  if (parsed.ok && Predicate.isRecord(parsed.value)) {
    const values = Predicate.isRecord(parsed.value.values) ? parsed.value.values : {}
    return Object.values(values).filter((v): v is string => typeof v === "string" && v !== "")
  }
  // Plain output: every line that is one word (`pass show` prints the password, then `login: …`), and the whole.
  const out = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !/\s/.test(l))
  const whole = stdout.trim()
  if (whole !== "" && !out.includes(whole)) out.push(whole)
  return out
}

/** A value is a non-empty string; anything else says what it is instead. */
const valueResolution = (who: string, id: string, value: unknown): Resolution => {
  if (typeof value !== "string") return unresolved(`${who} returned ${jsonKind(value)} for ${id}, not a string`)
  if (value.trim() === "") return unresolved(`${who} returned an empty value for ${id}`)
  return resolved(value)
}

const everyId = (ids: ReadonlyArray<string>, reason: string): ReadonlyMap<string, Resolution> =>
  new Map(ids.map((id) => [id, unresolved(reason)]))

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    // The parser's message quotes the output, which may be a secret: never passed on.
    return { ok: false }
  }
}

/**
 * Each id's resolution from what a command that exited 0 printed. `who` names the provider in reasons
 * (`exec provider "vault"`); reasons never hold a value.
 */
export const readExecAnswer = (
  who: string,
  ids: ReadonlyArray<string>,
  stdout: string,
  jsonOnly: boolean
): ReadonlyMap<string, Resolution> => {
  const text = stdout.trim()
  if (text === "") return everyId(ids, `${who} printed nothing`)
  const parsed = parseJson(text)
  const single = !jsonOnly && ids.length === 1 ? ids[0] : undefined
  // Plain stdout that starts as a JSON object is a protocol answer cut short (the command died mid-write), not a
  // value: taken as one, the JSON fragment would be sent as the credential.
  // A value that merely starts with a brace (a generated password: `{k9#Q…`) is still one: a key's quote must follow.
  if (single !== undefined && !parsed.ok && /^\{\s*"/.test(text)) {
    return everyId(ids, `${who} printed a JSON object that is cut short or malformed`)
  }
  if (single !== undefined && !(parsed.ok && Predicate.isRecord(parsed.value))) {
    // The plain-stdout mode: the output is the value, less the newline a command ends it with.
    const plain = parsed.ok && typeof parsed.value === "string" ? parsed.value : stdout.replace(/\r?\n$/, "")
    return new Map([[single, valueResolution(who, single, plain)]])
  }
  if (!parsed.ok) {
    return everyId(ids, `${who} printed something that is not JSON (for a command that prints one bare value, set jsonOnly: false)`)
  }
  const answer = parsed.value
  if (!Predicate.isRecord(answer)) return everyId(ids, `${who} printed ${jsonKind(answer)}, not a JSON object`)
  if (answer.protocolVersion !== 1) return everyId(ids, `${who} did not answer with protocolVersion 1`)
  const values = Predicate.isRecord(answer.values) ? answer.values : {}
  const errors = Predicate.isRecord(answer.errors) ? answer.errors : {}
  const batchValues = Object.values(values).filter((v): v is string => typeof v === "string" && v !== "")
  const out = new Map<string, Resolution>()
  for (const id of ids) {
    const error = Object.hasOwn(errors, id) ? errors[id] : undefined
    if (error !== undefined) {
      const message = Predicate.isRecord(error) && typeof error.message === "string" ? commandDetail(error.message, batchValues) : ""
      out.set(id, unresolved(message === "" ? `${who} could not resolve ${id}` : `${who} could not resolve ${id}: ${message}`))
    } else if (Object.hasOwn(values, id)) {
      out.set(id, valueResolution(who, id, values[id]))
    } else {
      out.set(id, unresolved(`${who} returned no value for ${id}`))
    }
  }
  return out
}
