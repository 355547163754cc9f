/**
 * Every string of a parsed JSON value, keys too, and each one lower-cased when that differs: the text a client
 * sent as the gateway's code sees it after decoding (a JSON escape spells the same text differently) and after the
 * lower-casing ids get (provider names). Iterative: the depth of a parsed request is already bounded.
 */
export const jsonStrings = (value: unknown): Array<string> => {
  const out: Array<string> = []
  const add = (s: string) => {
    out.push(s)
    const lower = s.toLowerCase()
    if (lower !== s) out.push(lower)
  }
  const stack: Array<unknown> = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === "string") add(v)
    else if (Array.isArray(v)) for (const x of v) stack.push(x)
    else if (typeof v === "object" && v !== null) {
      for (const k in v) {
        add(k)
        stack.push((v as Record<string, unknown>)[k])
      }
    }
  }
  return out
}
