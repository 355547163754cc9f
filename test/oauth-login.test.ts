import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { BrowserShape } from "../src/services/Browser.js"
import { OAuthHttp } from "../src/services/OAuthHttp.js"
import { Prompter } from "../src/services/Prompter.js"
import { FakeOAuthServer, followAuthorize } from "./support/fakeOAuth.js"
import { ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { RecordingProgress } from "./support/RecordingProgress.js"
import { CONFIG, HOUR, NOW, runCli, STORE, type CliResult, type World } from "./support/TestApp.js"

const liveHttp = Effect.runSync(Effect.provide(OAuthHttp, OAuthHttp.layer))

let fake: FakeOAuthServer
beforeEach(async () => {
  fake = await FakeOAuthServer.start()
})
afterEach(() => fake.close())

const worldWith = (oauth: Record<string, unknown> = {}, extra: Partial<World> = {}): World & { fs: MemoryFs } => ({
  fs: new MemoryFs({ [CONFIG]: JSON.stringify({ keep: "me", auth: { oauth: { anthropic: fake.config(oauth) } } }) }),
  oauthHttp: liveHttp,
  ...extra
})

/** Plays the browser: opens the authorize URL, follows the redirect to the local callback, keeps the page. */
const playingBrowser = () => {
  const pages: Array<Promise<string>> = []
  const opened: Array<string> = []
  const browser: BrowserShape = {
    available: true,
    open: (url) =>
      Effect.sync(() => {
        opened.push(url)
        pages.push(followAuthorize(url).then((callback) => fetch(callback).then((r) => r.text())))
        return true
      })
  }
  return { browser, pages, opened }
}

/** Plays the user on a headless machine: reads the printed URL, signs in elsewhere, pastes where it ended. */
class PastingUser extends ScriptedPrompter {
  readonly lines: Array<string> = []
  constructor(private readonly edit: (redirect: string) => string = (r) => r) {
    super()
  }
  readonly onOutput = (line: string) => void this.lines.push(line)
  override get layer(): Layer.Layer<Prompter> {
    const base = super.layer
    return Layer.effect(
      Prompter,
      Effect.map(Prompter, (p) => ({
        ...p,
        interactive: true,
        readSecret: (message: string) =>
          Effect.promise(async () => {
            this.asked.push(message)
            const url = this.lines.flatMap((l) => l.split(/\s+/)).find((w) => w.startsWith(fake.authorizeUrl))
            if (!url) throw new Error("no authorize URL was printed")
            return Option.some(Redacted.make(this.edit(await followAuthorize(url))))
          })
      }))
    ).pipe(Layer.provide(base))
  }
}

const stored = (fs: MemoryFs) => (fs.read(STORE) === undefined ? undefined : JSON.parse(fs.read(STORE)!))
const noSecrets = (...results: Array<CliResult>) => {
  const text = results.map((r) => r.stdout + r.stderr).join("\n")
  for (const s of fake.secrets) {
    expect(text).not.toContain(s)
    // The random part of every token, in 12-character windows.
    const body = s.replace(/^sk-ant-o[ar]t01-/, "")
    for (let i = 0; i + 12 <= body.length; i += 6) expect(text).not.toContain(body.slice(i, i + 12))
  }
}

describe("models auth login: PKCE against a local fake provider", () => {
  it("callback path: the browser is sent back to 127.0.0.1, the code is exchanged, the profile is named after the email", async () => {
    const { browser, pages, opened } = playingBrowser()
    const progress = new RecordingProgress()
    const world = worldWith({}, { browser, progress: progress.shape })
    const r = await runCli(["models", "auth", "login", "--provider", "claude"], world)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    // The two waits, each a progress line on a terminal's stderr (§6, issue 15 item 4).
    expect(progress.labels).toEqual(["Waiting for the browser…", "Signing in to anthropic…"])
    expect(r.stdout.split("\n").at(-1)).toBe("Auth profile: anthropic:user@example.com (anthropic/oauth)")
    expect(await Promise.all(pages)).toEqual([expect.stringContaining("You can close this tab")])

    const authorize = fake.authorizeRequests[0]!
    expect(opened).toEqual([expect.stringContaining(fake.authorizeUrl)])
    expect(r.stdout).toContain(opened[0])
    expect(authorize.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(authorize.get("code_challenge_method")).toBe("S256")
    expect(authorize.get("state")!.length).toBeGreaterThanOrEqual(32)
    expect(fake.exchangeCalls).toBe(1)
    expect(fake.tokenCalls).toEqual([{ grantType: "authorization_code", contentType: "application/json", status: 200 }])

    expect(stored(world.fs).profiles).toEqual({
      "anthropic:user@example.com": {
        type: "oauth",
        provider: "anthropic",
        access: fake.latestAccess,
        refresh: fake.latestRefresh,
        expires: NOW + 8 * HOUR,
        email: "user@example.com",
        accountId: "acct-0001",
        clientId: fake.clientId
      }
    })
    const config = JSON.parse(world.fs.read(CONFIG)!)
    expect(config.keep).toBe("me")
    expect(config.auth.profiles).toEqual({ "anthropic:user@example.com": { provider: "anthropic", mode: "oauth" } })
    expect(config.auth.oauth.anthropic.tokenUrl).toBe(fake.tokenUrl)
    noSecrets(r)
  })

  it("paste path (--no-browser): prints the URL, takes the pasted redirect URL, exchanges form-encoded when configured so", async () => {
    const { browser, opened } = playingBrowser()
    const user = new PastingUser()
    const world = worldWith({ tokenEncoding: "form" }, { browser, prompter: user, onOutput: user.onOutput })
    const r = await runCli(["models", "auth", "login", "--provider", "anthropic", "--no-browser", "--profile-id", "Work"], world)
    expect(r.stderr).toBe("")
    expect(r.stdout.split("\n").at(-1)).toBe("Auth profile: anthropic:work (anthropic/oauth)")
    expect(opened).toEqual([])
    expect(user.asked).toEqual(["Redirect URL or code (input is hidden)"])
    expect(r.stdout).toContain("Copy that page's full address from the address bar and paste it here.")
    expect(fake.tokenCalls).toEqual([{ grantType: "authorization_code", contentType: "application/x-www-form-urlencoded", status: 200 }])
    expect(stored(world.fs).profiles["anthropic:work"]).toMatchObject({ type: "oauth", access: fake.latestAccess, email: "user@example.com" })
    noSecrets(r)
  })

  it("no desktop → the paste path; a provider's own paste page takes code#state", async () => {
    const manual = "https://console.example.com/oauth/code/callback"
    const user = new PastingUser((redirect) => {
      const u = new URL(redirect)
      return `${u.searchParams.get("code")}#${u.searchParams.get("state")}`
    })
    const world = worldWith({ manualRedirectUri: manual }, { prompter: user, onOutput: user.onOutput })
    const r = await runCli(["models", "auth", "login", "--provider", "anthropic"], world)
    expect(r.code).toBe(0)
    expect(fake.authorizeRequests[0]!.get("redirect_uri")).toBe(manual)
    expect(r.stdout).toContain("The page then shows a code; paste it here (it looks like code#state).")
    expect(stored(world.fs).profiles["anthropic:user@example.com"].access).toBe(fake.latestAccess)
  })

  it("the callback port is taken → falls back to pasting the redirect URL", async () => {
    const squatter = http.createServer((_, res) => res.end("squatter"))
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve))
    const port = (squatter.address() as AddressInfo).port
    try {
      const { browser, opened } = playingBrowser()
      const user = new PastingUser()
      const world = worldWith({ callbackPort: port }, { browser, prompter: user, onOutput: user.onOutput })
      const r = await runCli(["models", "auth", "login", "--provider", "anthropic"], world)
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`Cannot listen on 127.0.0.1:${port} for the sign-in callback (EADDRINUSE). Falling back to pasting the redirect URL.`)
      expect(opened).toEqual([])
      expect(fake.authorizeRequests[0]!.get("redirect_uri")).toBe(`http://127.0.0.1:${port}/callback`)
      expect(stored(world.fs).profiles["anthropic:user@example.com"]).toBeDefined()
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })

  it("a redirect with the wrong state is rejected clearly on the callback, and nothing is exchanged or stored", async () => {
    fake.consent = "forge-state"
    const { browser, pages } = playingBrowser()
    const world = worldWith({}, { browser })
    const r = await runCli(["models", "auth", "login", "--provider", "anthropic"], world)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      "openclaw: The redirect does not belong to this login (its state parameter does not match), so it was rejected; nothing was stored. It may be from an older attempt or forged. Fix: run `openclaw models auth login --provider anthropic` again and use the newest link."
    )
    expect(await Promise.all(pages)).toEqual([expect.stringContaining("does not belong to the sign-in openclaw is waiting for")])
    expect(fake.exchangeCalls).toBe(0)
    expect(stored(world.fs)).toBeUndefined()
    expect(JSON.parse(world.fs.read(CONFIG)!).auth.profiles).toBeUndefined()
  })

  it("a pasted URL from another attempt (wrong state) is rejected too", async () => {
    const user = new PastingUser((redirect) => redirect.replace(/state=[^&]+/, "state=from-an-older-attempt"))
    const world = worldWith({}, { prompter: user, onOutput: user.onOutput })
    const r = await runCli(["models", "auth", "login", "--provider", "anthropic", "--no-browser"], world)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("its state parameter does not match")
    expect(fake.exchangeCalls).toBe(0)
    expect(stored(world.fs)).toBeUndefined()
  })

  it.each([["callback"], ["paste"]])("denied consent (%s) is reported as such and stores nothing", async (path) => {
    fake.consent = "deny"
    const { browser, pages } = playingBrowser()
    const user = new PastingUser()
    const world = worldWith({}, path === "callback" ? { browser } : { prompter: user, onOutput: user.onOutput })
    const r = await runCli(["models", "auth", "login", "--provider", "anthropic"], world)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      "openclaw: Authorization was denied in the browser; nothing was stored. Fix: run `openclaw models auth login --provider anthropic` again and choose to allow access."
    )
    if (path === "callback") expect(await Promise.all(pages)).toEqual([expect.stringContaining("Authorization was denied")])
    expect(fake.exchangeCalls).toBe(0)
    expect(stored(world.fs)).toBeUndefined()
  })

  it("without an email the profile is <p>:default; an id_token's email names it otherwise", async () => {
    await fake.close()
    fake = await FakeOAuthServer.start({ email: null })
    const first = playingBrowser()
    const world = worldWith({}, { browser: first.browser })
    expect((await runCli(["models", "auth", "login", "--provider", "anthropic"], world)).stdout).toContain("Auth profile: anthropic:default (anthropic/oauth)")

    await fake.close()
    fake = await FakeOAuthServer.start({ emailInIdToken: true, email: "Jwt.User@Example.com" })
    const second = playingBrowser()
    const other = worldWith({}, { browser: second.browser })
    expect((await runCli(["models", "auth", "login", "--provider", "anthropic"], other)).stdout).toContain(
      "Auth profile: anthropic:jwt.user@example.com (anthropic/oauth)"
    )
    expect(stored(other.fs).profiles["anthropic:jwt.user@example.com"]).toMatchObject({ email: "Jwt.User@Example.com", accountId: "user-0001" })
  })

  it("a provider without OAuth settings says which config to add", async () => {
    const r = await runCli(["models", "auth", "login", "--provider", "openai"], { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      "openclaw: Cannot sign in to openai with OAuth: openclaw has no built-in OAuth settings for openai; set auth.oauth.openai { authorizeUrl, tokenUrl, clientId, scopes } in the config. Fix: edit /home/user/.openclaw/openclaw.json, or use an API key (`openclaw models auth paste-api-key --provider openai`)."
    )
  })

  it("after login, the refresh goes to the same fake: rotated once; the old refresh token is then refused as reused", async () => {
    const { browser } = playingBrowser()
    const world = worldWith({}, { browser })
    await runCli(["models", "auth", "login", "--provider", "anthropic"], world)
    const loginRefresh = fake.latestRefresh!
    const later = NOW + 8 * HOUR
    const refreshed = await runCli(["models", "auth", "refresh", "--profile-id", "anthropic:user@example.com"], world, later)
    expect(refreshed.stdout).toMatch(/^anthropic:user@example\.com: refreshed; access sk-ant-oat01-…0002, expires in 8h$/)
    expect(fake.refreshCalls).toBe(1)
    expect(stored(world.fs).profiles["anthropic:user@example.com"]).toMatchObject({ refresh: fake.latestRefresh, expires: later + 8 * HOUR })

    // Someone restores the old credential (a backup): the provider refuses the reused token, and the error says so.
    const doc = stored(world.fs)
    doc.profiles["anthropic:user@example.com"].refresh = loginRefresh
    doc.profiles["anthropic:user@example.com"].expires = later
    world.fs.put(STORE, JSON.stringify(doc))
    const reused = await runCli(["models", "auth", "refresh", "--profile-id", "anthropic:user@example.com"], world, later + HOUR)
    expect(reused.code).toBe(1)
    expect(reused.stderr).toContain("OAuth token refresh failed for anthropic: invalid_grant (refresh_token_reused). Please try again or re-authenticate.")
    noSecrets(refreshed, reused)
  })

  it("something that is not a redirect URL is refused with what to paste", async () => {
    const user = new PastingUser(() => "I clicked allow")
    const world = worldWith({}, { prompter: user, onOutput: user.onOutput })
    const r = await runCli(["models", "auth", "login", "--provider", "anthropic"], world)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("That is not a redirect URL (expected the address of the page the browser was sent to, with code and state in it); nothing was stored.")
    expect(stored(world.fs)).toBeUndefined()
  })

  it("login, import and refresh are listed under models auth", async () => {
    const r = await runCli(["--help"], { fs: new MemoryFs() })
    // One line each in the COMMANDS list: the path, then its summary.
    for (const path of ["models auth login", "models auth import", "models auth refresh"]) expect(r.stdout).toMatch(new RegExp(`^  ${path} +\\S`, "m"))
  })
})
