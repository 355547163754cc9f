/** What the gateway is started with: shared by the listen plan, the HTTP app and the chat path (own module, so none imports another for a type). */

export type Bind = "loopback" | "lan"

export interface GatewayOptions {
  /** `--port`; else config `gateway.port`; else 18789. 0 picks a free port. */
  readonly port?: number | undefined
  /** `--bind`; else config `gateway.bind`; else loopback. */
  readonly bind?: string | undefined
  /** `--agent`: the agent `openclaw` and `openclaw/default` mean. */
  readonly agent?: string | undefined
  readonly version: string
  readonly reloadDebounceMs?: number | undefined
  /** How long a quiet watch of the stores spares the per-request stat (default 1 s; ./StoreChanges.ts). */
  readonly quietWatchTrustedMs?: number | undefined
  readonly drainTimeoutMs?: number | undefined
  /** How long a connection may take to send a request's headers (default 20 s): idle connections go after that. */
  readonly headersTimeoutMs?: number | undefined
  readonly sessionWriteDelayMs?: number | undefined
  readonly badTokenLimit?: { readonly limit?: number; readonly windowMs?: number } | undefined
  /** Provider deadlines: a whole answer, and the idle time between streamed reads (defaults: 300 s, 120 s). */
  readonly providerTimeouts?: ProviderTimeouts | undefined
}

export interface ProviderTimeouts {
  readonly completeMs: number
  readonly streamIdleMs: number
}
