/**
 * A client's OpenAI Chat Completions body → the canonical model (wire fields as the `openai` package types them:
 * resources/chat/completions/completions.d.ts).
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { defined, located, obj, refuse, refuseUnknown, str, unknownField } from "../Codec.js"
import { type ChatRequest, type Message, type Part, type Tool, type ToolCall, type ToolChoice, type Unsupported } from "../Model.js"

const Nullable = <A, I>(s: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(s))
const Loose = Schema.Record({ key: Schema.String, value: Schema.Unknown })
/** A content part: its type is checked here, the rest where it is translated. */
const RawPart = Schema.Struct({ type: Schema.String }, Loose)
const Content = Schema.NullOr(Schema.Union(Schema.String, Schema.Array(RawPart)))

const WireToolCall = Schema.Struct({
  id: Schema.String,
  type: Schema.optional(Schema.String),
  function: Schema.optional(Schema.Struct({ name: Schema.String, arguments: Schema.String }))
})

/** A wrong role names every valid one (the default message names only the first). */
const Roles = Schema.Literal("system", "developer", "user", "assistant", "tool").annotations({
  message: (issue) => ({ message: `must be one of "system", "developer", "user", "assistant", "tool", got ${JSON.stringify(issue.actual)}`, override: true })
})

const WireMessage = Schema.Struct({
  role: Roles,
  content: Schema.optional(Content),
  tool_calls: Nullable(Schema.Array(WireToolCall)),
  tool_call_id: Schema.optional(Schema.String),
  function_call: Schema.optional(Schema.Unknown),
  audio: Schema.optional(Schema.Unknown)
})

const WireTool = Schema.Struct({
  type: Schema.String,
  function: Schema.optional(
    Schema.Struct({
      name: Schema.String,
      description: Schema.optional(Schema.String),
      parameters: Schema.optional(Schema.Unknown),
      strict: Nullable(Schema.Boolean)
    })
  )
})

const WireToolChoice = Schema.Union(
  Schema.Literal("auto", "none", "required"),
  Schema.Struct({ type: Schema.String, function: Schema.optional(Schema.Struct({ name: Schema.String })) })
)

