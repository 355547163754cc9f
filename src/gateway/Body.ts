import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { isUtf8 } from "node:buffer"
import type { IncomingMessage } from "node:http"
import { jsonStructureProblem } from "../domain/JsonStructure.js"
import { escapeControl } from "../domain/Untrusted.js"

/** A request body, read up to a cap and parsed (§8.6): what every POST route starts with. */

export const MAX_BODY_BYTES = 1024 * 1024
/** Past this a body is not even read to the end: the connection is closed. */
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES

export type BodyProblem = { readonly status: 413 | 400; readonly message: string; readonly close: boolean }

/**
 * Bytes that are not UTF-8 are refused, not turned into U+FFFD and sent on changed (§11). Checked, then decoded as
 * they are (a byte-order mark kept, as the text was sent): cheaper per request than a fatal TextDecoder.
 */
const notUtf8: BodyProblem = { status: 400, message: "The request body is not valid UTF-8; send JSON encoded as UTF-8.", close: false }
const decoded = (bytes: Buffer): Either.Either<string, BodyProblem> => (isUtf8(bytes) ? Either.right(bytes.toString("utf8")) : Either.left(notUtf8))

/**
 * Reads at most `max` bytes; a larger body is drained (up to a hard limit) so the client still reads the 413.
 * Straight from node's IncomingMessage: an Effect Stream per request costs more than the rest of the decoding.
 * `done` is called once: at once when the declared length is refused, or when the body is in already (a handler that
 * runs after node parsed the body); else when the body ends. Node emits a request before parsing its body, so a
 * handler called with it reads through the listeners.
 */
export const readBodyNow = (message: IncomingMessage, max: number, done: (body: Either.Either<string, BodyProblem>) => void): void => {
  const tooLarge = (close: boolean): BodyProblem => ({ status: 413, message: `The request body is larger than ${max} bytes.`, close })
  const declared = Number(message.headers["content-length"])
  if (Number.isFinite(declared) && declared > DRAIN_LIMIT_BYTES) return done(Either.left(tooLarge(true)))
  // The whole body is buffered already: take it without waiting for events.
  if (message.complete && message.readableLength <= max) {
    const buffered = message.read() as Buffer | null
    message.resume() // lets 'end' happen, so the connection can serve the next request
    return done(buffered === null ? Either.right("") : decoded(buffered))
  }
  const chunks: Array<Buffer> = []
  let size = 0
  const finish = (outcome: Either.Either<string, BodyProblem>) => {
    message.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onError)
    done(outcome)
  }
  const onData = (chunk: Buffer) => {
    size += chunk.length
    if (size <= max) chunks.push(chunk)
    else if (size > DRAIN_LIMIT_BYTES) finish(Either.left(tooLarge(true)))
  }
  const onEnd = () => finish(size > max ? Either.left(tooLarge(false)) : decoded(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)))
  const onError = () => finish(Either.left({ status: 400, message: "The request body could not be read.", close: true }))
  message.on("data", onData).on("end", onEnd).on("error", onError).on("aborted", onError)
}

/** `readBodyNow` as an Effect. */
export const readBody = (message: IncomingMessage, max: number): Effect.Effect<string, BodyProblem> =>
  Effect.async<string, BodyProblem>((resume) => readBodyNow(message, max, (body) => resume(Either.isRight(body) ? Effect.succeed(body.right) : Effect.fail(body.left))))

/** JSON.parse's own message quotes the input; say only where it broke. */
export const parseJson = (text: string): Either.Either<unknown, string> => {
  // Before any parse or walk, in one pass: a body nested thousands deep would overflow a recursive decoder, and a
  // top-level key given twice would mean one thing to the gateway (JSON.parse keeps the last) and maybe another to the
  // provider (§11).
  const found = jsonStructureProblem(text, { depthOnly: true, topLevelKeysOnce: true, allowPrototypeKeys: true })
  if (found?.key !== undefined) return Either.left(`The request body has the key ${JSON.stringify(escapeControl(found.key.slice(0, 100)))} twice; send each key once.`)
  if (found !== undefined) return Either.left(`The request body is ${found.detail} (at position ${found.offset}).`)
  try {
    return Either.right(JSON.parse(text))
  } catch (e) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : "")?.[1]
    return Either.left(text.trim() === "" ? "The request body is empty; send a JSON chat completion request." : `The request body is not valid JSON${at ? ` (at position ${at})` : ""}.`)
  }
}
