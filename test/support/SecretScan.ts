/**
 * The one secret-leak checker of the tests: a secret leaks when the whole of it, or any `n` consecutive characters
 * of its secret part (what follows the public prefix a mask may show), appear in a text.
 */

/** Prefixes a mask may show, longest first. */
const PUBLIC_PREFIXES = ["sk-ant-api03-", "sk-ant-oat01-", "sk-ant-ort01-", "sk-ant-xyz99-", "sk-or-v1-", "sk-proj-", "gsk_", "xai-", "local-", "gw-", "AIza", "sk-"]

/** What follows the public prefix. */
export const secretPart = (secret: string): string => secret.slice((PUBLIC_PREFIXES.find((p) => secret.startsWith(p)) ?? "").length)

/** Every `n`-character window of `s`. */
export const windows = (s: string, n: number): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i + n <= s.length; i++) out.push(s.slice(i, i + n))
  return out
}

/** The first `n`-character window of `s` (prefix included) found in `text`, if any. */
export const findWindow = (text: string, s: string, n: number): string | undefined => windows(s, n).find((w) => text.includes(w))

/** The piece of `secret` that `text` shows: the whole secret, or an `n`-character window of its secret part. */
export const findLeak = (text: string, secret: string, n = 12): string | undefined =>
  text.includes(secret) ? secret : findWindow(text, secretPart(secret), n)

/** A text to scan and where it came from. */
export interface Output {
  readonly label: string
  readonly text: string
}

/** The stdout and stderr of runs, labelled by their arguments. */
export const outputsOf = (runs: ReadonlyArray<{ readonly args: ReadonlyArray<string>; readonly stdout: string; readonly stderr: string }>): Array<Output> =>
  runs.flatMap((r) => [
    { label: `stdout of openclaw ${r.args.join(" ")}`, text: r.stdout },
    { label: `stderr of openclaw ${r.args.join(" ")}`, text: r.stderr }
  ])

/** Throws, naming the output but not the piece, when any output shows a piece of any secret. */
export const expectNoLeak = (outputs: ReadonlyArray<Output>, secrets: ReadonlyArray<string>, n = 12): void => {
  for (const o of outputs) {
    for (const s of secrets) {
      const piece = findLeak(o.text, s, n)
      if (piece !== undefined) throw new Error(`${piece === s ? "a secret" : `a ${n}-character piece of a secret`} appeared in the ${o.label}`)
    }
  }
}
