import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ExplainedError } from "../domain/Errors.js"
import { HostProcess } from "./HostProcess.js"
import { serviceLayer } from "./LayerInOrder.js"

/** Why the login-shell import did not happen; it is a warning, never fatal (§4.1 step 5). */
export class ShellEnvError extends ExplainedError("ShellEnvError", {
  shell: Schema.String,
  kind: Schema.Literal("timeout", "spawn", "exit"),
  timeoutMs: Schema.optional(Schema.Number),
  /** Null when the shell was killed by a signal. */
  exitCode: Schema.optional(Schema.NullOr(Schema.Number)),
  /** The spawn error's text. */
  detail: Schema.optional(Schema.String)
}) {
  /** The short reason `models status` shows in its warning and its JSON. */
  get reason(): string {
    switch (this.kind) {
      case "timeout":
        return `${this.shell} -l did not finish within ${this.timeoutMs} ms`
      case "spawn":
        return `${this.shell}: ${this.detail}`
      case "exit":
        return `${this.shell} -l -c 'env -0' exited with code ${this.exitCode}`
    }
  }
  get problem(): string {
    return `Login-shell import failed (${this.reason})`
  }
  get fix(): string {
    return this.kind === "timeout"
      ? "raise env.shellEnv.timeoutMs (or OPENCLAW_SHELL_ENV_TIMEOUT_MS), or put the keys in openclaw's .env instead"
      : "put the keys in openclaw's .env instead of your shell profile"
  }
}

/** The environment a login shell would give the user: what a daemon started by systemd/launchd lacks. */
export interface ShellEnvShape {
  readonly load: (timeoutMs: number) => Effect.Effect<Readonly<Record<string, string>>, ShellEnvError>
}

export class ShellEnv extends Context.Tag("openclaw/ShellEnv")<ShellEnv, ShellEnvShape>() {
  static readonly layer = serviceLayer(
    ShellEnv,
    Effect.map(HostProcess, (host) => makeShellEnv(host.vars, "/etc/shells"))
  )
}

/** `$SHELL` only when `shellsFile` lists it (a user-controlled path must not pick what we execute), else /bin/sh. */
const pickShell = async (vars: Readonly<Record<string, string | undefined>>, shellsFile: string): Promise<string> => {
  const wanted = vars.SHELL
  if (!wanted) return "/bin/sh"
  // Loaded here, not with the module: only an enabled shell-env import reads it (./NodeFs.ts says why).
  const { readFile } = await import("node:fs/promises")
  const listed = await readFile(shellsFile, "utf8").then(
    (text) => text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")),
    () => [] as Array<string>
  )
  return listed.includes(wanted) ? wanted : "/bin/sh"
}

/** The live adapter over `vars`; `shellsFile` lists the shells `$SHELL` may name (/etc/shells). */
export const makeShellEnv = (vars: Readonly<Record<string, string | undefined>>, shellsFile: string): ShellEnvShape => ({
  load: (timeoutMs) =>
    Effect.flatMap(
      // node:child_process is loaded only when a login shell is actually run (it costs every start-up otherwise).
      Effect.promise(() => Promise.all([pickShell(vars, shellsFile), import("node:child_process")])),
      ([shell, { spawn }]) =>
        Effect.async<Readonly<Record<string, string>>, ShellEnvError>((resume) => {
          // Its own process group, so a timeout kills whatever the profile scripts started too.
          const child = spawn(shell, ["-l", "-c", "env -0"], {
            env: vars as NodeJS.ProcessEnv,
            stdio: ["ignore", "pipe", "ignore"],
            detached: true
          })
          const chunks: Array<Buffer> = []
          let done = false
          const finish = (result: Effect.Effect<Readonly<Record<string, string>>, ShellEnvError>) => {
            if (done) return
            done = true
            clearTimeout(timer)
            resume(result)
          }
          const kill = () => {
            try {
              process.kill(-child.pid!, "SIGKILL")
            } catch {
              child.kill("SIGKILL")
            }
          }
          const timer = setTimeout(() => {
            kill()
            finish(Effect.fail(new ShellEnvError({ shell, kind: "timeout", timeoutMs })))
          }, timeoutMs)
          child.stdout.on("data", (c: Buffer) => chunks.push(c))
          child.on("error", (e) => finish(Effect.fail(new ShellEnvError({ shell, kind: "spawn", detail: e.message }))))
          child.on("close", (code) =>
            code === 0
              ? finish(Effect.succeed(parseEnvZero(Buffer.concat(chunks).toString("utf8"))))
              : finish(Effect.fail(new ShellEnvError({ shell, kind: "exit", exitCode: code })))
          )
          return Effect.sync(() => {
            if (!done) kill()
            done = true
            clearTimeout(timer)
          })
        })
    )
})

/** `env -0` output: NUL-separated `NAME=value` entries; values may contain newlines. */
export const parseEnvZero = (text: string): Record<string, string> => {
  const vars: Record<string, string> = {}
  for (const entry of text.split("\0")) {
    const eq = entry.indexOf("=")
    if (eq > 0) vars[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  return vars
}
