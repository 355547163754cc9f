import { describe, expect, it } from "@effect/vitest"
import { InFlight } from "../../src/gateway/InFlight.js"

const values = <A>(list: InFlight<A>): Array<A> => {
  const out: Array<A> = []
  list.forEach((v) => out.push(v))
  return out
}

describe("InFlight: the requests a server is serving, without a hash table (issue 16)", () => {
  it("entries join and leave in any order; the size is what the drain waits on", () => {
    const list = new InFlight<string>()
    const [a, b, c] = ["a", "b", "c"].map((v) => list.add(v))
    expect(list.size).toBe(3)
    expect(values(list)).toEqual(["c", "b", "a"])
    expect(list.remove(b!)).toBe(true) // the middle
    expect(values(list)).toEqual(["c", "a"])
    expect(list.remove(c!)).toBe(true) // the head
    expect(list.remove(a!)).toBe(true) // the last
    expect(list.size).toBe(0)
    expect(values(list)).toEqual([])
  })

  it("leaving twice, or leaving another list, changes nothing; a leaver lets go of its neighbours", () => {
    const list = new InFlight<number>()
    const other = new InFlight<number>()
    const one = list.add(1)
    const two = list.add(2)
    const stranger = other.add(3)
    other.add(4) // the stranger is no longer its list's head
    expect(list.remove(one)).toBe(true)
    expect(list.remove(one)).toBe(false)
    expect(list.remove(stranger)).toBe(false)
    expect(list.size).toBe(1)
    expect(other.size).toBe(2)
    expect(values(other)).toEqual([4, 3])
    expect([one.prev, one.next]).toEqual([undefined, undefined])
    expect(two.next).toBeUndefined()
  })

  it("forEach visits each entry present when it began, even as they leave (a connection closing ends all its requests)", () => {
    const list = new InFlight<() => void>()
    const seen: Array<string> = []
    const entries = ["x", "y", "z"].map((name) => {
      const entry: ReturnType<typeof list.add> = list.add(() => {
        seen.push(name)
        list.remove(entry)
      })
      return entry
    })
    list.forEach((f) => f())
    expect(seen).toEqual(["z", "y", "x"])
    expect(list.size).toBe(0)
    expect(entries.every((e) => !list.remove(e))).toBe(true)
  })
})
