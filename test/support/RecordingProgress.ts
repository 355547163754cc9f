import type { ProgressShape } from "../../src/services/Progress.js"

/** Records each progress line a command would show on a terminal, and whether it was still (not animated). */
export class RecordingProgress {
  readonly lines: Array<{ readonly label: string; readonly still: boolean }> = []
  get labels(): ReadonlyArray<string> {
    return this.lines.map((l) => l.label)
  }
  readonly shape: ProgressShape = {
    during: (label, effect, options) => {
      this.lines.push({ label, still: options?.still === true })
      return effect
    }
  }
}
