import * as Context from "effect/Context"
import * as Ref from "effect/Ref"
import { serviceLayer } from "../services/LayerInOrder.js"

/** The process exit code a command asks for without failing (`models status --check` → 2). */
export class ExitCode extends Context.Tag("openclaw/ExitCode")<ExitCode, Ref.Ref<number>>() {
  static readonly layer = serviceLayer(ExitCode, Ref.make(0))
}
