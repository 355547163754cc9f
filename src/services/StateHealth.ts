import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { serviceLayer } from "./LayerInOrder.js"

export type StateBackendName = "file" | "redis"

export interface StateHealthReport {
  readonly backend: StateBackendName
  /** Shared state unreachable: serving from this host's files meanwhile (§10). */
  readonly degraded: boolean
  readonly reason?: string
}

/** Whether the shared state (§10) is reachable; the file backend always is. */
export class StateHealth extends Context.Tag("openclaw/StateHealth")<StateHealth, { readonly current: Effect.Effect<StateHealthReport> }>() {
  static readonly file = serviceLayer(StateHealth, Effect.succeed({ current: Effect.succeed<StateHealthReport>({ backend: "file", degraded: false }) }))
}
