/**
 * A client's Anthropic Messages body → the canonical model (wire fields as `@anthropic-ai/sdk` types them:
 * src/resources/messages/messages.ts, MessageCreateParamsBase).
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { defined, located, obj, refuse, refuseUnknown, str } from "../Codec.js"
import { type ChatRequest, type Message, type Part, type ResponseFormat, type Tool, type ToolCall, type ToolChoice, type Unsupported } from "../Model.js"

const Loose = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const RawBlock = Schema.Struct({ type: Schema.String }, Loose)
const Content = Schema.Union(Schema.String, Schema.Array(RawBlock))

/** A wrong role names every valid one (the default message names only the first). */
const Roles = Schema.Literal("user", "assistant", "system").annotations({
  message: (issue) => ({ message: `must be one of "user", "assistant", "system", got ${JSON.stringify(issue.actual)}`, override: true })
})
const WireMessage = Schema.Struct({ role: Roles, content: Content })
const WireTool = Schema.Struct(
  {
    name: Schema.String,
    type: Schema.optional(Schema.NullOr(Schema.String)),
    description: Schema.optional(Schema.String),
    input_schema: Schema.optional(Schema.Unknown),
    strict: Schema.optional(Schema.Boolean)
  },
  Loose
)
const WireToolChoice = Schema.Struct({
  type: Schema.Literal("auto", "any", "tool", "none"),
  name: Schema.optional(Schema.String),
  disable_parallel_tool_use: Schema.optional(Schema.Boolean)
})

export const WireRequest = Schema.Struct({
  model: Schema.String.pipe(Schema.minLength(1, { message: () => "must name a model" })),
  messages: Schema.Array(WireMessage).pipe(Schema.minItems(1, { message: () => "must hold at least one message" })),
  // Required by the Messages API itself; a count_tokens body has none.
  max_tokens: Schema.optional(Schema.Int.pipe(Schema.positive())),
  system: Schema.optional(Content),
  stop_sequences: Schema.optional(Schema.Array(Schema.String)),
  stream: Schema.optional(Schema.Boolean),
  temperature: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
  top_p: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
  top_k: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
  tools: Schema.optional(Schema.Array(WireTool)),
  tool_choice: Schema.optional(WireToolChoice),
  metadata: Schema.optional(Schema.Struct({ user_id: Schema.optional(Schema.NullOr(Schema.String)) })),
  output_config: Schema.optional(Schema.NullOr(Schema.Struct({ format: Schema.optional(Schema.NullOr(RawBlock)) }, Loose)))
})
type WireRequest = typeof WireRequest.Type
type Block = typeof RawBlock.Type

const KNOWN = new Set<string>(Object.keys(WireRequest.fields))
const decodeWire = Schema.decodeUnknownEither(WireRequest, { errors: "first" })

const noTranslation = (block: Block, at: string) => refuse(at, `"${block.type}" blocks have no translation to another model's shape`)

/**
 * What each object of a client's body may hold (`@anthropic-ai/sdk`'s types) for a translation; anything else is
 * refused by name. `cache_control` is a caching hint (kept on text, which both shapes cache; harmless to leave
 * elsewhere), `eager_input_streaming` only how finely a tool's input is streamed: neither changes the answer.
 */
const MESSAGE_FIELDS = new Set(["role", "content"])
const BLOCK_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  text: new Set(["type", "text", "cache_control"]),
  image: new Set(["type", "source", "cache_control"]),
  tool_use: new Set(["type", "id", "name", "input", "cache_control"]),
  tool_result: new Set(["type", "tool_use_id", "content", "is_error", "cache_control"])
}
const SOURCE_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  base64: new Set(["type", "media_type", "data"]),
  url: new Set(["type", "url"])
}
const TOOL_FIELDS = new Set(["name", "type", "description", "input_schema", "strict", "cache_control", "eager_input_streaming"])
const TOOL_CHOICE_FIELDS = new Set(["type", "name", "disable_parallel_tool_use"])

