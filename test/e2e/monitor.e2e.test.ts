/**
 * Auth monitoring end to end (SPEC §6.5): scripts/auth-monitor.sh against the real built `openclaw` in a temp
 * HOME, with a fake notifier command, a tiny ntfy server on 127.0.0.1, the systemd user units, and the Termux
 * widget with fake termux-* and ssh commands.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BIN, REPO, runChild } from "../support/Child.js"
import { Sandbox } from "../support/Sandbox.js"
import { secretPart, windows } from "../support/SecretScan.js"
import { scaled } from "../support/Timing.js"
import { HOUR, SECRETS, storeJson } from "./harness.js"

const MONITOR = path.join(REPO, "scripts", "auth-monitor.sh")
const WIDGET = path.join(REPO, "scripts", "termux", "openclaw-auth-widget.sh")
const SERVICE = path.join(REPO, "scripts", "systemd", "openclaw-auth-monitor.service")
const TIMER = path.join(REPO, "scripts", "systemd", "openclaw-auth-monitor.timer")
const SCRIPTS = [MONITOR, WIDGET]
/** `node <abs>/dist/openclaw.cjs`, as a user would put it in OPENCLAW_BIN. */
const OPENCLAW_BIN = `${process.execPath} ${BIN}`

interface ScriptResult {
  readonly what: string
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Everything an alert could have carried: script output, notifier records, ntfy requests, widget displays. */
const alertTexts: Array<{ readonly what: string; readonly text: string }> = []
const homes: Array<Sandbox> = []
let tmp: string
let bin: string
let termuxBin: string

const write = async (file: string, content: string, mode = 0o755): Promise<string> => {
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, content, { mode })
  await fs.chmod(file, mode)
  return file
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "openclaw-monitor-"))
  bin = path.join(tmp, "bin")
  termuxBin = path.join(tmp, "termux-bin")
  // `openclaw` on PATH, for the default OPENCLAW_BIN and for the widget's (fake) ssh.
  await write(path.join(bin, "openclaw"), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
  // The notifier: one record per call with its arguments, its level variable and its standard input.
  await write(
    path.join(bin, "fake-notify"),
    '#!/bin/sh\n{ printf "=== call args=[%s] level=[%s]\\n" "$*" "$OPENCLAW_MONITOR_LEVEL"; cat; } >>"$NOTIFY_LOG"\n'
  )
  await write(path.join(bin, "failing-openclaw"), '#!/bin/sh\necho "boom: the database is on fire" >&2\nexit 7\n')
  // ssh: records its arguments, then runs the remote command here (openclaw resolves to the wrapper above).
  await write(
    path.join(bin, "ssh"),
    '#!/bin/sh\nprintf "%s\\n" "$*" >>"$SSH_LOG"\nfor last; do :; done\nexec sh -c "$last"\n'
  )
  // One line per call; newlines inside an argument are recorded as "|".
  for (const name of ["termux-toast", "termux-notification", "termux-notification-remove"]) {
    await write(path.join(termuxBin, name), `#!/bin/sh\nprintf '%s' "${name}" >>"$TERMUX_LOG"\nfor a; do printf ' [%s]' "$(printf '%s' "$a" | tr '\\n' '|')" >>"$TERMUX_LOG"; done\necho >>"$TERMUX_LOG"\n`)
  }
})

afterAll(async () => {
  await Promise.all(homes.map((h) => h.cleanup()))
  if (tmp !== undefined) await fs.rm(tmp, { recursive: true, force: true })
})

const newHome = async (): Promise<Sandbox> => {
  const home = await Sandbox.create()
  homes.push(home)
  return home
}

const apiKey = (provider = "anthropic", key: string = SECRETS.apiKey) => ({ type: "api_key", provider, key })
const token = (expires: number, tok: string = SECRETS.token) => ({
  type: "token",
  provider: "anthropic",
  token: tok,
  expires
})

/** Exit 0: API keys only. */
const okHome = async (): Promise<Sandbox> => {
  const h = await newHome()
  await h.write(h.store, storeJson({ "anthropic:default": apiKey() }))
  return h
}
/** Exit 1: the token in use expired an hour ago (and an OpenAI key sits next to it). */
const expiredHome = async (): Promise<Sandbox> => {
  const h = await newHome()
  await h.write(
    h.store,
    storeJson({ "anthropic:work": token(Date.now() - HOUR), "openai:default": apiKey("openai", SECRETS.openaiKey) })
  )
  return h
}
/** Exit 2: the token expires in 5 h. */
const expiringHome = async (): Promise<Sandbox> => {
  const h = await newHome()
  await h.write(h.store, storeJson({ "anthropic:work": token(Date.now() + 5 * HOUR) }))
  return h
}

