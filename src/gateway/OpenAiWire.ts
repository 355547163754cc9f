import * as Either from "effect/Either"
import { isRecord } from "effect/Predicate"

/**
 * The OpenAI Chat Completions wire format, as far as the gateway itself reads and writes it: the fields routing
 * needs, and its own answers (chat commands, errors). Translation is the codecs' (domain/chat/openai).
 */

// ---- routing: what the gateway itself needs of a request it may pass through unchanged (§8.4) ---------------------

const ROLES: ReadonlyArray<string> = ["system", "developer", "user", "assistant", "tool"]

export interface ChatRouting {
  readonly model: string
  /** Each a record with a known role; the rest is the provider's to judge (same shape) or the translation's. */
  readonly messages: ReadonlyArray<Record<string, unknown>>
  readonly stream: boolean
  readonly includeUsage: boolean
  readonly user: string | undefined
}


/**
 * By hand, not by Schema: this runs on every request, and a passed-through body is not decoded beyond what choosing
 * the agent, the session and a chat command needs. The first problem, located (`messages.0.role: …`).
 */
export const chatRouting = (json: unknown): Either.Either<ChatRouting, string> => {
  if (!isRecord(json)) return Either.left("the request body does not have the chat completion shape")
  const { model, messages, stream, stream_options: options, user } = json
  if (typeof model !== "string" || model === "") return Either.left(`model: must be an agent target such as "openclaw"`)
  if (!Array.isArray(messages) || messages.length === 0) return Either.left("messages: must hold at least one message")
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i]
    if (!isRecord(m)) return Either.left(`messages.${i}: must be a message object`)
    if (typeof m.role !== "string" || !ROLES.includes(m.role)) {
      return Either.left(`messages.${i}.role: must be one of ${ROLES.map((r) => `"${r}"`).join(", ")}, got ${JSON.stringify(m.role) ?? "nothing"}`.slice(0, 300))
    }
  }
  if (stream != null && typeof stream !== "boolean") return Either.left("stream: must be a boolean")
  if (user != null && typeof user !== "string") return Either.left("user: must be a string")
  if (options != null && !isRecord(options)) return Either.left("stream_options: must be an object")
  return Either.right({
    model,
    messages: messages as ReadonlyArray<Record<string, unknown>>,
    stream: stream === true,
    includeUsage: isRecord(options) && options.include_usage === true,
    user: typeof user === "string" ? user : undefined
  })
}

// ---- responses -------------------------------------------------------------------------------------------------

export interface Completion {
  readonly id: string
  readonly created: number
  readonly model: string
}

export const sseData = (data: unknown): string => `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`

/** OpenAI's error envelope; `type` carries the classified reason. */
export const errorBody = (message: string, type: string, code: string | null = type) => ({
  error: { message, type, param: null, code }
})
