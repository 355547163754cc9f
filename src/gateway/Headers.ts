/**
 * Response header values from data the gateway did not write itself (model ids, profile ids: from sessions.json,
 * the config, a client). node:http throws on a control or non-Latin-1 character in a header, which would turn a
 * served answer into a 500; such characters (and `%`, so the encoding stays reversible) are percent-encoded.
 */
export const headerValue = (text: string): string =>
  /^[\x20-\x24\x26-\x7e]*$/.test(text) ? text : text.replace(/[^\x20-\x24\x26-\x7e]/gu, encodeURIComponent)
