import * as Predicate from "effect/Predicate"

/**
 * What an RFC 6901 pointer names in a document: the value, or the shortest prefix of the pointer (as written) that
 * leads nowhere.
 */
export type PointerTarget = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly missing: string }

/** `~1` is unescaped before `~0`, so `~01` reads `~1` (RFC 6901 §4). */
const unescape = (segment: string): string => segment.replace(/~1/g, "/").replace(/~0/g, "~")

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/

/**
 * The value `pointer` names in `document` (`/a~1b/c~0d` → key `a/b`, then `c~d`; the empty pointer is the whole
 * document). Only own properties count: `/__proto__` or `/constructor` never reach the prototype. Array elements
 * by their canonical decimal index.
 */
export const readJsonPointer = (document: unknown, pointer: string): PointerTarget => {
  let current = document
  const raw = pointer === "" ? [] : pointer.slice(1).split("/")
  for (let i = 0; i < raw.length; i++) {
    const segment = unescape(raw[i]!)
    if (Array.isArray(current) && ARRAY_INDEX.test(segment) && Number(segment) < current.length) {
      current = current[Number(segment)]
    } else if (Predicate.isRecord(current) && Object.hasOwn(current, segment)) {
      current = current[segment]
    } else {
      return { found: false, missing: `/${raw.slice(0, i + 1).join("/")}` }
    }
  }
  return { found: true, value: current }
}

/** `a string`, `a number`, `an object`, `null`: what a JSON value is, for a message. */
export const jsonKind = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`
