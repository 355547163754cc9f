/**
 * What a request target names (the edge, ./Http.ts): its path and query, read from the text in either form a client
 * may send, and what to say to a client that asked for an OpenAI API the gateway does not serve.
 */

/** The path of the request target: origin form (`/v1/…`), or absolute form (`http://host/v1/…`, RFC 9112 §3.2.2). */
export const pathOf = (url: string): string => {
  let from = 0
  if (url.charCodeAt(0) !== 47 && /^https?:\/\//i.test(url)) {
    const slash = url.indexOf("/", url.indexOf("//") + 2)
    if (slash === -1) return "/"
    from = slash
  }
  const q = url.indexOf("?", from)
  return q === -1 ? url.slice(from) : url.slice(from, q)
}

/**
 * The request target's query. Read from the text, as pathOf reads the path: `new URL` throws on an absolute-form
 * target it cannot parse (`http://[::1/v1/auth/status`), and nothing a client sends may end in a 500 (§8.6).
 */
export const queryOf = (url: string): URLSearchParams => {
  const q = url.indexOf("?")
  return new URLSearchParams(q === -1 ? "" : url.slice(q + 1))
}

/**
 * What a client that called another OpenAI API should use instead: the AI SDK's default OpenAI model and
 * LangChain's `useResponsesApi` call the Responses API, which has no route here.
 */
export const otherApiFix = (path: string): string =>
  path === "/v1/responses" || path.startsWith("/v1/responses/")
    ? " The gateway speaks Chat Completions (POST /v1/chat/completions) and Messages (POST /v1/messages), not the Responses API. Fix: call Chat Completions (AI SDK: openai.chat(\"openclaw\"); LangChain: useResponsesApi: false)."
    : path === "/v1/completions"
      ? " Fix: the gateway speaks Chat Completions; POST /v1/chat/completions."
      : ""
