/**
 * A fake OAuth provider on 127.0.0.1 for tests: an authorize endpoint that redirects (or denies consent), and a
 * token endpoint that checks PKCE at the code exchange and rotates refresh tokens on every refresh, rejecting a
 * reused one with `invalid_grant` / `refresh_token_reused`, as real providers do. It counts every call.
 */
import { createHash, randomBytes } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export interface FakeOAuthOptions {
  /** `expires_in` of every token response, in seconds. */
  readonly expiresIn?: number
  /** The account's email; `null` leaves it out (profile id `<p>:default`). */
  readonly email?: string | null
  /** Put the email in an `id_token` instead of `account.email_address`. */
  readonly emailInIdToken?: boolean
  /** Answer refreshes this much later, to widen race windows. */
  readonly refreshDelayMs?: number
}

export interface TokenCall {
  readonly grantType: string
  readonly contentType: string
  readonly status: number
  readonly error?: string
}

interface PendingCode {
  readonly challenge: string
  readonly redirectUri: string
  readonly clientId: string
  used: boolean
}

const base64Url = (b: Buffer): string => b.toString("base64url")
const hex = (n: number): string => randomBytes(n).toString("hex")

export class FakeOAuthServer {
  readonly clientId = "openclaw-test-client"
  /** What the consent screen does: allow, deny (`access_denied`), or answer with a forged `state`. */
  consent: "allow" | "deny" | "forge-state" = "allow"
  refreshCalls = 0
  exchangeCalls = 0
  readonly tokenCalls: Array<TokenCall> = []
  readonly authorizeRequests: Array<URLSearchParams> = []
  /** Every token this server issued or was seeded with: none may ever be printed. */
  readonly secrets: Array<string> = []
  private readonly validRefresh = new Set<string>()
  private readonly usedRefresh = new Set<string>()
  private readonly codes = new Map<string, PendingCode>()
  private issued = 0
  latestRefresh: string | undefined
  latestAccess: string | undefined

  private constructor(
    private readonly server: http.Server,
    readonly options: FakeOAuthOptions
  ) {}

  static async start(options: FakeOAuthOptions = {}): Promise<FakeOAuthServer> {
    let fake: FakeOAuthServer | undefined
    const server = http.createServer((req, res) => void fake!.handle(req, res))
    fake = new FakeOAuthServer(server, options)
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    return fake
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }
  get authorizeUrl(): string {
    return `${this.url}/oauth/authorize`
  }
  get tokenUrl(): string {
    return `${this.url}/oauth/token`
  }

  /** The `auth.oauth.<provider>` config block pointing at this server. */
  config(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { authorizeUrl: this.authorizeUrl, tokenUrl: this.tokenUrl, clientId: this.clientId, scopes: ["user:inference"], ...extra }
  }

  /** A refresh token the server accepts once, as if issued at an earlier login. */
  seedRefresh(token = `sk-ant-ort01-FAKEseeded${hex(16)}S000`): string {
    this.validRefresh.add(token)
    this.secrets.push(token)
    this.latestRefresh = token
    return token
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private issue(): Record<string, unknown> {
    this.issued++
    const n = String(this.issued).padStart(4, "0")
    const access = `sk-ant-oat01-FAKEaccess${hex(16)}A${n}`
    const refresh = `sk-ant-ort01-FAKErefresh${hex(16)}R${n}`
    this.secrets.push(access, refresh)
    this.validRefresh.add(refresh)
    this.latestAccess = access
    this.latestRefresh = refresh
    const email = this.options.email === undefined ? "user@example.com" : this.options.email
    const account = email === null || this.options.emailInIdToken ? {} : { account: { uuid: "acct-0001", email_address: email } }
    const idToken =
      email !== null && this.options.emailInIdToken
        ? { id_token: `e30.${base64Url(Buffer.from(JSON.stringify({ sub: "user-0001", email })))}.sig` }
        : {}
    return { token_type: "Bearer", access_token: access, refresh_token: refresh, expires_in: this.options.expiresIn ?? 28_800, ...account, ...idToken }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url)
    if (req.method === "GET" && url.pathname === "/oauth/authorize") return this.authorize(url.searchParams, res)
    if (req.method === "POST" && url.pathname === "/oauth/token") {
      const chunks: Array<Buffer> = []
      for await (const c of req) chunks.push(c as Buffer)
      const text = Buffer.concat(chunks).toString("utf8")
      const contentType = String(req.headers["content-type"] ?? "")
      const params: Record<string, string> = contentType.includes("json")
        ? (JSON.parse(text) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(text))
      return this.token(params, contentType, res)
    }
    res.writeHead(404).end()
  }

