/**
 * Header objects built by hand on the gateway's hot path. Not `{ ...configured, name: value }`: written out by the
 * build (scripts/build.mjs) a literal spread becomes `Object.defineProperties` over property descriptors, whose objects
 * V8 then keeps as dictionaries (the hot path built so: 166 → 153 µs CPU per whole answer at 16 clients; bench/README.md,
 * sixteenth round).
 */

/** Sets `name` on `into` as its own property, even `__proto__` (which a plain assignment would take for the prototype). */
export const putHeader = (into: Record<string, string | number>, name: string, value: string | number): void => {
  if (name === "__proto__") Object.defineProperty(into, name, { value, enumerable: true, writable: true, configurable: true })
  else into[name] = value
}

/** Copies `from`'s own entries onto `into` (names lower-cased when asked), later ones winning as in a spread. */
export const putHeaders = (into: Record<string, string | number>, from: Readonly<Record<string, string | number>> | undefined, lowerCase = false): void => {
  if (from === undefined) return
  for (const name of Object.keys(from)) putHeader(into, lowerCase ? name.toLowerCase() : name, from[name]!)
}
