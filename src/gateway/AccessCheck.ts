import * as Redacted from "effect/Redacted"
import type { IncomingMessage } from "node:http"
import { bearerToken, isJsonMediaType, isLoopbackHost, isLoopbackOrigin, tokenMatches } from "./Access.js"
import { anthropicError } from "./AnthropicWire.js"
import { requestHeader as header } from "./Headers.js"
import type { Bind } from "./Options.js"
import { type GatewayReply, jsonError } from "./Reply.js"
import type { GatewaySnapshot } from "./Snapshot.js"

/**
 * The gateway's own refusals, before a request is routed (§8.2): access — Origin, media type, encoding, token — and
 * the shape an error the gateway writes itself takes on a route (OpenAI's, or Anthropic's on /v1/messages).
 */

export interface Refusal {
  readonly status: number
  readonly message: string
  readonly type: string
  readonly code: string
  readonly headers?: Record<string, string>
}

/** Why a request is refused before it is routed; `warning` goes to the log. */
export interface Denied {
  readonly refusal: Refusal
  readonly warning?: string
}

export const refuse = (status: number, message: string, type: string, code: string = type, headers?: Record<string, string>): Refusal => ({
  status,
  message,
  type,
  code,
  ...(headers ? { headers } : {})
})

export const isMessagesPath = (path: string): boolean => path === "/v1/messages" || path === "/v1/messages/count_tokens"

export const shaped = (path: string, r: Refusal): GatewayReply =>
  isMessagesPath(path) ? anthropicError(r.status, r.message, r.code, r.headers) : jsonError(r.status, r.message, r.type, r.code, r.headers)

/**
 * §8.2: undefined when the request may go on, else the refusal (and what the log should say about it), or
 * `wrong-token` for the limiter to decide. Synchronous: the fiber's path and the lane (./Lane.ts) both ask it.
 */
export const checkAccess = (
  bind: Bind,
  request: IncomingMessage,
  path: string,
  snapshot: GatewaySnapshot,
  address: string
): Denied | "wrong-token" | undefined => {
  const origin = header(request, "origin")
  if (origin !== undefined && !isLoopbackOrigin(origin)) {
    return {
      refusal: refuse(403, "Requests from web pages are refused: the gateway is for programs on this machine or your network, not for browsers. Fix: call it from a server-side client (no Origin header).", "forbidden", "origin_not_allowed"),
      warning: `refused a request with Origin ${JSON.stringify(origin.slice(0, 200))} from ${address}`
    }
  }
  if (request.method === "POST" && !isJsonMediaType(header(request, "content-type"))) {
    return { refusal: refuse(415, "Send the request body as Content-Type: application/json.", "invalid_request_error", "unsupported_media_type") }
  }
  // A compressed body would read as bytes that are not UTF-8: say what is wrong instead.
  const encoding = header(request, "content-encoding")?.trim().toLowerCase()
  if (request.method === "POST" && encoding !== undefined && encoding !== "" && encoding !== "identity") {
    const refusal = refuse(415, "Send the request body uncompressed (no Content-Encoding); the gateway does not decompress request bodies.", "invalid_request_error", "unsupported_content_encoding", { "accept-encoding": "identity" })
    return { refusal }
  }
  const expected = snapshot.access.token
  if (expected === undefined) {
    if (bind !== "loopback") {
      return { refusal: refuse(503, "The gateway has no token configured and refuses requests while bound beyond loopback. Fix: set gateway.auth.token in the config or OPENCLAW_GATEWAY_TOKEN in <state>/.env.", "gateway_token_missing") }
    }
    // Open on loopback: only this machine's own clients, not a web page that resolved a name to 127.0.0.1.
    if (!isLoopbackHost(header(request, "host"))) {
      return { refusal: refuse(403, "Without a gateway token only requests addressed to 127.0.0.1 or localhost are served. Fix: configure gateway.auth.token and send it as a bearer token.", "forbidden", "host_not_allowed") }
    }
    return undefined
  }
  // Anthropic clients send their key as `x-api-key` (ANTHROPIC_API_KEY); ANTHROPIC_AUTH_TOKEN goes as a bearer.
  // The SDK sends both when both are set, one of them for something else: either may carry the token.
  const bearer = bearerToken(header(request, "authorization"))
  const apiKey = isMessagesPath(path) ? header(request, "x-api-key")?.trim() || undefined : undefined
  if (bearer === undefined && apiKey === undefined) {
    const how = isMessagesPath(path) ? "`x-api-key: <token>` or `Authorization: Bearer <token>`" : "`Authorization: Bearer <token>`"
    return { refusal: refuse(401, `This gateway needs ${how} (gateway.auth.token or OPENCLAW_GATEWAY_TOKEN).`, "authentication_error", "missing_gateway_token", { "www-authenticate": "Bearer" }) }
  }
  // The right token is never refused: every local client shares 127.0.0.1, and one script with a stale token
  // must not lock the others out. Only wrong guesses are counted, and only they are blocked.
  const token = Redacted.value(expected)
  const right = (bearer !== undefined && tokenMatches(token, bearer)) || (apiKey !== undefined && tokenMatches(token, apiKey))
  return right ? undefined : "wrong-token"
}

