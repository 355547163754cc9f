/**
 * The stages of a locked atomic write (services/FileLock.ts, services/Files.ts) as another process sees them: the
 * lock directory `<file>.lock` appears, the temp file `.<name>.<pid>.<hex>.tmp` appears, the temp is renamed over
 * the file ("landed"). A crash test that kills a writer from these callbacks kills it at that stage (on a busy
 * machine, a little after it) however fast the machine is, instead of hoping a random delay lands there.
 */
import { watch } from "node:fs"
import * as path from "node:path"

export type WriteStage = "lock" | "temp" | "landed"

const TEMP = /^\..+\.\d+\.[0-9a-f]+\.tmp$/

/**
 * Calls `onStage(stage, nth)` for the nth lock, temp file and landing of a write to any of `files` (each lock and
 * temp file counted once, when it appears). Returns a function that stops watching.
 */
export const watchWriteStages = (files: ReadonlyArray<string>, onStage: (stage: WriteStage, nth: number) => void): (() => void) => {
  const targets = new Set(files.map((f) => path.basename(f)))
  const seen = new Set<string>()
  const counts: Record<WriteStage, number> = { lock: 0, temp: 0, landed: 0 }
  const fire = (stage: WriteStage) => onStage(stage, ++counts[stage])
  const watchers = [...new Set(files.map((f) => path.dirname(f)))].map((dir) =>
    watch(dir, (event, name) => {
      if (typeof name !== "string") return
      if (name.endsWith(".lock") || TEMP.test(name)) {
        if (event === "rename" && !seen.has(name)) {
          seen.add(name)
          fire(name.endsWith(".lock") ? "lock" : "temp")
        }
      } else if (event === "rename" && targets.has(name)) fire("landed")
    })
  )
  for (const w of watchers) w.on("error", () => undefined)
  return () => {
    for (const w of watchers) w.close()
  }
}
