/**
 * What a JSON parser accepts but openclaw must not take as it comes (§11): nesting deeper than a fixed limit (a
 * recursive walk would overflow the stack), duplicate keys (the parser keeps the last one and a rewrite loses the
 * first), the keys `__proto__`/`constructor`/`prototype` (they change how a JavaScript object behaves) and numbers a
 * double cannot hold exactly (`1e309` is Infinity and is written back as `null`). One linear pass over the text,
 * shared by every reader of JSON and JSON5 — files here, request bodies at the gateway.
 */

/** Deeper than any store, config or chat request needs; far below what would exhaust a stack. */
export const MAX_JSON_DEPTH = 128

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"])

/** A name that would reach an object's prototype when used as a key of a plain object. */
export const isPrototypeKey = (key: string): boolean => PROTOTYPE_KEYS.has(key)

/**
 * A copy whose objects have no prototype, so a lookup by an id that came from outside (`order["constructor"]`)
 * finds only what the data holds. For decoded data, whose depth the structure check already bounded.
 */
export const withoutPrototypes = <A>(value: A): A => {
  if (Array.isArray(value)) return value.map(withoutPrototypes) as A
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value
  const out = Object.create(null) as Record<string, unknown>
  for (const [k, v] of Object.entries(value)) out[k] = withoutPrototypes(v)
  return out as A
}

export type JsonStructureKind = "depth" | "duplicate-key" | "prototype-key" | "unsafe-number"

export interface JsonStructureProblem {
  readonly kind: JsonStructureKind
  /** Character offset in the text, and the same as 1-based line and column. */
  readonly offset: number
  readonly line: number
  readonly column: number
  /** One clause, no value that could be a secret: a key is named only when it looks like an identifier. */
  readonly detail: string
  /** The key a `duplicate-key` problem repeats, for a caller whose text is its reader's own (a client's body). */
  readonly key?: string
}

export interface JsonStructureOptions {
  readonly maxDepth?: number
  /** Request bodies may carry any key (a tool parameter named `constructor`); files may not. */
  readonly allowPrototypeKeys?: boolean
  /**
   * Only the depth: a client's body is forwarded, not rewritten, so a repeated key or a big number is the provider's
   * to judge, but a deep one must not reach a recursive walk.
   */
  readonly depthOnly?: boolean
  /**
   * With `depthOnly`: a key twice at the top level is reported too. The gateway routes by top-level keys (`model`,
   * `stream`), and JSON.parse keeps the last of two where a provider may take the first.
   */
  readonly topLevelKeysOnce?: boolean
  /**
   * The value the text parsed to. Given, duplicate keys are found by counting instead of by name: a text without
   * them has exactly one own property per key (JSON.parse defines even `__proto__` as one), so equal totals mean
   * none, and only a text with some (or with any other problem) is read again key by key to say which and where.
   * Keeps the pass from slicing every key and keeping a Map per object: most of its cost on a 20,000-profile store.
   */
  readonly parsed?: unknown
}

const lineColumn = (text: string, offset: number): { line: number; column: number } => {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}

/** Quoted when it is harmless to show (an id, a field name); otherwise the position has to do. */
const nameOf = (key: string): string => (/^[A-Za-z0-9_$.:@/+-]{1,64}$/.test(key) ? `"${key}" ` : "")

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "0": "\0" }

/** The value of a JSON/JSON5 string body (between its quotes), so `"a"` and `"\u0061"` are the same key. */
const unescape = (body: string): string =>
  body.indexOf("\\") < 0
    ? body
    : body.replace(/\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(\r\n|[\n\r\u2028\u2029])|([\s\S]))/g, (_, u, x, eol, c) =>
        u !== undefined
          ? String.fromCharCode(parseInt(u, 16))
          : x !== undefined
            ? String.fromCharCode(parseInt(x, 16))
            : eol !== undefined
              ? ""
              : Object.hasOwn(SIMPLE_ESCAPES, c)
                ? SIMPLE_ESCAPES[c]!
                : c
      )

