import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as os from "node:os"
import { isatty } from "node:tty"
import { serviceLayer } from "./LayerInOrder.js"

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
  static readonly layer = serviceLayer(HostProcess, Effect.sync(() => ({
    vars: { ...process.env },
    cwd: process.cwd(),
    osHome: os.homedir(),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    // Asked of the descriptor: `process.stdin` would make a stream (and a socket for a pipe) most commands never read.
    stdinIsTTY: isatty(0),
    platform: process.platform
  })))
}