const runScript = async (
  script: string,
  args: ReadonlyArray<string>,
  home: Sandbox,
  env: Readonly<Record<string, string>> = {},
  pathPrefix: ReadonlyArray<string> = [bin]
): Promise<ScriptResult> => {
  const what = `${path.basename(script)} ${args.join(" ")}`
  const r = await runChild("bash", [script, ...args], [what], {
    cwd: home.home,
    env: {
      PATH: [...pathPrefix, path.dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(":"),
      HOME: home.home,
      TMPDIR: home.home,
      ...env
    },
    timeoutMs: scaled(15_000)
  })
  alertTexts.push({ what: `${what} stdout`, text: r.stdout }, { what: `${what} stderr`, text: r.stderr })
  return { what, code: r.code, stdout: r.stdout, stderr: r.stderr }
}

interface NotifyCall {
  readonly args: string
  readonly level: string
  readonly message: string
}

/** The notifier's records; [] when it never ran. */
const notifyCalls = async (log: string): Promise<Array<NotifyCall>> => {
  let text: string
  try {
    text = await fs.readFile(log, "utf8")
  } catch {
    return []
  }
  alertTexts.push({ what: `notifier log ${log}`, text })
  return text
    .split(/^=== call /m)
    .filter((c) => c.length > 0)
    .map((c) => {
      const m = /^args=\[(.*)\] level=\[(.*)\]\n([\s\S]*)$/.exec(c)
      if (m === null) throw new Error(`bad notifier record: ${c}`)
      return { args: m[1]!, level: m[2]!, message: m[3]! }
    })
}

/** A notifier configured with its own log. */
const notifier = (home: Sandbox, cmd = path.join(bin, "fake-notify")) => {
  const log = path.join(home.home, "notify.log")
  return { log, env: { OPENCLAW_MONITOR_NOTIFY_CMD: cmd, NOTIFY_LOG: log } }
}

describe("scripts", () => {
  it.each(SCRIPTS.map((s) => [path.relative(REPO, s), s]))("%s parses (bash -n) and is executable", async (_, s) => {
    const r = spawnSync("bash", ["-n", s], { encoding: "utf8" })
    expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: "" })
    expect((await fs.stat(s)).mode & 0o111).not.toBe(0)
    expect(await fs.readFile(s, "utf8")).toMatch(/^#!\/usr\/bin\/env bash\n[\s\S]*set -euo pipefail/)
  })

  const shellcheck = spawnSync("shellcheck", ["--version"], { stdio: "ignore" }).status === 0
  it.runIf(shellcheck)("shellcheck finds nothing", () => {
    const r = spawnSync("shellcheck", SCRIPTS, { encoding: "utf8" })
    expect({ code: r.status, out: r.stdout }).toEqual({ code: 0, out: "" })
  })
})