/** Whether a number literal (JSON or JSON5) survives a parse and a rewrite unchanged in value. */
const isSafeNumber = (literal: string): boolean => {
  const unsigned = literal.replace(/^[+-]/, "")
  if (/^(Infinity|NaN)$/.test(unsigned)) return false
  const value = Number(unsigned)
  if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) return false
  // -0 parses, and is written back as 0.
  if (value === 0 && literal.startsWith("-")) return false
  // 1e-400 reads as 0: a value that silently became another one.
  return value !== 0 || /^0x/i.test(unsigned) || !/[1-9]/.test(unsigned.split(/e/i)[0]!)
}

/** A run of anything that is not punctuation, a quote, a comment start or whitespace: a number, literal or bare key. */
const WORD = /[^\s{}[\],:"'/]+/y
const EOL = /[\n\r\u2028\u2029]/g

/**
 * Where an integer of 1 to 15 digits (an optional minus first) ends, or -1 when the word at `at` is anything else.
 * Such a number is always safe: most numbers in a store are (epoch milliseconds, counts), so most skip the regexes.
 */
const shortIntegerEnd = (text: string, at: number): number => {
  let j = text.charCodeAt(at) === 0x2d ? at + 1 : at
  const first = j
  while (j < text.length) {
    const c = text.charCodeAt(j)
    if (c < 0x30 || c > 0x39) break
    j++
  }
  if (j === first || j - first > 15) return -1
  // -0: the slow path reports it (a rewrite would make it 0).
  if (first > at && text.charCodeAt(first) === 0x30 && j === first + 1) return -1
  const next = text.charCodeAt(j)
  // Followed by punctuation or whitespace that ends a JSON value: anything else (`.`, `e`, letters) is a longer word.
  return next === 0x2c || next === 0x7d || next === 0x5d || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09 || j === text.length ? j : -1
}

/** Own properties of every object in a parsed value (its depth already bounded by the text's). */
const ownKeyCount = (value: unknown): number => {
  if (value === null || typeof value !== "object") return 0
  let count = 0
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) count += ownKeyCount(value[i])
    return count
  }
  // for-in, not Object.keys: no array of keys per object (a store has an object per profile). Parsed JSON has no
  // inherited enumerable keys, and hasOwn keeps it so for any other value.
  for (const key in value) if (Object.hasOwn(value, key)) count += 1 + ownKeyCount((value as Record<string, unknown>)[key])
  return count
}

/**
 * The first structural problem of a text that already parsed as JSON or JSON5, or `undefined`. Linear in the text:
 * strings are skipped with `indexOf`, and the pass stops at the first problem (depth stops it before any
 * recursion could run).
 */
export const jsonStructureProblem = (text: string, options: JsonStructureOptions = {}): JsonStructureProblem | undefined => {
  if (options.parsed === undefined || options.depthOnly) return structurePass(text, options, undefined)
  const keys = { count: 0 }
  const found = structurePass(text, options, keys)
  // Anything amiss is looked at again key by key, so the problem reported is the first in the text, as always.
  if (found !== undefined || keys.count !== ownKeyCount(options.parsed)) return structurePass(text, options, undefined)
  return undefined
}

