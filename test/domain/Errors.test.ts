import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { ClaudeCliError, InvalidSecretError, ProfileProviderMismatchError, PromptCancelledError } from "../../src/domain/AuthErrors.js"
import { ProviderError } from "../../src/domain/Chat.js"
import { type Explained, FileError, FileParseError, FileShapeError, LockTimeoutError, messageOf, UsageError } from "../../src/domain/Errors.js"
import { ClaudeCodeImportError, OAuthLoginError, OAuthRefreshError } from "../../src/domain/OAuthErrors.js"
import { SecretOnCommandLineError } from "../../src/cli/CliError.js"
import { GatewayStartError } from "../../src/gateway/StartError.js"
import { ShellEnvError } from "../../src/services/ShellEnv.js"

// Messages as they were written out by hand before problem/fix were split: the split must not change a byte.
const cases: ReadonlyArray<readonly [Explained & { readonly message: string }, string]> = [
  [new FileError({ path: "/s/a.json", operation: "read", code: "EACCES" }), "Cannot read /s/a.json: permission denied. Fix: check its owner and mode with `ls -l /s/a.json` (openclaw keeps its files 0600 and directories 0700, owned by you)."],
  [new FileError({ path: "/s/a.json", operation: "write", code: "EWEIRD" }), "Cannot write /s/a.json: failed (EWEIRD). Fix: check the path and its permissions."],
  [new FileParseError({ path: "/s/a.json", format: "JSON", detail: "property name expected", line: 3, column: 7 }), "/s/a.json:3:7: invalid JSON: property name expected. Fix: correct the file by hand or restore it from a backup; openclaw never overwrites a file it cannot parse."],
  [new FileShapeError({ path: "/s/a.json", detail: "profiles must be an object" }), "/s/a.json: profiles must be an object. Fix: correct that field by hand; openclaw left the file unchanged."],
  [new LockTimeoutError({ path: "/s/a.json", waitedMs: 10_400 }), "Timed out after 10s waiting for the lock on /s/a.json: another openclaw process is writing it. Fix: try again; if no openclaw process is running, remove /s/a.json.lock."],
  [new UsageError({ problem: "No good", fix: "do better" }), "No good. Fix: do better."],
  [new ProfileProviderMismatchError({ profileId: "openai:default", actual: "openai", expected: "anthropic" }), 'Auth profile "openai:default" is for openai, not anthropic.'],
  [new InvalidSecretError({ kind: "token", detail: "too short" }), "Invalid token: too short. Nothing was stored."],
  [new PromptCancelledError(), "Cancelled; nothing was stored."],
  [new ClaudeCliError({ reason: "cancelled" }), "Cancelled; nothing was stored."],
  [new ClaudeCliError({ reason: "failed", exitCode: 3 }), "`claude setup-token` exited with code 3; nothing was stored. Fix: run `claude setup-token` by hand to see what went wrong."],
  [new OAuthRefreshError({ provider: "openai", profileId: "openai:me", reason: "invalid_grant" }), "OAuth token refresh failed for openai: invalid_grant. Please try again or re-authenticate. Profile: openai:me; the stored credential was left as it was. Fix: run `openclaw models auth login --provider openai`."],
  [new OAuthLoginError({ provider: "openai", reason: "state-mismatch" }), "The redirect does not belong to this login (its state parameter does not match), so it was rejected; nothing was stored. It may be from an older attempt or forged. Fix: run `openclaw models auth login --provider openai` again and use the newest link."],
  [new ClaudeCodeImportError({ path: "/h/.claude/.credentials.json", detail: "no such file", platform: "darwin" }), "Cannot import Claude Code's credentials from /h/.claude/.credentials.json: no such file; nothing was stored. Fix: sign in to Claude Code first (`claude login`, or /login inside `claude`), then run this again. On macOS Claude Code keeps its login in the Keychain instead, so there may be no file to import; use `openclaw models auth login --provider anthropic` there."],
  [new ClaudeCodeImportError({ path: "/h/.claude/.credentials.json", detail: "no such file", platform: "linux" }), "Cannot import Claude Code's credentials from /h/.claude/.credentials.json: no such file; nothing was stored. Fix: sign in to Claude Code first (`claude login`, or /login inside `claude`), then run this again."],
  [new GatewayStartError({ kind: "bind", value: "wan", configPath: "/s/openclaw.json" }), 'Unknown bind "wan" (gateway.bind in /s/openclaw.json). Fix: use --bind loopback (127.0.0.1, this machine only) or --bind lan (0.0.0.0, needs a gateway token).'],
  [new GatewayStartError({ kind: "listen", value: "127.0.0.1:18789", code: "EADDRINUSE" }), "Cannot listen on 127.0.0.1:18789 (the port is in use). Fix: stop the other process (another gateway?) or pass --port."],
  [new SecretOnCommandLineError({ masked: "sk-ant-…AK01" }), "a secret (sk-ant-…AK01) was given on the command line, where shell history and `ps` can see it; nothing was done. Fix: pipe it on standard input (e.g. `pbpaste | openclaw models auth paste-api-key --provider <p>`) or run the command in a terminal to be prompted, and consider rotating that secret."]
]

describe("errors: problem and fix, one message", () => {
  it("every message is messageOf(problem, fix) and reads as before", () => {
    for (const [error, message] of cases) {
      expect(error.message).toBe(message)
      expect(error.message).toBe(messageOf(error))
      expect(error.problem.endsWith("."), error.problem).toBe(false)
    }
  })

  it("structured errors keep what callers match on", () => {
    const shell = new ShellEnvError({ shell: "/bin/zsh", kind: "timeout", timeoutMs: 15000 })
    expect(shell._tag).toBe("ShellEnvError")
    expect(shell.reason).toBe("/bin/zsh -l did not finish within 15000 ms")
    expect(new ProviderError({ provider: "anthropic", kind: "http", status: 529, detail: "Overloaded." }).problem).toBe(
      "anthropic request failed (HTTP 529): Overloaded"
    )
  })

  it.effect("they are still yieldable tagged errors", () =>
    Effect.gen(function* () {
      const caught = yield* Effect.catchTag(new FileError({ path: "/x", operation: "stat", code: "ELOOP" }), "FileError", (e) => Effect.succeed(e.fix))
      expect(caught).toBe("fix the symlink at /x")
    })
  )
})