  private authorize(q: URLSearchParams, res: http.ServerResponse): void {
    this.authorizeRequests.push(q)
    const redirectUri = q.get("redirect_uri")
    const state = q.get("state") ?? ""
    const challenge = q.get("code_challenge")
    if (!redirectUri || q.get("client_id") !== this.clientId || q.get("response_type") !== "code" || q.get("code_challenge_method") !== "S256" || !challenge || !state) {
      res.writeHead(400, { "content-type": "text/plain" }).end("bad authorize request")
      return
    }
    const target = new URL(redirectUri)
    if (this.consent === "deny") {
      target.searchParams.set("error", "access_denied")
      target.searchParams.set("error_description", "The user denied the request")
      target.searchParams.set("state", state)
    } else {
      const code = `code-${hex(12)}`
      this.secrets.push(code)
      this.codes.set(code, { challenge, redirectUri, clientId: q.get("client_id")!, used: false })
      target.searchParams.set("code", code)
      target.searchParams.set("state", this.consent === "forge-state" ? "forged-state-value" : state)
    }
    res.writeHead(302, { location: target.toString() }).end()
  }

  private reply(res: http.ServerResponse, call: Omit<TokenCall, "status" | "error">, status: number, body: Record<string, unknown>): void {
    this.tokenCalls.push({ ...call, status, ...(typeof body.error === "string" ? { error: body.error } : {}) })
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
  }

  private async token(p: Record<string, string>, contentType: string, res: http.ServerResponse): Promise<void> {
    const call = { grantType: p.grant_type ?? "", contentType }
    const invalid = (error: string, description: string) => this.reply(res, call, 400, { error, error_description: description })
    if (p.client_id !== this.clientId) return invalid("invalid_client", "unknown client_id")
    if (p.grant_type === "authorization_code") {
      this.exchangeCalls++
      const pending = p.code ? this.codes.get(p.code) : undefined
      if (!pending || pending.used) return invalid("invalid_grant", "unknown or used authorization code")
      pending.used = true
      if (p.redirect_uri !== pending.redirectUri) return invalid("invalid_grant", "redirect_uri does not match the authorize request")
      const expected = base64Url(createHash("sha256").update(p.code_verifier ?? "").digest())
      if (expected !== pending.challenge) return invalid("invalid_grant", "code_verifier does not match code_challenge")
      return this.reply(res, call, 200, this.issue())
    }
    if (p.grant_type === "refresh_token") {
      this.refreshCalls++
      if (this.options.refreshDelayMs) await new Promise((r) => setTimeout(r, this.options.refreshDelayMs))
      const token = p.refresh_token ?? ""
      if (this.usedRefresh.has(token)) return invalid("invalid_grant", "refresh_token_reused")
      if (!this.validRefresh.has(token)) return invalid("invalid_grant", "unknown refresh token")
      this.validRefresh.delete(token)
      this.usedRefresh.add(token)
      return this.reply(res, call, 200, this.issue())
    }
    return invalid("unsupported_grant_type", `grant_type ${p.grant_type ?? "(none)"}`)
  }
}

/** Plays the browser: opens the authorize URL and follows its redirect, returning where it was sent. */
export const followAuthorize = async (authorizeUrl: string): Promise<string> => {
  const res = await fetch(authorizeUrl, { redirect: "manual" })
  const location = res.headers.get("location")
  if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}`)
  return location
}
