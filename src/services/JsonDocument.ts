import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { FileParseError, FileShapeError } from "../domain/Errors.js"
import type { JsonObject } from "../domain/AuthStore.js"
import { describe } from "../domain/Credential.js"
import { jsonStructureProblem } from "../domain/JsonStructure.js"
import type { FilesShape } from "./Files.js"

export interface RawDocument {
  readonly path: string
  readonly exists: boolean
  readonly raw: JsonObject
}

/** `1:5` from a character offset. */
const lineColumn = (text: string, offset: number): { line: number; column: number } => {
  const before = text.slice(0, offset)
  const line = before.split("\n").length
  return { line, column: offset - before.lastIndexOf("\n") }
}

type JsoncParser = typeof import("jsonc-parser")
// Loaded once: a dynamic import is a module-loader round trip on every call (under vitest, an RPC to its main
// process), which a reader of many broken files (the fuzz suite: thousands) pays each time.
let jsoncParser: JsoncParser | undefined

/**
 * Node's JSON.parse does not always give a position and quotes the text around the error, which may be a secret.
 * jsonc-parser (loaded only when a file is broken) gives the offset and a code we can say in words.
 */
const jsonParseError = async (file: string, text: string): Promise<FileParseError> => {
  if (text.trim() === "") return new FileParseError({ path: file, format: "JSON", detail: "the file is empty", line: 1, column: 1 })
  const jsonc = (jsoncParser ??= (await import("jsonc-parser")) as JsoncParser)
  const errors: Array<import("jsonc-parser").ParseError> = []
  jsonc.parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false })
  const first = errors[0]
  if (!first) return new FileParseError({ path: file, format: "JSON", detail: "not valid JSON" })
  const words = jsonc.printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()
  return new FileParseError({ path: file, format: "JSON", detail: words, ...lineColumn(text, first.offset) })
}

const parseJson = async (file: string, text: string): Promise<unknown> => {
  try {
    return JSON.parse(text)
  } catch {
    throw await jsonParseError(file, text)
  }
}

type Json5 = { parse: (text: string) => unknown }
let json5: Json5 | undefined
const parseJson5 = async (file: string, text: string): Promise<unknown> => {
  json5 ??= ((await import("json5")) as unknown as { default: Json5 }).default
  try {
    return json5.parse(text)
  } catch (e) {
    const err = e as { message?: string; lineNumber?: number; columnNumber?: number }
    const problem = (err.message ?? String(e)).replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "")
    throw new FileParseError({
      path: file,
      format: "JSON5",
      detail: text.trim() === "" ? "the file is empty" : problem,
      ...(err.lineNumber === undefined ? {} : { line: err.lineNumber }),
      ...(err.columnNumber === undefined ? {} : { column: err.columnNumber })
    })
  }
}

/**
 * A file saved as UTF-16, or as UTF-8 with a byte-order mark (some Windows editors do either), read as UTF-8: say
 * that, not "invalid symbol at 1:1". UTF-16's mark reads as two U+FFFD, and its ASCII as characters and NULs.
 */
const wrongEncoding = (text: string): string | undefined => {
  if (text.charCodeAt(0) === 0xfeff) return "the file starts with a byte-order mark; save it as UTF-8 without one"
  if ((text.startsWith("\ufffd\ufffd") || text.charCodeAt(1) === 0 || text.charCodeAt(0) === 0) && text.slice(0, 64).includes("\u0000")) {
    return "the file is UTF-16 (or another encoding with NUL bytes); save it as UTF-8"
  }
  return undefined
}

/**
 * Parses a file's text. Beyond the syntax, what a parser accepts but openclaw must not take as it comes (§11: too
 * deep, duplicate or prototype keys, numbers a rewrite would change) fails the same way, with its position: such a
 * file is reported and never rewritten, like one that does not parse.
 */
export const parseJsonText = (file: string, text: string, format: "JSON" | "JSON5"): Effect.Effect<unknown, FileParseError> =>
  Effect.tryPromise({
    try: async () => {
      const encoding = wrongEncoding(text)
      if (encoding !== undefined) throw new FileParseError({ path: file, format, detail: encoding, line: 1, column: 1 })
      const value = await (format === "JSON" ? parseJson(file, text) : parseJson5(file, text))
      const problem = jsonStructureProblem(text, { parsed: value })
      if (problem) throw new FileParseError({ path: file, format, detail: problem.detail, line: problem.line, column: problem.column })
      return value
    },
    catch: (e) => (e instanceof FileParseError ? e : new FileParseError({ path: file, format, detail: String(e) }))
  })

/** The document and the text it was parsed from (empty for a missing file), for an editor that keeps that text. */
export const readJsonSource = (files: FilesShape, file: string, format: "JSON" | "JSON5") =>
  Effect.flatMap(files.readText(file), (text) =>
    Option.match(text, {
      onNone: () => Effect.succeed({ doc: { path: file, exists: false, raw: {} } as RawDocument, text: "" }),
      onSome: (text) =>
        parseJsonText(file, text, format).pipe(
          Effect.filterOrFail(
            (raw): raw is JsonObject => Predicate.isRecord(raw),
            (raw) => new FileShapeError({ path: file, detail: `expected a ${format} object at the top level, got ${describe(raw)}` })
          ),
          Effect.map((raw) => ({ doc: { path: file, exists: true, raw } as RawDocument, text }))
        )
    })
  )

/** Reads a JSON or JSON5 document whose top level must be an object; a missing file is an empty document. */
export const readJsonDocument = (files: FilesShape, file: string, format: "JSON" | "JSON5") =>
  Effect.map(readJsonSource(files, file, format), (source) => source.doc)