/** The pass; with `counted`, keys are counted into it (and checked for prototype names) instead of compared. */
const structurePass = (text: string, options: JsonStructureOptions, counted: { count: number } | undefined): JsonStructureProblem | undefined => {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH
  // Per open bracket: whether it is an object, and (comparing keys by name) the keys seen in it with where each
  // was first seen, made at its first key.
  const isObject: Array<boolean> = []
  const keysAt: Array<Map<string, number> | undefined> = []
  let depth = 0
  let expectKey = false
  // The next backslash at or after the current string (text.length when none): a key without one is its own value.
  let backslash = -1
  const problem = (kind: JsonStructureKind, offset: number, detail: string): JsonStructureProblem => ({
    kind,
    offset,
    ...lineColumn(text, offset),
    detail
  })
  const prototypeKey = (key: string, at: number): JsonStructureProblem | undefined =>
    !options.allowPrototypeKeys && isPrototypeKey(key)
      ? problem("prototype-key", at, `the key "${key}" is not allowed (it is reserved in JavaScript)`)
      : undefined
  /** The key spelled by text[from, to), found at `at` (its opening quote, or its first character when bare). */
  const onKey = (from: number, to: number, at: number): JsonStructureProblem | undefined => {
    expectKey = false
    if (depth === 0 || !isObject[depth - 1] || (options.depthOnly && !(options.topLevelKeysOnce && depth === 1))) return undefined
    if (counted !== undefined) {
      counted.count++
      if (backslash < from) backslash = text.indexOf("\\", from) >>> 0 // -1 becomes 2^32 - 1: none further on
      const length = to - from
      if (backslash >= to && length !== 9 && length !== 11) return undefined // no escape, not a prototype key's length
      return prototypeKey(backslash >= to ? text.slice(from, to) : unescape(text.slice(from, to)), at)
    }
    const key = unescape(text.slice(from, to))
    const found = prototypeKey(key, at)
    if (found) return found
    const keys = (keysAt[depth - 1] ??= new Map())
    const first = keys.get(key)
    if (first !== undefined) {
      const was = lineColumn(text, first)
      return { ...problem("duplicate-key", at, `duplicate key ${nameOf(key)}(also at ${was.line}:${was.column}); openclaw cannot tell which one is meant`), key }
    }
    keys.set(key, at)
    return undefined
  }

  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a) {
      i++
    } else if (c === 0x7b || c === 0x5b) {
      isObject[depth] = c === 0x7b
      keysAt[depth] = undefined
      depth++
      if (depth > maxDepth) return problem("depth", i, `nested deeper than ${maxDepth} levels`)
      expectKey = c === 0x7b
      i++
    } else if (c === 0x7d || c === 0x5d) {
      if (depth > 0) depth--
      expectKey = false
      i++
    } else if (c === 0x2c) {
      expectKey = depth > 0 && isObject[depth - 1] === true
      i++
    } else if (c === 0x22 || c === 0x27) {
      // The closing quote is the first one not escaped by an odd run of backslashes.
      const quote = text[i]!
      let end = text.indexOf(quote, i + 1)
      for (;;) {
        if (end < 0) {
          end = text.length
          break
        }
        let backslashes = 0
        for (let k = end - 1; k > i && text.charCodeAt(k) === 0x5c; k--) backslashes++
        if (backslashes % 2 === 0) break
        end = text.indexOf(quote, end + 1)
      }
      if (expectKey) {
        const found = onKey(i + 1, end, i)
        if (found) return found
      }
      i = end + 1
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      EOL.lastIndex = i
      i = EOL.exec(text)?.index ?? text.length
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const close = text.indexOf("*/", i + 2)
      i = close < 0 ? text.length : close + 2
    } else if (!expectKey && (c === 0x2d || (c >= 0x30 && c <= 0x39)) && shortIntegerEnd(text, i) > i) {
      i = shortIntegerEnd(text, i)
    } else {
      WORD.lastIndex = i
      const word = WORD.exec(text)?.[0]
      if (word === undefined) {
        i++ // other whitespace (JSON5 allows any Unicode space)
        continue
      }
      if (expectKey) {
        const found = onKey(i, i + word.length, i)
        if (found) return found
      } else if (!options.depthOnly && /^[+\-.\d]|^(Infinity|NaN)$/.test(word) && !isSafeNumber(word)) {
        const shown = word.length > 24 ? `${word.slice(0, 24)}…` : word
        const negativeZero = word.startsWith("-") && Number(word.slice(1)) === 0
        return problem(
          "unsafe-number",
          i,
          negativeZero ? `the number ${shown} would be written back as 0` : `the number ${shown} cannot be kept exactly (outside ±${Number.MAX_SAFE_INTEGER})`
        )
      }
      i += word.length
    }
  }
  return undefined
}

/**
 * Where a value about to be written holds a number JSON cannot keep exactly (past ±2^53, Infinity, NaN): the
 * last net before a file, so that no source that forgot its own check can write a file every reader then refuses
 * (§3.3, §11). Dot path and the number; depth bounded as decoded data is.
 */
export const firstUnsafeNumber = (value: unknown, at = "", depth = 0): { readonly path: string; readonly value: number } | undefined => {
  if (typeof value === "number") {
    // -0 is written as 0, which is the same amount: not refused.
    return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? undefined : { path: at || "(top)", value }
  }
  if (value === null || typeof value !== "object" || depth > MAX_JSON_DEPTH) return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstUnsafeNumber(value[i], `${at}[${i}]`, depth + 1)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const found = firstUnsafeNumber((value as Record<string, unknown>)[key], at === "" ? key : `${at}.${key}`, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}
