/**
 * Test doubles of the app's ports (see AppPorts in src/services/AppLayer.ts), and the live ones with a test's
 * choices: a HostProcess from a few facts, the live login-shell adapter over another list of allowed shells.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ProviderError } from "../../src/domain/Chat.js"
import { OAuthHttpError } from "../../src/domain/OAuthErrors.js"
import type { BrowserShape } from "../../src/services/Browser.js"
import { HostProcess, type HostProcessShape } from "../../src/services/HostProcess.js"
import type { OAuthHttpShape } from "../../src/services/OAuthHttp.js"
import type { ProviderClientShape } from "../../src/services/ProviderClient.js"
import { makeShellEnv, ShellEnv, ShellEnvError, type ShellEnvShape } from "../../src/services/ShellEnv.js"

/** A process with these variables; the rest defaults to a non-interactive Linux user in /work. */
export const hostProcess = (shape: Partial<HostProcessShape> & Pick<HostProcessShape, "vars">) =>
  Layer.succeed(HostProcess, {
    cwd: "/work",
    osHome: "/home/user",
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    platform: "linux",
    ...shape
  })

/** The live login-shell adapter, allowing the shells listed in `shellsFile` (tests bring their own shell). */
export const shellEnvWithShellsFile = (shellsFile: string) =>
  Layer.effect(ShellEnv, Effect.map(HostProcess, (host) => makeShellEnv(host.vars, shellsFile)))

export const noOAuthServer: OAuthHttpShape = {
  requestToken: (r) => Effect.fail(new OAuthHttpError({ host: new URL(r.url).host, kind: "network", description: "no OAuth server in tests" }))
}

export const noBrowser: BrowserShape = { available: false, open: () => Effect.succeed(false) }

export const noProvider: ProviderClientShape = {
  complete: (target) => Effect.fail(new ProviderError({ provider: target.provider, kind: "network", detail: "no provider in tests" })),
  stream: (target) => Effect.fail(new ProviderError({ provider: target.provider, kind: "network", detail: "no provider in tests" })),
  forward: (target) => Effect.fail(new ProviderError({ provider: target.provider, kind: "network", detail: "no provider in tests" }))
}

export const noLoginShell: ShellEnvShape = { load: () => Effect.fail(new ShellEnvError({ shell: "/bin/sh", kind: "spawn", detail: "no login shell in tests" })) }
