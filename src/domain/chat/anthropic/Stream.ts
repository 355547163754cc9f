/**
 * Anthropic Messages streams ↔ canonical stream events (https://docs.anthropic.com/en/api/messages-streaming):
 * message_start (id, model, input usage) → per content block: content_block_start (text, or tool_use with id and
 * name), content_block_delta (text_delta / input_json_delta), content_block_stop → message_delta (stop_reason,
 * usage) → message_stop. `ping` and unknown events are ignored, as the docs ask.
 */
import { type Json, obj, parseJson, type SseEvent, sseFrame, type StreamDecoder, type StreamEncoder, type StreamStep, str, unreadableEvent } from "../Codec.js"
import type { FinishReason, StreamEvent, Usage } from "../Model.js"
import { type AnthropicUsage, decodeStopReason, encodeStopReason, encodeUsage, errorBody, readUsage, STATUS_BY_ERROR_TYPE, toUsage } from "./Answer.js"

const none: StreamStep = { events: [], done: false }

/** The events an answer is made of (an unnamed one is `message`, as SSE has it). */
const ANSWER_EVENTS: ReadonlySet<string> = new Set(["", "message", "message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "error"])

export const streamDecoder = (): StreamDecoder => {
  let finish: FinishReason | undefined
  let usage: AnthropicUsage = {}
  /** Content block index → the answer's tool-call index (text and thinking blocks are numbered too). */
  const toolOfBlock = new Map<number, number>()
  const final = (): StreamStep => {
    const u = toUsage(usage)
    return { events: [{ type: "finish", reason: finish ?? "stop", ...(u === undefined ? {} : { usage: u }) }], done: true }
  }
  return {
    onEvent: (event: SseEvent): StreamStep => {
      const data = obj(parseJson(event.data))
      // Only an event that carries the answer fails the stream when unreadable: `ping` and events it does not know
      // are ignored, as Anthropic's docs ask, whatever their data.
      if (data === undefined && ANSWER_EVENTS.has(event.event)) {
        const unreadable = unreadableEvent(event)
        if (unreadable !== undefined) return unreadable
      }
      switch (str(data?.type) ?? event.event) {
        case "message_start": {
          const message = obj(data?.message)
          usage = readUsage(message?.usage, usage)
          return { events: [{ type: "start", id: str(message?.id) ?? "", model: str(message?.model) ?? "" }], done: false }
        }
        case "content_block_start": {
          const block = obj(data?.content_block)
          const index = typeof data?.index === "number" ? data.index : -1
          if (block?.type === "tool_use") {
            const tool = toolOfBlock.size
            toolOfBlock.set(index, tool)
            return { events: [{ type: "tool_call_start", index: tool, id: str(block.id) ?? "", name: str(block.name) ?? "" }], done: false }
          }
          const text = block?.type === "text" ? str(block.text) : undefined
          return text === undefined || text === "" ? none : { events: [{ type: "text", delta: text }], done: false }
        }
        case "content_block_delta": {
          const delta = obj(data?.delta)
          if (delta?.type === "text_delta") {
            const text = str(delta.text)
            return text === undefined || text === "" ? none : { events: [{ type: "text", delta: text }], done: false }
          }
          if (delta?.type === "input_json_delta") {
            const tool = toolOfBlock.get(typeof data?.index === "number" ? data.index : -1)
            const json = str(delta.partial_json)
            return tool === undefined || json === undefined || json === "" ? none : { events: [{ type: "tool_call_delta", index: tool, argumentsDelta: json }], done: false }
          }
          return none
        }
        case "message_delta": {
          const reason = str(obj(data?.delta)?.stop_reason)
          if (reason !== undefined) finish = decodeStopReason(reason)
          usage = readUsage(data?.usage, usage)
          return none
        }
        case "message_stop":
          return final()
        case "error": {
          const error = obj(data?.error)
          const errorType = str(error?.type) ?? ""
          const status = STATUS_BY_ERROR_TYPE[errorType]
          return { events: [], done: true, error: { message: str(error?.message) ?? (errorType || "stream error"), ...(status === undefined ? {} : { status }) } }
        }
        default:
          return none
      }
    },
    // A body that ends after message_delta but without message_stop still told us how it finished.
    onEnd: (): StreamStep | undefined => (finish === undefined ? undefined : final())
  }
}

/**
 * Canonical events → Anthropic events. Text and each tool call are content blocks opened as they come and closed
 * when another starts. The stop reason and usage go out at the end in message_delta: an OpenAI-shaped provider
 * reports usage after its finish reason, so message_start carries zeros and message_delta the real figures (the
 * SDK and Claude Code take the input figures from message_delta when it has them).
 */
export const streamEncoder = (): StreamEncoder => {
  let next = 0
  let open: { readonly block: number; readonly kind: "text" | "tool"; readonly tool?: number } | undefined
  const blockOfTool = new Map<number, number>()
  let reason: FinishReason = "stop"
  let usage: Usage | undefined
  let stopped = false
  const close = (): Array<string> => {
    if (open === undefined) return []
    const frame = sseFrame({ type: "content_block_stop", index: open.block }, "content_block_stop")
    open = undefined
    return [frame]
  }
  const start = (kind: "text" | "tool", block: Json, tool?: number): Array<string> => {
    const out = close()
    const index = next++
    open = { block: index, kind, ...(tool === undefined ? {} : { tool }) }
    if (tool !== undefined) blockOfTool.set(tool, index)
    out.push(sseFrame({ type: "content_block_start", index, content_block: block }, "content_block_start"))
    return out
  }
  const delta = (index: number, d: Json) => sseFrame({ type: "content_block_delta", index, delta: d }, "content_block_delta")
  return {
    onEvent: (event: StreamEvent): ReadonlyArray<string> => {
      switch (event.type) {
        case "start":
          return [
            sseFrame(
              {
                type: "message_start",
                message: { id: event.id, type: "message", role: "assistant", model: event.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } }
              },
              "message_start"
            )
          ]
        case "text": {
          if (event.delta === "") return []
          const out = open?.kind === "text" ? [] : start("text", { type: "text", text: "" })
          out.push(delta(open!.block, { type: "text_delta", text: event.delta }))
          return out
        }
        case "tool_call_start":
          return start("tool", { type: "tool_use", id: event.id, name: event.name, input: {} }, event.index)
        case "tool_call_delta": {
          // Deltas of a call whose start never came: open its block so the arguments are not lost.
          const out = blockOfTool.has(event.index) ? [] : start("tool", { type: "tool_use", id: "", name: "", input: {} }, event.index)
          out.push(delta(blockOfTool.get(event.index)!, { type: "input_json_delta", partial_json: event.argumentsDelta }))
          return out
        }
        case "finish":
          reason = event.reason
          usage = event.usage ?? usage
          return []
        case "usage":
          usage = event.usage
          return []
      }
    },
    end: () => {
      if (stopped) return []
      stopped = true
      return [
        ...close(),
        sseFrame(
          { type: "message_delta", delta: { stop_reason: encodeStopReason(reason), stop_sequence: null }, usage: encodeUsage(usage ?? { inputTokens: 0, outputTokens: 0 }) },
          "message_delta"
        ),
        sseFrame({ type: "message_stop" }, "message_stop")
      ]
    },
    error: (status, reason, message) => [sseFrame(errorBody(status, reason, message), "error")]
  }
}