/**
 * A block's own fields beyond what its type holds, refused by name (its type is checked by its decoder). A tool_use
 * the API returned carries `caller: {type: "direct"}`, which clients echo back: the model called it, as any tool
 * call of the other shape; another caller (code execution) has no translation.
 */
const blockFieldsProblem = (b: Block, at: string): Either.Either<void, Unsupported> => {
  const known = BLOCK_FIELDS[b.type]
  const direct = b.type === "tool_use" && obj(b.caller)?.type === "direct"
  return (known === undefined ? undefined : refuseUnknown(direct ? { ...b, caller: undefined } : b, known, at)) ?? Either.void
}

const decodeText = (block: Block, at: string): Either.Either<Part, Unsupported> => {
  const text = str(block.text)
  if (text === undefined) return refuse(at, "a text block needs its text")
  return Either.right({ type: "text", text, ...(block.cache_control === undefined || block.cache_control === null ? {} : { cacheControl: block.cache_control }) })
}

const decodeImage = (block: Block, at: string): Either.Either<Part, Unsupported> => {
  const source = obj(block.source)
  const kind = str(source?.type)
  const known = kind === undefined ? undefined : SOURCE_FIELDS[kind]
  const unknown = source === undefined || known === undefined ? undefined : refuseUnknown(source, known, `${at}.source`)
  if (unknown !== undefined) return unknown
  if (kind === "base64") {
    const mediaType = str(source?.media_type)
    const data = str(source?.data)
    if (mediaType !== undefined && data !== undefined) return Either.right({ type: "image", source: { kind: "base64", mediaType, data } })
  }
  const url = str(source?.url)
  if (kind === "url" && url !== undefined) return Either.right({ type: "image", source: { kind: "url", url } })
  return refuse(`${at}.source`, `image sources of type "${kind}" have no translation; use base64 or url`)
}

const decodeBlock = (b: Block, at: string, images: boolean): Either.Either<Part, Unsupported> =>
  Either.flatMap(blockFieldsProblem(b, at), () => (b.type === "text" ? decodeText(b, at) : b.type === "image" && images ? decodeImage(b, at) : noTranslation(b, at)))

/** Text and images: what user turns, tool results and system prompts are made of. */
const decodeParts = (content: string | ReadonlyArray<Block>, at: string, images: boolean): Either.Either<ReadonlyArray<Part>, Unsupported> => {
  if (typeof content === "string") return Either.right(content === "" ? [] : [{ type: "text", text: content }])
  return Either.all(content.map((b, j) => decodeBlock(b, `${at}.${j}`, images)))
}

/** A user turn's blocks in order: runs of text/images are user messages, each tool_result a tool message. */
const decodeUser = (content: string | ReadonlyArray<Block>, at: string): Either.Either<ReadonlyArray<Message>, Unsupported> =>
  Either.gen(function* () {
    if (typeof content === "string") return [{ role: "user", parts: yield* decodeParts(content, at, true) }]
    const out: Array<Message> = []
    let run: Array<Part> = []
    for (const [j, b] of content.entries()) {
      if (b.type !== "tool_result") {
        run.push(yield* decodeBlock(b, `${at}.${j}`, true))
        continue
      }
      if (run.length > 0) out.push({ role: "user", parts: run })
      run = []
      yield* blockFieldsProblem(b, `${at}.${j}`)
      const id = str(b.tool_use_id)
      if (id === undefined) return yield* refuse(`${at}.${j}.tool_use_id`, "a tool_result needs the id of the tool_use it answers")
      const inner = b.content === undefined ? "" : b.content
      if (typeof inner !== "string" && !Array.isArray(inner)) return yield* refuse(`${at}.${j}.content`, "must be a string or an array of blocks")
      const parts = yield* decodeParts(inner as string | ReadonlyArray<Block>, `${at}.${j}.content`, true)
      out.push({ role: "tool", toolCallId: id, parts, ...(typeof b.is_error === "boolean" ? { isError: b.is_error } : {}) })
    }
    if (run.length > 0 || out.length === 0) out.push({ role: "user", parts: run })
    return out
  })