describe.concurrent("auth-monitor.sh", () => {
  it("--help prints usage; a bad argument exits 64", async () => {
    const home = await newHome()
    const help = await runScript(MONITOR, ["--help"], home)
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("Usage: openclaw-auth-monitor")
    for (const word of ["OPENCLAW_BIN", "OPENCLAW_MONITOR_NTFY_URL", "OPENCLAW_MONITOR_NOTIFY_CMD", "--state"]) {
      expect(help.stdout).toContain(word)
    }
    const bad = await runScript(MONITOR, ["--frobnicate"], home)
    expect(bad.code).toBe(64)
    expect(bad.stderr).toContain("unknown argument: --frobnicate")
    const noState = await runScript(MONITOR, ["--state"], home)
    expect(noState.code).toBe(64)
  })

  it("exit 0 (API key only): quiet, no notifier call, and the state file is cleared", async () => {
    const home = await okHome()
    const n = notifier(home)
    const state = path.join(home.home, "state", "last-alert")
    await home.write(state, `${Math.floor(Date.now() / 1000)} expired 123-45\n`)
    const r = await runScript(MONITOR, ["--state", state], home, { ...n.env, OPENCLAW_BIN })
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" })
    expect(await notifyCalls(n.log)).toEqual([])
    await expect(fs.stat(state)).rejects.toThrow()
  })

  it("exit 1 (expired token): alerts at level expired naming the profile, then exits 1", async () => {
    const home = await expiredHome()
    const n = notifier(home)
    const r = await runScript(MONITOR, [], home, { ...n.env, OPENCLAW_BIN })
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "" })
    const calls = await notifyCalls(n.log)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.args).toBe("expired")
    expect(calls[0]!.level).toBe("expired")
    expect(calls[0]!.message).toMatch(/^openclaw auth on .+: credentials expired or missing\n/)
    expect(calls[0]!.message).toContain("Expired: anthropic:work (anthropic token), expired 1h ago")
    expect(calls[0]!.message).toContain("openclaw models auth paste-token --provider anthropic")
    expect(calls[0]!.message).not.toContain("openai")
  })

  it("exit 1 (provider in use without a credential, openclaw found on PATH): names the provider", async () => {
    const home = await newHome()
    await home.write(home.config, JSON.stringify({ agents: { defaults: { model: { primary: "openrouter/x" } } } }))
    await home.write(home.store, storeJson({ "anthropic:default": apiKey() }))
    // A bare program name on PATH: run as `fake-notify <level>`.
    const n = notifier(home, "fake-notify")
    const r = await runScript(MONITOR, [], home, n.env)
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "" })
    const calls = await notifyCalls(n.log)
    expect(calls.map((c) => c.args)).toEqual(["expired"])
    expect(calls[0]!.message).toContain("Missing: openrouter is in use but has no credential")
  })

  it("exit 2 (token expiring in 5 h): alerts at level expiring with the time left, then exits 2", async () => {
    const home = await expiringHome()
    // A shell command line: "$1" is the level.
    const n = notifier(home, `${path.join(bin, "fake-notify")} "via-shell-$1"`)
    const r = await runScript(MONITOR, [], home, { ...n.env, OPENCLAW_BIN })
    expect(r).toMatchObject({ code: 2, stdout: "", stderr: "" })
    const calls = await notifyCalls(n.log)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.args).toBe("via-shell-expiring")
    expect(calls[0]!.level).toBe("expiring")
    expect(calls[0]!.message).toMatch(/^openclaw auth on .+: credentials expiring soon\n/)
    expect(calls[0]!.message).toContain("Expiring: anthropic:work (anthropic token), expires in 5h")
  })

  it("without a channel the alert goes to stderr; --agent is passed through", async () => {
    const home = await expiringHome()
    const r = await runScript(MONITOR, ["--agent", "main"], home, { OPENCLAW_BIN })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toMatch(/^openclaw auth on .+ \(agent main\): credentials expiring soon\n/)
    expect(r.stderr).toContain("anthropic:work")
    expect(r.stderr).toContain("openclaw models status --agent main")
  })

  it("de-duplicates within the repeat window, re-alerts when the state is aged or the alert changes", async () => {
    const home = await expiringHome()
    const n = notifier(home)
    const state = path.join(home.home, "monitor", "last-alert")
    const env = { ...n.env, OPENCLAW_BIN, OPENCLAW_MONITOR_STATE: state }

    const first = await runScript(MONITOR, [], home, env)
    expect(first).toMatchObject({ code: 2, stdout: "", stderr: "" })
    const recorded = (await fs.readFile(state, "utf8")).trim().split(" ")
    expect(recorded[0]).toMatch(/^\d+$/)
    expect(Math.abs(Number(recorded[0]) - Date.now() / 1000)).toBeLessThan(60)
    expect(recorded[1]).toBe("expiring")

    // Same alert, within 24 h: silent, but still exit 2.
    const second = await runScript(MONITOR, [], home, env)
    expect(second).toMatchObject({ code: 2, stdout: "", stderr: "" })
    expect(await notifyCalls(n.log)).toHaveLength(1)

    // --state on the command line means the same file.
    const third = await runScript(MONITOR, ["--state", state], home, { ...n.env, OPENCLAW_BIN })
    expect(third.code).toBe(2)
    expect(await notifyCalls(n.log)).toHaveLength(1)

    // Age the state file past the window: re-sent.
    await fs.writeFile(state, `${Number(recorded[0]) - 25 * 3600} ${recorded.slice(1).join(" ")}\n`)
    const aged = await runScript(MONITOR, [], home, env)
    expect(aged.code).toBe(2)
    expect(await notifyCalls(n.log)).toHaveLength(2)

    // A shorter window set by the environment.
    await fs.writeFile(state, `${Number(recorded[0]) - 2 * 3600} ${recorded.slice(1).join(" ")}\n`)
    await runScript(MONITOR, [], home, { ...env, OPENCLAW_MONITOR_REPEAT_HOURS: "1" })
    expect(await notifyCalls(n.log)).toHaveLength(3)

    // A different alert (the token has now expired) goes out at once.
    await home.write(home.store, storeJson({ "anthropic:work": token(Date.now() - 2 * HOUR) }))
    const changed = await runScript(MONITOR, [], home, env)
    expect(changed.code).toBe(1)
    const calls = await notifyCalls(n.log)
    expect(calls.map((c) => c.level)).toEqual(["expiring", "expiring", "expiring", "expired"])
    expect(calls[3]!.message).toContain("Expired: anthropic:work")
  })

  it("posts to ntfy with Title, Priority and the details; a failed post falls back to stderr", async () => {
    const requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = []
    let status = 200
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
        alertTexts.push({ what: "ntfy request", text: `${JSON.stringify(req.headers)}\n${body}` })
        res.writeHead(status, { "content-type": "application/json" })
        res.end("{}")
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openclaw-alerts`
    try {
      const expired = await expiredHome()
      const n = notifier(expired)
      const r1 = await runScript(MONITOR, [], expired, {
        ...n.env,
        OPENCLAW_BIN,
        OPENCLAW_MONITOR_NTFY_URL: url,
        OPENCLAW_MONITOR_NTFY_TOKEN: "tk_FAKEntfyaccesstoken0123456789"
      })
      expect(r1).toMatchObject({ code: 1, stdout: "", stderr: "" })
      expect(requests).toHaveLength(1)
      const q1 = requests[0]!
      expect(q1.method).toBe("POST")
      expect(q1.url).toBe("/openclaw-alerts")
      expect(q1.headers["title"]).toMatch(/^openclaw auth on .+: credentials expired or missing$/)
      expect(q1.headers["priority"]).toBe("high")
      expect(q1.headers["authorization"]).toBe("Bearer tk_FAKEntfyaccesstoken0123456789")
      expect(q1.body).toContain("Expired: anthropic:work (anthropic token), expired 1h ago")
      expect(q1.body).not.toContain("credentials expired or missing") // the title travels in its header
      // Both channels configured: the command ran too.
      expect((await notifyCalls(n.log)).map((c) => c.level)).toEqual(["expired"])

      const expiring = await expiringHome()
      const r2 = await runScript(MONITOR, [], expiring, { OPENCLAW_BIN, OPENCLAW_MONITOR_NTFY_URL: url })
      expect(r2).toMatchObject({ code: 2, stdout: "", stderr: "" })
      expect(requests).toHaveLength(2)
      expect(requests[1]!.headers["priority"]).toBe("default")
      expect(requests[1]!.headers["title"]).toContain("expiring soon")
      expect(requests[1]!.headers["authorization"]).toBeUndefined()
      expect(requests[1]!.body).toContain("Expiring: anthropic:work (anthropic token), expires in 5h")

      // The server refuses: the alert lands on stderr and is not recorded, so the next run tries again.
      status = 500
      const state = path.join(expiring.home, "last-alert")
      const r3 = await runScript(MONITOR, ["--state", state], expiring, { OPENCLAW_BIN, OPENCLAW_MONITOR_NTFY_URL: url })
      expect(r3.code).toBe(2)
      expect(r3.stderr).toContain("could not post the alert to ntfy")
      expect(r3.stderr).toContain("Expiring: anthropic:work")
      await expect(fs.stat(state)).rejects.toThrow()
      expect(requests).toHaveLength(3)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it("exit 3 with an alert when openclaw crashes, is not found, or gives no report", async () => {
    const home = await expiredHome()
    const n = notifier(home)

    const crashed = await runScript(MONITOR, [], home, { ...n.env, OPENCLAW_BIN: path.join(bin, "failing-openclaw") })
    expect(crashed).toMatchObject({ code: 3, stdout: "", stderr: "" })
    let calls = await notifyCalls(n.log)
    expect(calls.map((c) => c.level)).toEqual(["error"])
    expect(calls[0]!.message).toMatch(/^openclaw auth monitor on .+: openclaw could not run\n/)
    expect(calls[0]!.message).toContain("exited with code 7: boom: the database is on fire")

    const missing = await runScript(MONITOR, [], home, { ...n.env, OPENCLAW_BIN: "no-such-openclaw --flag" })
    expect(missing.code).toBe(3)
    calls = await notifyCalls(n.log)
    expect(calls.map((c) => c.level)).toEqual(["error", "error"])
    expect(calls[1]!.message).toContain('Could not run "no-such-openclaw": not found')

    // An unparseable store: openclaw exits 1 with an error and no JSON.
    await home.write(home.store, '{"version": 1, "profiles": {')
    const broken = await runScript(MONITOR, [], home, { ...n.env, OPENCLAW_BIN })
    expect(broken.code).toBe(3)
    calls = await notifyCalls(n.log)
    expect(calls.map((c) => c.level)).toEqual(["error", "error", "error"])
    expect(calls[2]!.message).toContain("exited 1 without a report: openclaw:")
    expect(calls[2]!.message).toContain("auth-profiles.json:1:")

    // Whatever openclaw's error output holds, nothing that looks like a key leaves in an alert.
    const leaky = await write(
      path.join(home.home, "leaky-openclaw"),
      `#!/bin/sh\necho "failed with ${SECRETS.token} and ${secretPart(SECRETS.apiKey)}" >&2\nexit 9\n`
    )
    const redacted = await runScript(MONITOR, [], home, { ...n.env, OPENCLAW_BIN: leaky })
    expect(redacted.code).toBe(3)
    calls = await notifyCalls(n.log)
    expect(calls[3]!.message).toContain("exited with code 9: failed with [redacted] and [redacted]")

    // Without a channel, to stderr.
    const plain = await runScript(MONITOR, [], home, { OPENCLAW_BIN: path.join(bin, "failing-openclaw") })
    expect(plain.code).toBe(3)
    expect(plain.stderr).toContain("openclaw could not run")
  })
})

