import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as os from "node:os"

/** The few facts about the running process the programs need; `process` itself stays at the edge. */
export interface HostProcessShape {
  readonly vars: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly osHome: string
  readonly stdoutIsTTY: boolean
  /** Where progress goes: only a terminal gets it (§6), never a pipe or a log file. */
  readonly stderrIsTTY: boolean
  readonly stdinIsTTY: boolean
  readonly platform: NodeJS.Platform
}

export class HostProcess extends Context.Tag("openclaw/HostProcess")<HostProcess, HostProcessShape>() {
  static readonly layer = Layer.sync(HostProcess, () => ({
    vars: { ...process.env },
    cwd: process.cwd(),
    osHome: os.homedir(),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    platform: process.platform
  }))
}
