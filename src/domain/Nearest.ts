/** Levenshtein distance: how many one-character edits turn `a` into `b`. */
const editDistance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]!
}

/**
 * The name `typed` most likely meant ("did you mean"): the closest of `names` within a typo's reach (a third of the
 * name, at least one edit), or none. Ties go to the earlier name.
 */
export const nearest = (typed: string, names: Iterable<string>): string | undefined => {
  let best: { name: string; distance: number } | undefined
  for (const name of names) {
    const distance = editDistance(typed, name)
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (best === undefined || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}
