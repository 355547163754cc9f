import * as Schema from "effect/Schema"
import { ExplainedError } from "../domain/Errors.js"

/** Why the gateway did not start listening (§8.2): a bad bind or port, a network bind without a token, a busy port. */
export class GatewayStartError extends ExplainedError<GatewayStartError>()("GatewayStartError", {
  kind: Schema.Literal("bind", "port", "no-token", "listen"),
  /** The bind or port asked for, as given; for `listen`, the `host:port`. */
  value: Schema.String,
  /** The config file: where the bind or port came from (absent when it was a flag), or where a token can go. */
  configPath: Schema.optional(Schema.String),
  /** `<state>/.env`, where OPENCLAW_GATEWAY_TOKEN can go (`no-token`). */
  stateEnvPath: Schema.optional(Schema.String),
  /** The listen error's code, e.g. EADDRINUSE. */
  code: Schema.optional(Schema.String)
}) {
  get problem(): string {
    switch (this.kind) {
      case "bind":
        return `Unknown bind "${this.value}"${this.configPath === undefined ? "" : ` (gateway.bind in ${this.configPath})`}`
      case "port":
        return `Invalid port ${this.value}${this.configPath === undefined ? "" : ` (gateway.port in ${this.configPath})`}`
      case "no-token":
        return "Refusing to listen on the network (--bind lan, 0.0.0.0) without a gateway token: anyone who can reach this machine could spend your provider credits"
      case "listen":
        return `Cannot listen on ${this.value}${this.code === undefined ? "" : ` (${this.code === "EADDRINUSE" ? "the port is in use" : this.code})`}`
    }
  }
  get fix(): string {
    switch (this.kind) {
      case "bind":
        return "use --bind loopback (127.0.0.1, this machine only) or --bind lan (0.0.0.0, needs a gateway token)"
      case "port":
        return "pass --port with a number from 1 to 65535"
      case "no-token":
        return `set OPENCLAW_GATEWAY_TOKEN in ${this.stateEnvPath} (for example \`echo "OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)" >> ${this.stateEnvPath}\`) or gateway.auth.token in ${this.configPath}, or use --bind loopback`
      case "listen":
        return this.code === "EADDRINUSE" ? "stop the other process (another gateway?) or pass --port" : "pick another --port or --bind"
    }
  }
}
