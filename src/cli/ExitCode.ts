import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"

/** The process exit code a command asks for without failing (`models status --check` → 2). */
export class ExitCode extends Context.Tag("openclaw/ExitCode")<ExitCode, Ref.Ref<number>>() {
  static readonly layer = Layer.effect(ExitCode, Ref.make(0))
}
