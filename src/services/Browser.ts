import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { HostProcess } from "./HostProcess.js"
import { serviceLayer } from "./LayerInOrder.js"

/** Opens a URL in the user's browser. Tests replace it with a fake that plays the browser; it never runs there. */
export interface BrowserShape {
  /** Whether there is a desktop to open a browser on at all (a DISPLAY, or macOS/Windows outside SSH). */
  readonly available: boolean
  /** Starts the browser; `false` when no opener could be started (the user then opens the printed URL). */
  readonly open: (url: string) => Effect.Effect<boolean>
}

export class Browser extends Context.Tag("openclaw/Browser")<Browser, BrowserShape>() {
  static readonly layer = serviceLayer(
    Browser,
    Effect.map(HostProcess, (host) => ({
      available: hasDesktop(host.platform, host.vars),
      open: (url) => openWith(opener(host.platform), url)
    }))
  )
}

const hasDesktop = (platform: NodeJS.Platform, vars: Readonly<Record<string, string | undefined>>): boolean => {
  const set = (name: string) => (vars[name] ?? "").trim() !== ""
  if (platform === "darwin" || platform === "win32") return !set("SSH_CONNECTION") && !set("SSH_TTY")
  return set("DISPLAY") || set("WAYLAND_DISPLAY")
}

const opener = (platform: NodeJS.Platform): { readonly command: string; readonly args: ReadonlyArray<string> } =>
  platform === "darwin"
    ? { command: "open", args: [] }
    : platform === "win32"
      ? { command: "cmd", args: ["/c", "start", '""'] }
      : { command: "xdg-open", args: [] }

/** Detached and silent: the opener's own chatter must not mix with our prompts, and it may outlive us. */
const openWith = (o: { readonly command: string; readonly args: ReadonlyArray<string> }, url: string) =>
  Effect.async<boolean>((resume) => {
    void import("node:child_process").then(({ spawn }) => {
      try {
        const child = spawn(o.command, [...o.args, url], { stdio: "ignore", detached: true })
        child.once("error", () => resume(Effect.succeed(false)))
        child.once("spawn", () => {
          child.unref()
          resume(Effect.succeed(true))
        })
      } catch {
        resume(Effect.succeed(false))
      }
    })
  })
