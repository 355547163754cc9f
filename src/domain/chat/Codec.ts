/**
 * What a wire-shape codec offers (./openai/Codec.ts, ./anthropic/Codec.ts), so a caller can pick one by shape.
 * Decoders take bodies from outside as `unknown` and check what they read; encoders trust the canonical model.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import { type ChatAnswer, type ChatRequest, type StreamEvent, type Unsupported, unsupported, type WireShape } from "./Model.js"

export type Json = Readonly<Record<string, unknown>>

/** One server-sent event: its `event:` name (`message` when it names none) and its `data:` lines joined by `\n`. */
export interface SseEvent {
  readonly event: string
  readonly data: string
}

/** One step of reading a provider's stream: what it gave (canonical events, or SSE frames to hand on). */
export interface StreamStep<A = StreamEvent> {
  readonly events: ReadonlyArray<A>
  /** The provider said it is finished (or failed): nothing after this counts. */
  readonly done: boolean
  /** The provider's error event, with the HTTP status its type stands for when it names one. */
  readonly error?: { readonly message: string; readonly status?: number }
}

/**
 * Stateful per stream: a provider's SSE events → canonical events (a codec), or → the client's frames (the
 * passthrough's watch, a translation).
 */
export interface StreamDecoder<A = StreamEvent> {
  readonly onEvent: (event: SseEvent) => StreamStep<A>
  /** The body ended without the end marker: the final step when the provider still told how it finished. */
  readonly onEnd: () => StreamStep<A> | undefined
}

/** Stateful per stream: canonical events → SSE frames (`…\n\n`) in the client's shape. */
export interface StreamEncoder {
  readonly onEvent: (event: StreamEvent) => ReadonlyArray<string>
  /** The stream is complete: the frames that close it (`data: [DONE]` / `message_stop`). */
  readonly end: () => ReadonlyArray<string>
  /** The stream failed after it started: an error event in the client's shape (the official clients raise it). */
  readonly error: (status: number, reason: string, message: string) => ReadonlyArray<string>
}

export interface StreamEncoderOptions {
  /** OpenAI: the client asked for the usage chunk (`stream_options.include_usage`). */
  readonly includeUsage?: boolean
}

export interface ChatCodec {
  readonly shape: WireShape
  /** A client's body → canonical; what the body holds that the model cannot carry is Unsupported. */
  readonly decodeRequest: (body: unknown) => Either.Either<ChatRequest, Unsupported>
  /** Canonical → a provider's body; what this shape cannot carry is Unsupported. */
  readonly encodeRequest: (request: ChatRequest) => Either.Either<Json, Unsupported>
  /** A provider's answer → canonical; undefined when the body is not an answer of this shape. */
  readonly decodeAnswer: (body: unknown) => ChatAnswer | undefined
  /** Canonical → the client's answer body. */
  readonly encodeAnswer: (answer: ChatAnswer) => Json
  readonly streamDecoder: () => StreamDecoder
  readonly streamEncoder: (options?: StreamEncoderOptions) => StreamEncoder
  /** An error body in this shape; `code` (OpenAI's `error.code`) defaults to the reason. */
  readonly errorBody: (status: number, reason: string, message: string, code?: string | null) => Json
}

// ---- small readers for bodies from outside ----------------------------------------------------------------------

export const obj = (u: unknown): Record<string, unknown> | undefined =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : undefined
export const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)
export const num = (u: unknown): number | undefined => (typeof u === "number" && Number.isFinite(u) ? u : undefined)
export const arr = (u: unknown): ReadonlyArray<unknown> | undefined => (Array.isArray(u) ? u : undefined)

/** One SSE frame: an optional event name and one data line (JSON text has no raw newlines). */
export const sseFrame = (data: unknown, event?: string): string =>
  `${event === undefined ? "" : `event: ${event}\n`}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`

/**
 * The step for an event whose data is not a JSON object (`data: {"choices":[{"delta":{"content":"LO` cut short,
 * `data: 5`): the stream fails there, as a failure of that provider, instead of going on without what the event
 * held and ending as if complete (§8.4). An event without data (a keep-alive) is not one of them.
 */
export const unreadableEvent = (event: SseEvent): StreamStep | undefined =>
  event.data.trim() === "" ? undefined : { events: [], done: true, error: { message: "the provider sent a stream event that is not a JSON object" } }

export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * The first field of a client's object outside `known` that holds something (null and an empty array hold
 * nothing: clients echo answers back with `refusal: null`, `annotations: []`). A translation has no place for
 * such a field, so it is refused by name rather than dropped (§8.4).
 */
export const unknownField = (record: Readonly<Record<string, unknown>>, known: ReadonlySet<string>): string | undefined => {
  for (const key of Object.keys(record)) {
    const value = record[key]
    if (known.has(key) || value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue
    return key
  }
  return undefined
}

/** A refusal whose message starts with the field it names. */
export const refuse = (field: string, message: string): Either.Either<never, Unsupported> => Either.left(unsupported(field, `${field}: ${message}`))

/** unknownField's find, refused by its path (`at.field`); undefined when the object holds nothing else. */
export const refuseUnknown = (record: Readonly<Record<string, unknown>>, known: ReadonlySet<string>, at: string): Either.Either<never, Unsupported> | undefined => {
  const field = unknownField(record, known)
  return field === undefined ? undefined : refuse(`${at}.${field}`, "has no translation to another model's shape")
}

/** `{ key: value }`, or nothing when the value is absent (null counts as absent, as clients send it). */
export const defined = <K extends string, V>(key: K, value: V | null | undefined): { [k in K]?: V } =>
  (value === undefined || value === null ? {} : { [key]: value }) as { [k in K]?: V }

/** Schema's first problem, located (`messages.0.role: must be one of …`); `shape` names the body it is not. */
export const located = (shape: string) => (error: ParseResult.ParseError): Unsupported => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return unsupported("", `the request body does not have the ${shape} shape`)
  const field = issue.path.join(".")
  return unsupported(field, `${field === "" ? "" : `${field}: `}${issue.message}`)
}

/**
 * A user message's text on either wire (its text parts or blocks joined; images and tool results are not text);
 * undefined for any other message. Read from the raw body, so chat commands need no decoding of a passthrough.
 */
export const userText = (m: Record<string, unknown>): string | undefined => {
  if (m.role !== "user") return undefined
  const c = m.content
  if (typeof c === "string") return c
  if (!Array.isArray(c)) return ""
  let text = ""
  for (const p of c) if (Predicate.isRecord(p) && p.type === "text" && typeof p.text === "string") text += p.text
  return text
}
