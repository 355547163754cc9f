/**
 * Response header values from data the gateway did not write itself (model ids, profile ids: from sessions.json,
 * the config, a client). node:http throws on a control or non-Latin-1 character in a header, which would turn a
 * served answer into a 500; such characters (and `%`, so the encoding stays reversible) are percent-encoded. A lone
 * surrogate (a client's `"\ud800"`) has no UTF-8 and would make encodeURIComponent throw: it is written as U+FFFD's.
 */
const encodeCodePoint = (c: string): string => (c.length === 1 && c >= "\ud800" && c <= "\udfff" ? "%EF%BF%BD" : encodeURIComponent(c))

export const headerValue = (text: string): string =>
  /^[\x20-\x24\x26-\x7e]*$/.test(text) ? text : text.replace(/[^\x20-\x24\x26-\x7e]/gu, encodeCodePoint)

/** A request header sent once (node joins or lists repeated ones): its value, else undefined. */
export const requestHeader = (request: { readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>> }, name: string): string | undefined => {
  const v = request.headers[name]
  return typeof v === "string" ? v : undefined
}
