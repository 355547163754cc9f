/**
 * OpenAI `chat.completion.chunk` streams ↔ canonical stream events: `data: {chunk}` lines with
 * choices[0].delta.content and delta.tool_calls[index] (id and name first, then argument pieces),
 * choices[0].finish_reason, then (with `stream_options.include_usage`) a chunk with empty choices and the usage,
 * then `data: [DONE]`.
 */
import { arr, num, obj, parseJson, type SseEvent, unreadableEvent, sseFrame, type StreamDecoder, type StreamEncoder, type StreamEncoderOptions, type StreamStep, str } from "../Codec.js"
import type { FinishReason, StreamEvent, Usage } from "../Model.js"
import { decodeFinishReason, decodeUsage, encodeUsage, errorBody } from "./Answer.js"

/** The finish waits for `[DONE]`, so the usage chunk that follows finish_reason lands on it. */
export const streamDecoder = (): StreamDecoder => {
  let started = false
  let finish: FinishReason | undefined
  let usage: Usage | undefined
  const toolsStarted = new Set<number>()
  const final = (): StreamStep => ({ events: [{ type: "finish", reason: finish ?? "stop", ...(usage === undefined ? {} : { usage }) }], done: true })
  return {
    onEvent: (event: SseEvent): StreamStep => {
      if (event.data.trim() === "[DONE]") return final()
      const data = obj(parseJson(event.data))
      if (data === undefined) return unreadableEvent(event) ?? { events: [], done: false }
      const error = data.error === undefined ? undefined : (obj(data.error) ?? { message: str(data.error) })
      if (error !== undefined || event.event === "error") {
        const code = num(error?.code)
        return {
          events: [],
          done: true,
          error: { message: str(error?.message) ?? str(data.message) ?? "stream error", ...(code !== undefined && code >= 400 && code < 600 ? { status: code } : {}) }
        }
      }
      const events: Array<StreamEvent> = []
      if (!started) {
        started = true
        const created = num(data.created)
        events.push({ type: "start", id: str(data.id) ?? "", model: str(data.model) ?? "", ...(created === undefined ? {} : { created }) })
      }
      usage = decodeUsage(data.usage) ?? usage
      const choice = obj(arr(data.choices)?.[0])
      const reason = str(choice?.finish_reason)
      if (reason !== undefined) finish = decodeFinishReason(reason)
      const delta = obj(choice?.delta)
      const content = delta?.content
      const text = typeof content === "string" ? content : (arr(content) ?? []).map((p) => str(obj(p)?.text) ?? "").join("")
      if (text !== "") events.push({ type: "text", delta: text })
      for (const [position, raw] of (arr(delta?.tool_calls) ?? []).entries()) {
        const call = obj(raw)
        const index = num(call?.index) ?? position
        const f = obj(call?.function)
        const name = str(f?.name)
        if (!toolsStarted.has(index) && (name !== undefined || call?.id !== undefined)) {
          toolsStarted.add(index)
          events.push({ type: "tool_call_start", index, id: str(call?.id) ?? "", name: name ?? "" })
        }
        const args = str(f?.arguments)
        if (args !== undefined && args !== "") events.push({ type: "tool_call_delta", index, argumentsDelta: args })
      }
      return { events, done: false }
    },
    // Some compatible servers close after the last chunk without `[DONE]`.
    onEnd: (): StreamStep | undefined => (finish === undefined ? undefined : final())
  }
}

/** Canonical events → chunks with the start's id, model and created on each, as OpenAI streams them. */
export const streamEncoder = (options: StreamEncoderOptions = {}): StreamEncoder => {
  let head = { id: "", object: "chat.completion.chunk", created: 0, model: "" }
  let usage: Usage | undefined
  const chunk = (delta: unknown, finish: FinishReason | null = null) =>
    sseFrame({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })
  return {
    onEvent: (event: StreamEvent): ReadonlyArray<string> => {
      switch (event.type) {
        case "start":
          head = { id: event.id, object: "chat.completion.chunk", created: event.created ?? 0, model: event.model }
          return [chunk({ role: "assistant", content: "" })]
        case "text":
          return event.delta === "" ? [] : [chunk({ content: event.delta })]
        case "tool_call_start":
          return [chunk({ tool_calls: [{ index: event.index, id: event.id, type: "function", function: { name: event.name, arguments: "" } }] })]
        case "tool_call_delta":
          return [chunk({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] })]
        case "finish":
          usage = event.usage ?? usage
          return [chunk({}, event.reason)]
        case "usage":
          usage = event.usage
          return []
      }
    },
    end: () => [...(options.includeUsage === true && usage !== undefined ? [sseFrame({ ...head, choices: [], usage: encodeUsage(usage) })] : []), "data: [DONE]\n\n"],
    error: (status, reason, message) => [sseFrame(errorBody(status, reason, message))]
  }
}
