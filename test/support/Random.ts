/** A seeded PRNG and fake secret bodies, so a failing crash or leak run can be replayed exactly. */

/** mulberry32: tiny and good enough for test schedules. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A FAKE secret body of `length` characters from [A-Za-z0-9], deterministic for a given PRNG. */
export const fakeBody = (rand: () => number, length: number): string => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  let s = ""
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)]
  return s
}
