/**
 * What the fake provider (fakeProviders.ts) says, byte for byte as the real APIs say it: scripted replies, error
 * bodies, success bodies and event streams for Anthropic Messages and OpenAI Chat Completions — text, tool calls
 * (Anthropic `tool_use` blocks with `input_json_delta`, OpenAI `tool_calls` with argument deltas), usage with cached
 * tokens, and the provider's own id / model / system_fingerprint.
 */

export type Shape = "anthropic" | "openai"

interface Timing {
  /** Wait this long before answering (the client's timeout or interruption can strike meanwhile). */
  readonly delayMs?: number
}

/** A tool call the fake model makes. */
export interface FakeToolCall {
  /** `toolu_…` (Anthropic) / `call_…` (OpenAI). */
  readonly id: string
  readonly name: string
  /** The arguments as a JSON value (Anthropic `input`; OpenAI `arguments` is its JSON text). */
  readonly input: unknown
  /** Streaming: how many argument deltas (default 3). */
  readonly chunks?: number
}

export interface OkReply extends Timing {
  readonly kind: "ok"
  /** Answer text; an array becomes several text blocks (Anthropic) / is joined (OpenAI). Without it: the default
   * text, or no text at all when the reply makes tool calls. */
  readonly text?: string | ReadonlyArray<string>
  /** Tool calls after the text; the default stop reason becomes `tool_use` / `tool_calls`. */
  readonly toolCalls?: ReadonlyArray<FakeToolCall>
  /** Streaming: the deltas, or how many pieces to cut the text into (default 3). */
  readonly chunks?: number | ReadonlyArray<string>
  /** The provider's own value (`end_turn`, `max_tokens`, `tool_use`… / `stop`, `length`, `tool_calls`…). */
  readonly stopReason?: string
  readonly usage?: { readonly input: number; readonly output: number; readonly cacheRead?: number; readonly cacheWrite?: number }
  /** The answer's id (default `msg_fake_<n>` / `chatcmpl-fake-<n>`). */
  readonly id?: string
  /** The model the provider says answered (default: the request's `model`). */
  readonly model?: string
  /** OpenAI's `system_fingerprint` (default `fp_fake`). */
  readonly systemFingerprint?: string
  /** Streaming: after this many deltas send the provider's error event and end the body. */
  readonly errorAfterChunks?: number
  readonly streamError?: { readonly type: string; readonly message: string }
  /** Streaming: after this many deltas destroy the socket. */
  readonly dropAfterChunks?: number
  /** Streaming: after this many deltas end the body cleanly, without the provider's end marker. */
  readonly endAfterChunks?: number
  /** Answer with one JSON completion even when the request asked for a stream (as some servers do). */
  readonly ignoreStream?: boolean
  /** Streaming: pause after each delta event. */
  readonly chunkDelayMs?: number
  /** Streaming: CRLF line ends instead of LF. */
  readonly crlf?: boolean
  /** Streaming: write the body in pieces of this many bytes (splitting lines, and UTF-8 characters, anywhere). */
  readonly fragmentBytes?: number
}

export interface ErrorReply extends Timing {
  readonly kind: "error"
  readonly status: number
  /** Default: what the real API says for this status. `{credential}` is replaced by the raw credential received. */
  readonly message?: string
  /** The error type (Anthropic `error.type`, OpenAI `error.type`); default per status. */
  readonly type?: string
  /** `Retry-After` header value: seconds or an HTTP date. */
  readonly retryAfter?: string | number
  /** A raw body instead of the provider-shaped JSON (an HTML error page from a proxy, say). */
  readonly rawBody?: string
}

export interface DropReply extends Timing {
  readonly kind: "drop"
}

export type FakeReply = OkReply | ErrorReply | DropReply

export const CLAUDE_CODE_ONLY_MESSAGE =
  "This credential is only authorized for use with Claude Code and cannot be used for other API requests."

export const reply = {
  ok: (text?: string | ReadonlyArray<string>, options: Omit<OkReply, "kind" | "text"> = {}): OkReply => ({
    kind: "ok",
    ...(text === undefined ? {} : { text }),
    ...options
  }),
  /** The model asks for tools (with `text` before the calls, if given). */
  toolCalls: (calls: ReadonlyArray<FakeToolCall>, options: Omit<OkReply, "kind" | "toolCalls"> = {}): OkReply => ({
    kind: "ok",
    toolCalls: calls,
    ...options
  }),
  error: (status: number, options: Omit<ErrorReply, "kind" | "status"> = {}): ErrorReply => ({ kind: "error", status, ...options }),
  rateLimited: (retryAfter: string | number = 30): ErrorReply => ({ kind: "error", status: 429, retryAfter }),
  overloaded: (): ErrorReply => ({ kind: "error", status: 529 }),
  claudeCodeOnly: (): ErrorReply => ({ kind: "error", status: 400, message: CLAUDE_CODE_ONLY_MESSAGE }),
  /** An error body that echoes the credential back, as a careless provider or proxy might. */
  echoCredential: (status = 401): ErrorReply => ({ kind: "error", status, message: "Invalid credential {credential} for this endpoint" }),
  slow: (delayMs: number, then: FakeReply = { kind: "ok" }): FakeReply => ({ ...then, delayMs }),
  drop: (): DropReply => ({ kind: "drop" })
} as const

