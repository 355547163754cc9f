import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { FALLBACK, withGateway } from "./harness.js"

/**
 * §8.4 / issue 16: a same-shape stream is passed through as it arrives. The provider here sends one piece, then
 * waits until the client has read it before it sends the next: a gateway that held a piece back (until its event
 * ended, or until the next piece came) would never let this stream finish. No timing is asserted.
 */

const delta = (text: string) =>
  `data: ${JSON.stringify({ id: "chatcmpl-relay", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n`

/** The pieces in the order sent: a whole event; the data line of the next without its blank line; the rest. */
const PIECES = [`${delta("One ")}\n`, delta("two "), `\n${delta("three").replace('"finish_reason":null', '"finish_reason":"stop"')}\ndata: [DONE]\n\n`]

/** A provider that sends PIECES[i + 1] only after `next()` was called i + 1 times. */
const steppedProvider = async () => {
  let release: Array<() => void> = []
  const gates = PIECES.map(() => new Promise<void>((resolve) => release.push(resolve)))
  release[0]!()
  let step = 1
  const server = http.createServer((req, res) => {
    req.resume()
    req.on("end", async () => {
      res.writeHead(200, { "content-type": "text/event-stream" })
      for (let i = 0; i < PIECES.length; i++) {
        await gates[i]
        res.write(PIECES[i])
      }
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    next: () => release[step++]?.(),
    close: () => {
      release.forEach((r) => r())
      release = []
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

describe("gateway: a same-shape stream goes on as it arrives (§8.4, issue 16)", () => {
  it.scopedLive("each piece reaches the client before the provider sends the next, a line before its event has ended", () =>
    Effect.flatMap(
      Effect.acquireRelease(Effect.promise(steppedProvider), (provider) => Effect.promise(provider.close)),
      (provider) =>
        withGateway(
          { token: true, config: { agents: { defaults: { model: { primary: FALLBACK, fallbacks: [] } } }, models: { providers: { openai: { baseUrl: provider.url } } } } },
          async ({ gw }) => {
            const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "openclaw", stream: true, messages: [{ role: "user", content: "count" }] }) })
            expect(res.status).toBe(200)
            const reader = res.body!.getReader()
            const decoder = new TextDecoder()
            let seen = ""
            /** Reads until `expected` has arrived whole: the provider has sent nothing after it yet. */
            const readThrough = async (expected: string) => {
              while (!seen.endsWith(expected)) {
                const { done, value } = await reader.read()
                if (done) throw new Error(`the stream ended before ${JSON.stringify(expected)} arrived; got ${JSON.stringify(seen)}`)
                seen += decoder.decode(value, { stream: true })
              }
            }
            await readThrough(PIECES[0]!)
            provider.next()
            // The data line of an event whose blank line the provider has not sent yet.
            await readThrough(PIECES[1]!)
            provider.next()
            for (;;) {
              const { done, value } = await reader.read()
              if (done) break
              seen += decoder.decode(value, { stream: true })
            }
            expect(seen).toBe(PIECES.join(""))
          }
        )
    ))
})
