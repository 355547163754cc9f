import * as Schema from "effect/Schema"
import { ExplainedError } from "../../domain/Errors.js"

/**
 * `openclaw secrets reload` did not get a new snapshot swapped in: no gateway answered, it refused our token, or it
 * kept its old snapshot (a needed ref does not resolve). Never quotes a secret: the gateway's answers hold none.
 */
export class SecretsReloadError extends ExplainedError("SecretsReloadError", {
  kind: Schema.Literal("not-running", "unreachable", "token-unresolved", "refused", "kept-old", "bad-answer"),
  /** The gateway's base URL. */
  url: Schema.String,
  /** What was said: the network error's code, the gateway's message, the ref's reason … */
  detail: Schema.String,
  /** The config file (where the port and token are configured). */
  configPath: Schema.String
}) {
  get problem(): string {
    switch (this.kind) {
      case "not-running":
        return `No gateway is running at ${this.url} (${this.detail})`
      case "unreachable":
        return `Cannot reach the gateway at ${this.url} (${this.detail})`
      case "token-unresolved":
        return `The gateway token (gateway.auth.token in ${this.configPath}) is a secret reference that did not resolve here: ${this.detail}`
      case "refused":
        return `The gateway at ${this.url} refused the request: ${this.detail}`
      case "kept-old":
        return `The gateway at ${this.url} kept serving its old secrets: ${this.detail}`
      case "bad-answer":
        return `The gateway at ${this.url} did not answer as expected (${this.detail})`
    }
  }
  get fix(): string {
    switch (this.kind) {
      case "not-running":
        return `start it with \`openclaw gateway\` (or, if it runs on another port than gateway.port in ${this.configPath}, pass --port)`
      case "unreachable":
        return "check that the gateway is running and that --port (or gateway.port) is its port"
      case "token-unresolved":
        return "make the reference resolvable, or set OPENCLAW_GATEWAY_TOKEN to the gateway's token for this command"
      case "refused":
        return `use the gateway's token: gateway.auth.token in ${this.configPath}, or OPENCLAW_GATEWAY_TOKEN as the gateway sees it`
      case "kept-old":
        return "make the reference resolvable (its secrets provider running and the secret present), then run `openclaw secrets reload` again"
      case "bad-answer":
        return "is it an older openclaw gateway? Restart it with this version (`openclaw gateway`), or reload it with SIGHUP"
    }
  }
}