// ---- the real APIs' error bodies ----------------------------------------------------------------------------------

export const ANTHROPIC_ERRORS: Readonly<Record<number, readonly [string, string]>> = {
  400: ["invalid_request_error", "messages: at least one message is required"],
  401: ["authentication_error", "invalid x-api-key"],
  402: ["billing_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "Not found"],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: ["rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."],
  500: ["api_error", "Internal server error"],
  529: ["overloaded_error", "Overloaded"]
}

export const OPENAI_ERRORS: Readonly<Record<number, readonly [string, string, string | number | null]>> = {
  400: ["invalid_request_error", "Invalid request: 'messages' is a required property.", null],
  401: ["invalid_request_error", "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_api_key"],
  402: ["insufficient_credits", "Insufficient credits. Add more using https://openrouter.ai/settings/credits", 402],
  403: ["invalid_request_error", "You are not allowed to sample from this model", null],
  404: ["invalid_request_error", "The model does not exist or you do not have access to it.", "model_not_found"],
  429: ["requests", "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "rate_limit_exceeded"],
  500: ["server_error", "The server had an error while processing your request. Sorry about that!", null],
  503: ["server_error", "The engine is currently overloaded, please try again later", null],
  529: ["server_error", "The engine is currently overloaded, please try again later", null]
}

export const errorBody = (shape: Shape, status: number, message?: string, type?: string): string => {
  if (shape === "anthropic") {
    const [t, m] = ANTHROPIC_ERRORS[status] ?? ["api_error", "Internal server error"]
    return JSON.stringify({ type: "error", error: { type: type ?? t, message: message ?? m }, request_id: "req_fake" })
  }
  const [t, m, code] = OPENAI_ERRORS[status] ?? ["server_error", "Internal server error", null]
  return JSON.stringify({ error: { message: message ?? m, type: type ?? t, param: null, code } })
}

// ---- success bodies and event streams ------------------------------------------------------------------------------

export const DEFAULT_TEXT = "Hello from the fake provider."

const textParts = (r: OkReply, defaultText: string): ReadonlyArray<string> =>
  typeof r.text === "string" ? [r.text] : (r.text ?? (r.toolCalls?.length ? [] : [defaultText]))

const cut = (text: string, n: number): ReadonlyArray<string> => {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, n)))
  const out: Array<string> = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out.length > 0 ? out : [""]
}

/** Text deltas: exactly `chunks` pieces (some may be empty); none when a tool-calling reply has no text. */
const deltasOf = (r: OkReply, text: string): ReadonlyArray<string> => {
  if (Array.isArray(r.chunks)) return r.chunks as ReadonlyArray<string>
  if (text === "" && r.toolCalls?.length) return []
  const n = Math.max(1, typeof r.chunks === "number" ? r.chunks : 3)
  const size = Math.ceil(text.length / n)
  return Array.from({ length: n }, (_, i) => text.slice(i * size, (i + 1) * size))
}

const stopOf = (shape: Shape, r: OkReply): string =>
  r.stopReason ?? (r.toolCalls?.length ? (shape === "anthropic" ? "tool_use" : "tool_calls") : shape === "anthropic" ? "end_turn" : "stop")

const usageOf = (r: OkReply) => r.usage ?? { input: 12, output: 7 }

const anthropicUsage = (u: ReturnType<typeof usageOf>) => ({
  input_tokens: u.input,
  ...(u.cacheWrite === undefined ? {} : { cache_creation_input_tokens: u.cacheWrite }),
  ...(u.cacheRead === undefined ? {} : { cache_read_input_tokens: u.cacheRead }),
  output_tokens: u.output
})

/** OpenAI counts cached tokens inside prompt_tokens. */
const openaiUsage = (u: ReturnType<typeof usageOf>) => ({
  prompt_tokens: u.input + (u.cacheRead ?? 0),
  completion_tokens: u.output,
  total_tokens: u.input + (u.cacheRead ?? 0) + u.output,
  ...(u.cacheRead === undefined ? {} : { prompt_tokens_details: { cached_tokens: u.cacheRead, audio_tokens: 0 } })
})

