import * as Effect from "effect/Effect"
import { loadNet, post } from "../../services/providers/http.js"

/** What the gateway answered: its status and body text (capped: the answers we expect are small). */
export interface GatewayAnswer {
  readonly status: number
  readonly text: string
}

/** Why no answer came: the network error's code (ECONNREFUSED: nothing listens there), or TIMEOUT. */
export interface NoAnswer {
  readonly code: string
}

const MAX_ANSWER_BYTES = 256 * 1024

/**
 * One POST to the local gateway over the same wire the provider client uses. The timeout is generous: a reload
 * runs every exec resolver once (each up to its own timeoutMs).
 */
export const postToGateway = (url: string, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number) =>
  Effect.flatMap(
    Effect.promise(() => loadNet()),
    (net) =>
      Effect.async<GatewayAnswer, NoAnswer>((resume) => {
        let settled = false
        const settle = (e: Effect.Effect<GatewayAnswer, NoAnswer>) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resume(e)
        }
        const sent = post(
          net,
          { url, headers, body },
          (answer) => {
            const chunks: Array<Buffer> = []
            let size = 0
            answer.body.on("data", (chunk: Buffer) => {
              size += chunk.length
              if (size <= MAX_ANSWER_BYTES) chunks.push(chunk)
            })
            answer.body.on("end", () => settle(Effect.succeed({ status: answer.status, text: Buffer.concat(chunks).toString("utf8") })))
            answer.body.on("error", (e: NodeJS.ErrnoException) => settle(Effect.fail({ code: e.code ?? "ERROR" })))
          },
          (error) => settle(Effect.fail({ code: (error as { code?: unknown } | null)?.code?.toString() ?? "ERROR" }))
        )
        const timer = setTimeout(() => {
          sent.abort()
          settle(Effect.fail({ code: "TIMEOUT" }))
        }, timeoutMs)
        return Effect.sync(() => {
          clearTimeout(timer)
          sent.abort()
        })
      })
  )
