import * as Schema from "effect/Schema"
import { ExplainedError } from "../domain/Errors.js"

/** Why the gateway did not start listening (§8.2): a bad bind or port, a network bind without a token, a busy port. */
export class GatewayStartError extends ExplainedError("GatewayStartError", {
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

const UnresolvedRef = Schema.Struct({ location: Schema.String, path: Schema.String, ref: Schema.String, reason: Schema.String })

/**
 * The gateway did not start because a secret reference it needs did not resolve (§9: fail fast, before anything
 * is served). Names each ref by where it is and why, never a value.
 */
export class GatewaySecretsError extends ExplainedError("GatewaySecretsError", {
  /** Never empty. */
  unresolved: Schema.Array(UnresolvedRef),
  /** `<state>/.env`, where OPENCLAW_GATEWAY_TOKEN can go instead of a token ref. */
  stateEnvPath: Schema.String
}) {
  get problem(): string {
    const first = this.unresolved[0]
    return first !== undefined && this.unresolved.length === 1
      ? `The gateway did not start: the secret reference at ${first.location} (${first.ref}) did not resolve: ${first.reason}`
      : `The gateway did not start: ${this.unresolved.length} secret references it needs did not resolve: ${this.unresolved.map((u) => `${u.location} (${u.ref}): ${u.reason}`).join("; ")}`
  }
  get fix(): string {
    const token = this.unresolved.some((u) => u.path === "gateway.auth.token")
      ? `; for the gateway token, OPENCLAW_GATEWAY_TOKEN in ${this.stateEnvPath} wins over the ref`
      : ""
    return `make the reference resolvable (its secrets provider running and the secret present; \`openclaw secrets audit --allow-exec\` checks every ref) or point the field at another secret, then start the gateway again${token}`
  }
}