const decodeAssistant = (content: string | ReadonlyArray<Block>, at: string): Either.Either<Message, Unsupported> =>
  Either.gen(function* () {
    if (typeof content === "string") return { role: "assistant", parts: content === "" ? [] : [{ type: "text", text: content }], toolCalls: [] }
    const parts: Array<Part> = []
    const toolCalls: Array<ToolCall> = []
    for (const [j, b] of content.entries()) {
      yield* blockFieldsProblem(b, `${at}.${j}`)
      if (b.type === "text") parts.push(yield* decodeText(b, `${at}.${j}`))
      else if (b.type === "tool_use") {
        const id = str(b.id)
        const name = str(b.name)
        if (id === undefined || name === undefined) return yield* refuse(`${at}.${j}`, "a tool_use block needs its id and name")
        toolCalls.push({ id, name, arguments: JSON.stringify(b.input ?? {}) })
      } else return yield* noTranslation(b, `${at}.${j}`)
    }
    return { role: "assistant", parts, toolCalls }
  })

const decodeTool = (t: NonNullable<WireRequest["tools"]>[number], i: number): Either.Either<Tool, Unsupported> => {
  if (t.type !== undefined && t.type !== null && t.type !== "custom") return refuse(`tools.${i}`, `the server tool "${t.type}" has no translation to another model's shape`)
  const unknown = refuseUnknown(t, TOOL_FIELDS, `tools.${i}`)
  if (unknown !== undefined) return unknown
  return Either.right({
    name: t.name,
    parameters: t.input_schema,
    ...(t.description === undefined ? {} : { description: t.description }),
    ...(t.strict === undefined ? {} : { strict: t.strict })
  })
}

const decodeToolChoice = (c: NonNullable<WireRequest["tool_choice"]>): Either.Either<ToolChoice, Unsupported> => {
  switch (c.type) {
    case "any":
      return Either.right({ type: "required" })
    case "tool":
      return c.name === undefined ? refuse("tool_choice.name", "a tool choice of type \"tool\" needs the tool's name") : Either.right({ type: "tool", name: c.name })
    default:
      return Either.right({ type: c.type })
  }
}

interface OutputConfig {
  readonly responseFormat?: ResponseFormat
  /** The config's other settings (`effort`): for an Anthropic provider only, refused by name by the others. */
  readonly rest?: Record<string, unknown>
}

/**
 * Structured outputs (`output_config.format`: a JSON schema the answer follows) as OpenAI's `response_format` says
 * it: a json_schema, strict where OpenAI's strict mode takes the schema (Anthropic's is always enforced), named as
 * OpenAI requires one to be.
 */
const decodeOutputConfig = (config: WireRequest["output_config"]): Either.Either<OutputConfig, Unsupported> => {
  if (config === undefined || config === null) return Either.right({})
  const { format, ...others } = config
  const rest = Object.fromEntries(Object.entries(others).filter(([, v]) => v !== undefined && v !== null))
  const kept = Object.keys(rest).length > 0 ? { rest } : {}
  if (format === undefined || format === null) return Either.right(kept)
  if (format.type !== "json_schema") return refuse("output_config.format.type", `"${format.type}" has no translation to another model's shape; use "json_schema"`)
  const schema = obj(format.schema)
  if (schema === undefined) return refuse("output_config.format.schema", "a json_schema format needs its schema (a JSON object)")
  const other = Object.keys(format).find((k) => k !== "type" && k !== "schema" && format[k] !== undefined && format[k] !== null)
  if (other !== undefined) return refuse(`output_config.format.${other}`, "has no translation to another model's shape")
  return Either.right({ ...kept, responseFormat: { type: "json_schema", json_schema: { name: "output", schema, strict: strictCompatible(schema) } } })
}

