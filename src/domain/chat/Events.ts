/** A whole answer as the events of a stream, and a stream's events gathered into the answer. */
import type { ChatAnswer, Part, StreamEvent, ToolCall, Usage } from "./Model.js"

/** A server that ignores `stream: true` answers with one body: its answer replayed as a stream. */
export const answerEvents = (answer: ChatAnswer): ReadonlyArray<StreamEvent> => {
  const events: Array<StreamEvent> = [{ type: "start", id: answer.id, model: answer.model, ...(answer.created === undefined ? {} : { created: answer.created }) }]
  for (const p of answer.parts) if (p.type === "text" && p.text !== "") events.push({ type: "text", delta: p.text })
  for (const [index, c] of answer.toolCalls.entries()) {
    events.push({ type: "tool_call_start", index, id: c.id, name: c.name })
    if (c.arguments !== "") events.push({ type: "tool_call_delta", index, argumentsDelta: c.arguments })
  }
  events.push({ type: "finish", reason: answer.finishReason, usage: answer.usage })
  return events
}

/** The events of one stream, gathered: text joined, each tool call's argument pieces joined in order. */
export const collectAnswer = (events: Iterable<StreamEvent>): ChatAnswer => {
  let id = ""
  let model = ""
  let created: number | undefined
  let text = ""
  let usage: Usage | undefined
  let finishReason: ChatAnswer["finishReason"] = "stop"
  const calls = new Map<number, { id: string; name: string; arguments: string }>()
  for (const e of events) {
    switch (e.type) {
      case "start":
        id = e.id
        model = e.model
        created = e.created
        break
      case "text":
        text += e.delta
        break
      case "tool_call_start":
        calls.set(e.index, { id: e.id, name: e.name, arguments: calls.get(e.index)?.arguments ?? "" })
        break
      case "tool_call_delta": {
        const call = calls.get(e.index) ?? { id: "", name: "", arguments: "" }
        call.arguments += e.argumentsDelta
        calls.set(e.index, call)
        break
      }
      case "finish":
        finishReason = e.reason
        usage = e.usage ?? usage
        break
      case "usage":
        usage = e.usage
    }
  }
  const parts: ReadonlyArray<Part> = text === "" ? [] : [{ type: "text", text }]
  const toolCalls: ReadonlyArray<ToolCall> = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c)
  return { id, model, parts, toolCalls, finishReason, usage: usage ?? { inputTokens: 0, outputTokens: 0 }, ...(created === undefined ? {} : { created }) }
}
