/**
 * A client's Anthropic Messages body → the canonical model (wire fields as `@anthropic-ai/sdk` types them:
 * src/resources/messages/messages.ts, MessageCreateParamsBase).
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { defined, located, obj, refuse, str } from "../Codec.js"
import { type ChatRequest, type Message, type Part, type Tool, type ToolCall, type ToolChoice, type Unsupported } from "../Model.js"

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
  metadata: Schema.optional(Schema.Struct({ user_id: Schema.optional(Schema.NullOr(Schema.String)) }))
})
type WireRequest = typeof WireRequest.Type
type Block = typeof RawBlock.Type

const KNOWN = new Set<string>(Object.keys(WireRequest.fields))
const decodeWire = Schema.decodeUnknownEither(WireRequest, { errors: "first" })

const noTranslation = (block: Block, at: string) => refuse(at, `"${block.type}" blocks have no translation to another model's shape`)

const decodeText = (block: Block, at: string): Either.Either<Part, Unsupported> => {
  const text = str(block.text)
  if (text === undefined) return refuse(at, "a text block needs its text")
  return Either.right({ type: "text", text, ...(block.cache_control === undefined || block.cache_control === null ? {} : { cacheControl: block.cache_control }) })
}

const decodeImage = (block: Block, at: string): Either.Either<Part, Unsupported> => {
  const source = obj(block.source)
  const kind = str(source?.type)
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
  b.type === "text" ? decodeText(b, at) : b.type === "image" && images ? decodeImage(b, at) : noTranslation(b, at)

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


/** A client's `POST /v1/messages` body → canonical. Fields not named by the model travel in `extra`. */
export const decodeRequest = (body: unknown): Either.Either<ChatRequest, Unsupported> =>
  Either.gen(function* () {
    const wire = yield* Either.mapLeft(decodeWire(body), located("Messages"))
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
    const extra = Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => !KNOWN.has(k)))
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
      ...(Object.keys(extra).length > 0 ? { extra: { shape: "anthropic" as const, fields: extra } } : {})
    } satisfies ChatRequest
  })