export const okJson = (shape: Shape, r: OkReply, requestModel: string, n: number, defaultText: string): string => {
  const parts = textParts(r, defaultText)
  const usage = usageOf(r)
  const model = r.model ?? requestModel
  const calls = r.toolCalls ?? []
  if (shape === "anthropic") {
    return JSON.stringify({
      id: r.id ?? `msg_fake_${n}`,
      type: "message",
      role: "assistant",
      model,
      content: [
        ...parts.map((text) => ({ type: "text", text })),
        ...calls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: c.input }))
      ],
      stop_reason: stopOf(shape, r),
      stop_sequence: null,
      usage: anthropicUsage(usage)
    })
  }
  const message = {
    role: "assistant",
    content: parts.length > 0 ? parts.join("") : null,
    ...(calls.length > 0
      ? { tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.input) } })) }
      : {}),
    refusal: null,
    annotations: []
  }
  return JSON.stringify({
    id: r.id ?? `chatcmpl-fake-${n}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: stopOf(shape, r) }],
    usage: openaiUsage(usage),
    service_tier: "default",
    system_fingerprint: r.systemFingerprint ?? "fp_fake"
  })
}

/** An event as framed on the wire; `delta` events are followed by `chunkDelayMs`. */
export type Sse = { readonly text: string; readonly delta?: true } | { readonly drop: true }

/** The events of a streamed answer, exactly as the provider frames them. */
export const okEvents = (shape: Shape, r: OkReply, requestModel: string, n: number, defaultText: string, includeUsage: boolean): Array<Sse> => {
  const text = textParts(r, defaultText).join("")
  const deltas = deltasOf(r, text)
  const calls = r.toolCalls ?? []
  const usage = usageOf(r)
  const model = r.model ?? requestModel
  const out: Array<Sse> = []
  const push = (text: string) => out.push({ text })
  const ev = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
  const stop = (i: number): boolean => {
    if (r.dropAfterChunks === i) out.push({ drop: true })
    else if (r.endAfterChunks === i) return true
    else if (r.errorAfterChunks === i) {
      const e = r.streamError ?? { type: shape === "anthropic" ? "overloaded_error" : "server_error", message: "Overloaded" }
      out.push({ text: shape === "anthropic" ? ev("error", { type: "error", error: e }) : `data: ${JSON.stringify({ error: { ...e, param: null, code: null } })}\n\n` })
    } else return false
    return true
  }
  if (shape === "anthropic") {
    push(ev("message_start", {
      type: "message_start",
      message: {
        id: r.id ?? `msg_fake_${n}`, type: "message", role: "assistant", content: [], model, stop_reason: null, stop_sequence: null,
        usage: { ...anthropicUsage(usage), output_tokens: 1 }
      }
    }))
    let block = 0
    if (deltas.length > 0 || calls.length === 0) {
      push(ev("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }))
      push(ev("ping", { type: "ping" }))
      for (let i = 0; i < deltas.length; i++) {
        if (stop(i)) return out
        out.push({ text: ev("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: deltas[i] } }), delta: true })
      }
      if (stop(deltas.length)) return out
      push(ev("content_block_stop", { type: "content_block_stop", index: 0 }))
      block = 1
    }
    for (const [k, c] of calls.entries()) {
      const index = block + k
      push(ev("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: c.id, name: c.name, input: {} } }))
      // The API opens every tool_use block with an empty partial_json.
      for (const piece of ["", ...cut(JSON.stringify(c.input), c.chunks ?? 3)]) {
        out.push({ text: ev("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } }), delta: true })
      }
      push(ev("content_block_stop", { type: "content_block_stop", index }))
    }
    push(ev("message_delta", { type: "message_delta", delta: { stop_reason: stopOf(shape, r), stop_sequence: null }, usage: { output_tokens: usage.output } }))
    push(ev("message_stop", { type: "message_stop" }))
    return out
  }
  const base = { id: r.id ?? `chatcmpl-fake-${n}`, object: "chat.completion.chunk", created: 1_700_000_000, model, service_tier: "default", system_fingerprint: r.systemFingerprint ?? "fp_fake" }
  const chunk = (delta: unknown, finish: string | null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) })}\n\n`
  push(chunk({ role: "assistant", content: deltas.length > 0 || calls.length === 0 ? "" : null, refusal: null }, null))
  push(": keep-alive\n\n") // OpenRouter sends comments while it waits
  for (let i = 0; i < deltas.length; i++) {
    if (stop(i)) return out
    out.push({ text: chunk({ content: deltas[i] }, null), delta: true })
  }
  if (stop(deltas.length)) return out
  for (const [index, c] of calls.entries()) {
    out.push({ text: chunk({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] }, null), delta: true })
    for (const piece of cut(JSON.stringify(c.input), c.chunks ?? 3)) {
      out.push({ text: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null), delta: true })
    }
  }
  push(chunk({}, stopOf(shape, r)))
  if (includeUsage) push(`data: ${JSON.stringify({ ...base, choices: [], usage: openaiUsage(usage) })}\n\n`)
  push("data: [DONE]\n\n")
  return out
}
