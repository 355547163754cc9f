/**
 * The canonical chat model (§8.4): one request/answer/stream shape that both wire shapes (OpenAI Chat
 * Completions, Anthropic Messages) decode into and encode from. It holds what a translation across shapes can
 * carry; what it cannot hold is refused as `Unsupported` by the codec that meets it, never dropped.
 * Same-shape traffic does not need it (the gateway passes the body through), but it must not lose anything a
 * same-shape round trip can carry either: fields it has no place for travel in `extra` to a provider of the
 * shape they came from.
 */

export type WireShape = "openai" | "anthropic"

/**
 * Anthropic's `cache_control` on a text block, as the client sent it. A caching hint only: OpenAI caches
 * prompts on its own, so a translation to OpenAI leaves it out without changing the answer.
 */
export type CacheControl = unknown

export type ImageSource =
  | { readonly kind: "base64"; readonly mediaType: string; readonly data: string }
  | { readonly kind: "url"; readonly url: string }

export type Part =
  | { readonly type: "text"; readonly text: string; readonly cacheControl?: CacheControl }
  | { readonly type: "image"; readonly source: ImageSource }

export interface ToolCall {
  readonly id: string
  readonly name: string
  /** JSON text as the model produced it (OpenAI's `function.arguments`; Anthropic's `input`, serialized). */
  readonly arguments: string
}

export type Message =
  | { readonly role: "system"; readonly parts: ReadonlyArray<Part> }
  | { readonly role: "user"; readonly parts: ReadonlyArray<Part> }
  | { readonly role: "assistant"; readonly parts: ReadonlyArray<Part>; readonly toolCalls: ReadonlyArray<ToolCall> }
  | { readonly role: "tool"; readonly toolCallId: string; readonly parts: ReadonlyArray<Part>; readonly isError?: boolean }

export interface Tool {
  readonly name: string
  readonly description?: string
  /** JSON Schema of the arguments; undefined when the client gave none (a tool without arguments). */
  readonly parameters: unknown
  readonly strict?: boolean
}

export type ToolChoice =
  | { readonly type: "auto" }
  | { readonly type: "none" }
  | { readonly type: "required" }
  | { readonly type: "tool"; readonly name: string }

/** OpenAI's `response_format`, as sent: `{ type: "text" | "json_object" | "json_schema", json_schema? }`. */
export type ResponseFormat = { readonly type: string; readonly [key: string]: unknown }

/** Fields of the client's shape the model has no place for; see the module comment. */
export interface Extra {
  readonly shape: WireShape
  readonly fields: Readonly<Record<string, unknown>>
}

export interface ChatRequest {
  /** The model as the request names it (a client's agent target, or the provider's own model id). */
  readonly model: string
  readonly messages: ReadonlyArray<Message>
  readonly tools?: ReadonlyArray<Tool>
  readonly toolChoice?: ToolChoice
  /** false: at most one tool call per answer (Anthropic: `disable_parallel_tool_use`). */
  readonly parallelToolCalls?: boolean
  readonly maxTokens?: number
  readonly temperature?: number
  readonly topP?: number
  /** Anthropic only. */
  readonly topK?: number
  readonly stop?: ReadonlyArray<string>
  /** OpenAI only: how many answers. */
  readonly n?: number
  /** OpenAI only. */
  readonly logprobs?: boolean
  readonly topLogprobs?: number
  readonly responseFormat?: ResponseFormat
  readonly seed?: number
  readonly frequencyPenalty?: number
  readonly presencePenalty?: number
  /** OpenAI `user` ↔ Anthropic `metadata.user_id`: who the end user is. */
  readonly user?: string
  readonly stream: boolean
  /** OpenAI `stream_options.include_usage`: the client wants the usage chunk (Anthropic streams always carry it). */
  readonly includeUsage?: boolean
  readonly extra?: Extra
}

/**
 * Token counts. `inputTokens` counts every prompt token, cached or not (OpenAI's `prompt_tokens`); Anthropic's
 * `input_tokens` counts only the uncached ones, so its codec adds and subtracts the cache figures.
 */
export interface Usage {
  readonly inputTokens: number
  readonly outputTokens: number
  /** Prompt tokens read from the cache (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`). */
  readonly cacheReadTokens?: number
  /** Prompt tokens written to the cache (Anthropic `cache_creation_input_tokens`; OpenAI has no such figure). */
  readonly cacheWriteTokens?: number
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter"

export interface ChatAnswer {
  readonly id: string
  readonly model: string
  /** Text parts only: providers answer text and tool calls. */
  readonly parts: ReadonlyArray<Part>
  readonly toolCalls: ReadonlyArray<ToolCall>
  readonly finishReason: FinishReason
  readonly usage: Usage
  /** Unix seconds (OpenAI's `created`); Anthropic answers have none. */
  readonly created?: number
}

/**
 * A streamed answer: `start` first, then text and tool-call pieces, then `finish` (decoders put the usage on it
 * when the provider gave one). `index` numbers the answer's tool calls 0, 1, … in the order they started.
 */
export type StreamEvent =
  | { readonly type: "start"; readonly id: string; readonly model: string; readonly created?: number }
  | { readonly type: "text"; readonly delta: string }
  | { readonly type: "tool_call_start"; readonly index: number; readonly id: string; readonly name: string }
  | { readonly type: "tool_call_delta"; readonly index: number; readonly argumentsDelta: string }
  | { readonly type: "finish"; readonly reason: FinishReason; readonly usage?: Usage }
  | { readonly type: "usage"; readonly usage: Usage }

/** A field one shape cannot carry to the other, or a body that is not one: the gateway answers 400 naming it. */
export interface Unsupported {
  readonly _tag: "Unsupported"
  /** Where, as a path into the client's body: `n`, `messages.3.content.1`, `tools.0`. */
  readonly field: string
  readonly message: string
}

export const unsupported = (field: string, message: string): Unsupported => ({ _tag: "Unsupported", field, message })

/** The text of some parts, joined. */
export const textOf = (parts: ReadonlyArray<Part>): string => {
  let out = ""
  for (const p of parts) if (p.type === "text") out += p.text
  return out
}

export const textPart = (text: string): Part => ({ type: "text", text })

/** A text answer, as the provider clients and chat commands build them. */
export const emptyUsage: Usage = { inputTokens: 0, outputTokens: 0 }