/**
 * Whether OpenAI's strict mode takes the schema as it is: every object lists all its properties as required and
 * allows no others. Anthropic takes more (optional properties); such a schema goes as a non-strict json_schema
 * instead of being refused by the provider. Bounded like the body it came in.
 */
const strictCompatible = (schema: unknown, depth = 0): boolean => {
  if (depth > 64) return false
  if (Array.isArray(schema)) return schema.every((s) => strictCompatible(s, depth + 1))
  const o = obj(schema)
  if (o === undefined) return true
  const properties = obj(o.properties)
  if (properties !== undefined || o.type === "object") {
    const required = Array.isArray(o.required) ? o.required : []
    if (o.additionalProperties !== false || Object.keys(properties ?? {}).some((k) => !required.includes(k))) return false
  }
  return Object.values(o).every((v) => typeof v !== "object" || v === null || strictCompatible(v, depth + 1))
}

/** A client's `POST /v1/messages` body → canonical. Fields not named by the model travel in `extra`. */
export const decodeRequest = (body: unknown): Either.Either<ChatRequest, Unsupported> =>
  Either.gen(function* () {
    const wire = yield* Either.mapLeft(decodeWire(body), located("Messages"))
    // Decoding keeps only the fields it knows of these; the client's own objects say what else they hold.
    const raw = body as { readonly messages: ReadonlyArray<Record<string, unknown>>; readonly tool_choice?: Record<string, unknown> }
    for (const [i, m] of raw.messages.entries()) {
      const unknown = refuseUnknown(m, MESSAGE_FIELDS, `messages.${i}`)
      if (unknown !== undefined) return yield* unknown
    }
    const choiceExtra = raw.tool_choice === undefined ? undefined : refuseUnknown(raw.tool_choice, TOOL_CHOICE_FIELDS, "tool_choice")
    if (choiceExtra !== undefined) return yield* choiceExtra
    const system = wire.system === undefined ? [] : yield* decodeParts(wire.system, "system", false)
    const messages: Array<Message> = system.length > 0 ? [{ role: "system", parts: system }] : []
    for (const [i, m] of wire.messages.entries()) {
      const at = `messages.${i}.content`
      if (m.role === "system") messages.push({ role: "system", parts: yield* decodeParts(m.content, at, false) })
      else if (m.role === "assistant") messages.push(yield* decodeAssistant(m.content, at))
      else messages.push(...(yield* decodeUser(m.content, at)))
    }
    const tools = wire.tools === undefined || wire.tools.length === 0 ? undefined : yield* Either.all(wire.tools.map(decodeTool))
    const choice = wire.tool_choice
    const toolChoice = choice === undefined ? undefined : yield* decodeToolChoice(choice)
    const disable = choice?.disable_parallel_tool_use
    const output = yield* decodeOutputConfig(wire.output_config)
    const extra = Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => !KNOWN.has(k)))
    if (output.rest !== undefined) extra.output_config = output.rest
    return {
      model: wire.model,
      messages,
      stream: wire.stream === true,
      ...defined("tools", tools),
      ...defined("toolChoice", toolChoice),
      ...defined("parallelToolCalls", disable === undefined ? undefined : !disable),
      ...defined("maxTokens", wire.max_tokens),
      ...defined("temperature", wire.temperature),
      ...defined("topP", wire.top_p),
      ...defined("topK", wire.top_k),
      ...defined("stop", wire.stop_sequences === undefined || wire.stop_sequences.length === 0 ? undefined : wire.stop_sequences),
      ...defined("user", wire.metadata?.user_id),
      ...defined("responseFormat", output.responseFormat),
      ...(Object.keys(extra).length > 0 ? { extra: { shape: "anthropic" as const, fields: extra } } : {})
    } satisfies ChatRequest
  })

