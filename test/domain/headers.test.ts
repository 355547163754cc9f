import { describe, expect, it } from "@effect/vitest"
import { putHeader, putHeaders } from "../../src/domain/Headers.js"

describe("header objects built by hand (domain/Headers, issue 16)", () => {
  it("copies as a spread would: own entries, later ones winning, names lower-cased when asked", () => {
    const headers: Record<string, string | number> = { accept: "application/json" }
    putHeaders(headers, { Accept: "text/plain", "X-Team": "core" }, true)
    putHeaders(headers, undefined)
    headers["content-length"] = 12
    expect(headers).toEqual({ ...{ accept: "application/json" }, ...{ accept: "text/plain", "x-team": "core" }, "content-length": 12 })
    expect(Object.keys(headers)).toEqual(["accept", "x-team", "content-length"])
  })

  it("a header named __proto__ is an own header, never the object's prototype", () => {
    const configured = JSON.parse('{"__proto__": "value", "x-ok": "1"}') as Record<string, string>
    const headers: Record<string, string | number> = {}
    putHeaders(headers, configured)
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype)
    expect(Object.keys(headers)).toEqual(["__proto__", "x-ok"])
    expect(Object.getOwnPropertyDescriptor(headers, "__proto__")?.value).toBe("value")
    putHeader(headers, "__proto__", "again")
    expect(Object.getOwnPropertyDescriptor(headers, "__proto__")?.value).toBe("again")
  })
})