describe.concurrent("openclaw-auth-widget.sh (Termux)", () => {
  const termuxRecords = async (log: string): Promise<Array<string>> => {
    const text = await fs.readFile(log, "utf8").catch(() => "")
    alertTexts.push({ what: `termux log ${log}`, text })
    return text.split("\n").filter((l) => l.length > 0)
  }

  it("locally: a toast and a notification naming the expired profile; exit 1", async () => {
    const home = await expiredHome()
    const log = path.join(home.home, "termux.log")
    const r = await runScript(WIDGET, [], home, { OPENCLAW_BIN, TERMUX_LOG: log }, [termuxBin, bin])
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "" })
    const records = await termuxRecords(log)
    expect(records[0]).toBe("termux-toast [-s] [openclaw auth: EXPIRED or missing]")
    expect(records[1]).toContain("termux-notification [--id] [openclaw-auth]")
    expect(records[1]).toContain("[--priority] [high]")
    expect(records[1]).toContain("[--content] [anthropic: no credential|anthropic:work token expired expired 1h ago]")
    expect(records).toHaveLength(2)
  })

  it("over ssh (settings from widget.env): ok clears the notification; exit 0", async () => {
    const home = await okHome()
    const log = path.join(home.home, "termux.log")
    const sshLog = path.join(home.home, "ssh.log")
    await home.write(".config/openclaw/widget.env", "OPENCLAW_GATEWAY_SSH=me@gateway.example\n", 0o600)
    const r = await runScript(WIDGET, [], home, { TERMUX_LOG: log, SSH_LOG: sshLog }, [termuxBin, bin])
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" })
    expect(await termuxRecords(log)).toEqual([
      "termux-toast [-s] [openclaw auth OK]",
      "termux-notification-remove [openclaw-auth]"
    ])
    const ssh = (await fs.readFile(sshLog, "utf8")).trim()
    expect(ssh).toContain("-o BatchMode=yes")
    expect(ssh).toMatch(/me@gateway\.example openclaw models status --check$/)
  })

  it("without termux commands it echoes; an unreachable gateway exits 3", async () => {
    const home = await expiringHome()
    const r = await runScript(WIDGET, [], home, { OPENCLAW_BIN })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("openclaw auth: expiring soon\nanthropic:work token expiring expires in 5h\n")

    const fail = path.join(home.home, "fail-bin")
    await write(path.join(fail, "ssh"), "#!/bin/sh\necho 'ssh: connect to host: Connection refused' >&2\nexit 255\n")
    const down = await runScript(WIDGET, [], home, { OPENCLAW_GATEWAY_SSH: "me@gateway" }, [fail, bin])
    expect(down.code).toBe(3)
    expect(down.stdout).toBe("openclaw auth: cannot reach me@gateway\nssh to me@gateway failed\n")
  })
})