const Int = Schema.Int
export const WireRequest = Schema.Struct({
  model: Schema.String.pipe(Schema.minLength(1, { message: () => "must be an agent target such as \"openclaw\"" })),
  messages: Schema.Array(WireMessage).pipe(Schema.minItems(1, { message: () => "must hold at least one message" })),
  stream: Nullable(Schema.Boolean),
  stream_options: Nullable(Schema.Struct({ include_usage: Nullable(Schema.Boolean) })),
  max_tokens: Nullable(Int.pipe(Schema.positive())),
  max_completion_tokens: Nullable(Int.pipe(Schema.positive())),
  temperature: Nullable(Schema.Number.pipe(Schema.between(0, 2))),
  top_p: Nullable(Schema.Number.pipe(Schema.between(0, 1))),
  stop: Nullable(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  n: Nullable(Int.pipe(Schema.positive())),
  logprobs: Nullable(Schema.Boolean),
  top_logprobs: Nullable(Int.pipe(Schema.between(0, 20))),
  response_format: Nullable(Schema.Struct({ type: Schema.String }, Loose)),
  seed: Nullable(Int),
  frequency_penalty: Nullable(Schema.Number.pipe(Schema.between(-2, 2))),
  presence_penalty: Nullable(Schema.Number.pipe(Schema.between(-2, 2))),
  user: Nullable(Schema.String),
  tools: Nullable(Schema.Array(WireTool)),
  tool_choice: Nullable(WireToolChoice),
  parallel_tool_calls: Nullable(Schema.Boolean)
})
type WireRequest = typeof WireRequest.Type
type WireMessage = typeof WireMessage.Type

const KNOWN = new Set<string>(Object.keys(WireRequest.fields))
const decodeWire = Schema.decodeUnknownEither(WireRequest, { errors: "first" })

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s

/** What each object of a client's body may hold (the `openai` package's types); anything else is refused by name. */
/** `parsed` (the `openai` package's parse helpers add it to the messages they echo back) is derived from content. */
const MESSAGE_FIELDS = new Set(["role", "content", "tool_calls", "tool_call_id", "function_call", "audio", "parsed"])
const TOOL_MESSAGE_FIELDS = new Set([...MESSAGE_FIELDS, "name"])
/** `index` numbers a call in a streamed answer; clients that collect a stream echo it back. */
const TOOL_CALL_FIELDS = new Set(["id", "type", "function", "index"])
/** `parsed_arguments`: the arguments parsed by the same helpers (runTools, parse), derived from `arguments`. */
const FUNCTION_CALL_FIELDS = new Set(["name", "arguments", "parsed_arguments"])
const TOOL_FIELDS = new Set(["type", "function"])
const FUNCTION_FIELDS = new Set(["name", "description", "parameters", "strict"])
/** `cache_control` on a text part: the caching hint OpenAI-compatible routers take, as Anthropic does. */
const TEXT_PART_FIELDS = new Set(["type", "text", "cache_control"])
const REFUSAL_PART_FIELDS = new Set(["type", "refusal"])
const IMAGE_PART_FIELDS = new Set(["type", "image_url"])
/** `detail` asks how finely to look, never for something the answer would lack: Anthropic reads images its own way. */
const IMAGE_URL_FIELDS = new Set(["url", "detail"])

const decodePart = (part: typeof RawPart.Type, at: string, images: boolean): Either.Either<Part, Unsupported> => {
  if (part.type === "text" || part.type === "refusal") {
    const extra = refuseUnknown(part, part.type === "text" ? TEXT_PART_FIELDS : REFUSAL_PART_FIELDS, at)
    if (extra !== undefined) return extra
    const text = str(part.type === "text" ? part.text : part.refusal)
    if (text === undefined) return refuse(at, `a "${part.type}" part needs its text`)
    const cacheControl = part.type === "text" ? part.cache_control : undefined
    return Either.right({ type: "text", text, ...(cacheControl === undefined || cacheControl === null ? {} : { cacheControl }) })
  }
  if (part.type === "image_url" && images) {
    const extra = refuseUnknown(part, IMAGE_PART_FIELDS, at)
    if (extra !== undefined) return extra
    const image = obj(part.image_url)
    const url = str(image?.url)
    if (image === undefined || url === undefined) return refuse(at, "an image_url part needs image_url.url")
    const inner = refuseUnknown(image, IMAGE_URL_FIELDS, `${at}.image_url`)
    if (inner !== undefined) return inner
    const data = DATA_URL.exec(url)
    return Either.right({ type: "image", source: data ? { kind: "base64", mediaType: data[1]!, data: data[2]! } : { kind: "url", url } })
  }
  return refuse(at, `"${part.type}" parts have no translation here; ${images ? "text and image_url parts are" : "only text parts are"} supported`)
}

const decodeContent = (content: WireMessage["content"], at: string, images: boolean): Either.Either<ReadonlyArray<Part>, Unsupported> => {
  if (content === undefined || content === null || content === "") return Either.right([])
  if (typeof content === "string") return Either.right([{ type: "text", text: content }])
  return Either.all(content.map((p, j) => decodePart(p, `${at}.${j}`, images)))
}

/** `raw`: the message as the client sent it (decoding keeps only the fields it knows). */
const decodeMessage = (m: WireMessage, i: number, raw: Readonly<Record<string, unknown>>): Either.Either<Message, Unsupported> =>
  Either.gen(function* () {
    const at = `messages.${i}`
    for (const field of ["function_call", "audio"] as const) {
      if (m[field] !== undefined && m[field] !== null) return yield* refuse(`${at}.${field}`, "has no translation; use tool_calls")
    }
    // A tool result's `name` is its tool's, which the call it answers already names (LangChain sends it).
    const extra = unknownField(raw, m.role === "tool" ? TOOL_MESSAGE_FIELDS : MESSAGE_FIELDS)
    if (extra === "name") return yield* refuse(`${at}.name`, "other models have no speaker name per message; leave it out, or say who speaks in the text")
    if (extra !== undefined) return yield* refuse(`${at}.${extra}`, "has no translation to another model's shape")
    for (const [j, call] of (Array.isArray(raw.tool_calls) ? raw.tool_calls : []).entries()) {
      const record = obj(call) ?? {}
      const unknown = refuseUnknown(record, TOOL_CALL_FIELDS, `${at}.tool_calls.${j}`) ?? refuseUnknown(obj(record.function) ?? {}, FUNCTION_CALL_FIELDS, `${at}.tool_calls.${j}.function`)
      if (unknown !== undefined) return yield* unknown
    }
    switch (m.role) {
      case "system":
      case "developer":
        return { role: "system", parts: yield* decodeContent(m.content, `${at}.content`, false) }
      case "user":
        return { role: "user", parts: yield* decodeContent(m.content, `${at}.content`, true) }
      case "assistant": {
        const toolCalls: Array<ToolCall> = []
        for (const [j, c] of (m.tool_calls ?? []).entries()) {
          if ((c.type !== undefined && c.type !== "function") || c.function === undefined) {
            return yield* refuse(`${at}.tool_calls.${j}`, `only function tool calls are supported, got "${c.type}"`)
          }
          toolCalls.push({ id: c.id, name: c.function.name, arguments: c.function.arguments })
        }
        return { role: "assistant", parts: yield* decodeContent(m.content, `${at}.content`, false), toolCalls }
      }
      case "tool":
        if (m.tool_call_id === undefined) return yield* refuse(`${at}.tool_call_id`, "a tool message needs the id of the tool call it answers")
        return { role: "tool", toolCallId: m.tool_call_id, parts: yield* decodeContent(m.content, `${at}.content`, false) }
    }
  })

const decodeTool = (t: NonNullable<WireRequest["tools"]>[number], i: number, raw: Readonly<Record<string, unknown>>): Either.Either<Tool, Unsupported> => {
  if (t.type !== "function" || t.function === undefined) return refuse(`tools.${i}`, `only function tools are supported, got "${t.type}"`)
  const unknown = refuseUnknown(raw, TOOL_FIELDS, `tools.${i}`) ?? refuseUnknown(obj(raw.function) ?? {}, FUNCTION_FIELDS, `tools.${i}.function`)
  if (unknown !== undefined) return unknown
  const f = t.function
  return Either.right({
    name: f.name,
    parameters: f.parameters,
    ...(f.description === undefined ? {} : { description: f.description }),
    ...(f.strict === undefined || f.strict === null ? {} : { strict: f.strict })
  })
}

const decodeToolChoice = (c: NonNullable<WireRequest["tool_choice"]>): Either.Either<ToolChoice, Unsupported> => {
  if (typeof c === "string") return Either.right({ type: c })
  if (c.type === "function" && c.function !== undefined) return Either.right({ type: "tool", name: c.function.name })
  return refuse("tool_choice", `"${c.type}" has no translation; use "auto", "none", "required" or a named function`)
}


/** A client's `POST /v1/chat/completions` body → canonical. Fields not named by the model travel in `extra`. */
export const decodeRequest = (body: unknown): Either.Either<ChatRequest, Unsupported> =>
  Either.gen(function* () {
    const wire = yield* Either.mapLeft(decodeWire(body), located("chat completion"))
    // Decoded, so these are arrays of objects as long as the decoded ones.
    const raw = body as { readonly messages: ReadonlyArray<Record<string, unknown>>; readonly tools?: ReadonlyArray<Record<string, unknown>> }
    const messages = yield* Either.all(wire.messages.map((m, i) => decodeMessage(m, i, raw.messages[i]!)))
    // An empty list means none (OpenAI itself refuses `tools: []`, clients send it anyway).
    const tools = wire.tools === undefined || wire.tools === null || wire.tools.length === 0 ? undefined : yield* Either.all(wire.tools.map((t, i) => decodeTool(t, i, raw.tools![i]!)))
    const toolChoice = wire.tool_choice === undefined || wire.tool_choice === null ? undefined : yield* decodeToolChoice(wire.tool_choice)
    const extra = Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => !KNOWN.has(k)))
    const stops = wire.stop === undefined || wire.stop === null ? [] : typeof wire.stop === "string" ? [wire.stop] : wire.stop
    const stop = stops.length === 0 ? undefined : stops
    return {
      model: wire.model,
      messages,
      stream: wire.stream === true,
      ...defined("tools", tools),
      ...defined("toolChoice", toolChoice),
      ...defined("parallelToolCalls", wire.parallel_tool_calls),
      ...defined("maxTokens", wire.max_completion_tokens ?? wire.max_tokens),
      ...defined("temperature", wire.temperature),
      ...defined("topP", wire.top_p),
      ...defined("stop", stop),
      ...defined("n", wire.n),
      ...defined("logprobs", wire.logprobs),
      ...defined("topLogprobs", wire.top_logprobs),
      ...defined("responseFormat", wire.response_format),
      ...defined("seed", wire.seed),
      ...defined("frequencyPenalty", wire.frequency_penalty),
      ...defined("presencePenalty", wire.presence_penalty),
      ...defined("user", wire.user),
      ...defined("includeUsage", wire.stream_options?.include_usage),
      ...(Object.keys(extra).length > 0 ? { extra: { shape: "openai" as const, fields: extra } } : {})
    } satisfies ChatRequest
  })

