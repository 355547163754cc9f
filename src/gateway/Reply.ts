import type * as Stream from "effect/Stream"
import { errorBody } from "./OpenAiWire.js"

/** What a route answers, before the HTTP edge (./Http.ts) turns it into a response. */
export type GatewayReply =
  | {
      readonly _tag: "json"
      readonly status: number
      readonly body: unknown
      readonly headers?: Readonly<Record<string, string>>
    }
  /** A provider's own answer, its bytes unchanged (§8.4). */
  | {
      readonly _tag: "raw"
      readonly status: number
      readonly contentType: string
      readonly body: Uint8Array
      readonly headers?: Readonly<Record<string, string>>
    }
  /** SSE: frames the gateway wrote, or a same-shape provider's own bytes as they arrive. */
  | { readonly _tag: "sse"; readonly events: Stream.Stream<string | Uint8Array>; readonly headers?: Readonly<Record<string, string>> }

/** An error in OpenAI's shape, the gateway's own routes' default. */
export const jsonError = (status: number, message: string, type: string, code: string | null = type, headers?: Record<string, string>): GatewayReply => ({
  _tag: "json",
  status,
  body: errorBody(message, type, code),
  ...(headers ? { headers } : {})
})