describe("systemd user units", () => {
  type Unit = Map<string, Map<string, Array<string>>>
  const parseUnit = (text: string): Unit => {
    const unit: Unit = new Map()
    let section: Map<string, Array<string>> | undefined
    for (const raw of text.split("\n")) {
      const line = raw.trim()
      if (line === "" || line.startsWith("#") || line.startsWith(";")) continue
      const header = /^\[(.+)\]$/.exec(line)
      if (header !== null) {
        section = new Map()
        unit.set(header[1]!, section)
        continue
      }
      const kv = /^([A-Za-z]+)=(.*)$/.exec(line)
      if (kv === null || section === undefined) throw new Error(`not a unit line: ${raw}`)
      section.set(kv[1]!, [...(section.get(kv[1]!) ?? []), kv[2]!])
    }
    return unit
  }
  const get = (u: Unit, section: string, key: string) => u.get(section)?.get(key)

  it("the service: oneshot, runs the installed monitor, reads an optional env file, holds no secrets", async () => {
    const text = await fs.readFile(SERVICE, "utf8")
    const u = parseUnit(text)
    expect([...u.keys()]).toEqual(["Unit", "Service"])
    expect(get(u, "Unit", "Description")?.[0]).toMatch(/openclaw/)
    expect(get(u, "Service", "Type")).toEqual(["oneshot"])
    expect(get(u, "Service", "ExecStart")).toEqual(["%h/.local/bin/openclaw-auth-monitor"])
    expect(get(u, "Service", "EnvironmentFile")).toEqual(["-%h/.openclaw/monitor.env"])
    // The only variable set in the unit is the state file; URLs and tokens belong in monitor.env.
    expect(get(u, "Service", "Environment")).toEqual(["OPENCLAW_MONITOR_STATE=%S/openclaw-auth-monitor/last-alert"])
    expect(text).not.toMatch(/https?:\/\//)
    expect(text).not.toMatch(/^[^#]*(NTFY_URL|TOKEN|API_KEY|sk-)/m)
  })

  it("the timer: every 30 minutes, persistent, for the service, wanted by timers.target", async () => {
    const u = parseUnit(await fs.readFile(TIMER, "utf8"))
    expect([...u.keys()]).toEqual(["Unit", "Timer", "Install"])
    expect(get(u, "Timer", "OnCalendar")).toEqual(["*:0/30"])
    expect(get(u, "Timer", "Persistent")).toEqual(["true"])
    expect(get(u, "Timer", "Unit")).toEqual([path.basename(SERVICE)])
    expect(get(u, "Install", "WantedBy")).toEqual(["timers.target"])
  })

  // systemd-analyze needs a working manager; in some containers it cannot start one. Probe with a trivial unit.
  const verifyWorks = (() => {
    const probeDir = spawnSync("mktemp", ["-d"], { encoding: "utf8" }).stdout.trim()
    if (probeDir === "") return false
    try {
      const probe = path.join(probeDir, "probe.service")
      spawnSync("sh", ["-c", `printf '[Service]\\nType=oneshot\\nExecStart=/bin/true\\n' > '${probe}'`])
      return spawnSync("systemd-analyze", ["verify", probe], { encoding: "utf8" }).status === 0
    } catch {
      return false
    } finally {
      spawnSync("rm", ["-rf", probeDir])
    }
  })()

  it.runIf(verifyWorks)("systemd-analyze verify accepts both units without a warning", async () => {
    // %h is the HOME of systemd-analyze: give it one where the monitor is installed as documented.
    const home = await newHome()
    await home.write(".local/bin/openclaw-auth-monitor", await fs.readFile(MONITOR, "utf8"), 0o755)
    const r = spawnSync("systemd-analyze", ["verify", SERVICE, TIMER], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home.home }
    })
    expect({ code: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 0, stderr: "", stdout: "" })
  })
})

describe("secrets", () => {
  it("no alert, display or output carried a secret, a slice of one, or a masked value", () => {
    expect(alertTexts.length).toBeGreaterThan(20)
    const secrets = [SECRETS.apiKey, SECRETS.token, SECRETS.openaiKey]
    for (const { what, text } of alertTexts) {
      for (const s of secrets) {
        expect(text.includes(s), `${what}: whole secret`).toBe(false)
        for (const slice of windows(secretPart(s), 12)) expect(text.includes(slice), `${what}: secret slice`).toBe(false)
        expect(text.includes(`…${s.slice(-4)}`), `${what}: masked value`).toBe(false)
        expect(text.includes(s.slice(-4)), `${what}: last four`).toBe(false)
      }
      expect(text.includes("…"), `${what}: masked value`).toBe(false)
    }
  })
})
