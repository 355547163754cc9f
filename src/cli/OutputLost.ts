import { errnoCode } from "../domain/Errors.js"

/** Why a command's stdout did not take its output, said to the user; `undefined` when nothing was lost that matters. */

const WHY: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large for this file system or process limit",
  EIO: "an input/output error",
  EBADF: "stdout is not open for writing",
  EROFS: "read-only file system"
}

/**
 * The one line for output that was lost, from stdout's write error. A reader that went away (EPIPE: `| head -1`)
 * took what it wanted, which is not a failure, as for any Unix tool.
 */
export const outputLost = (error: unknown): string | undefined => {
  if (error === undefined || error === null) return undefined
  const code = errnoCode(error)
  if (code === "EPIPE") return undefined
  return `Cannot write the output to stdout: ${WHY[code] ?? `failed (${code})`}, so what was written is incomplete. Fix: make room (or send the output elsewhere) and run the command again.`
}
