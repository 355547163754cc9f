import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { writeReply } from "../../src/gateway/Respond.js"
import { scaled } from "../support/Timing.js"

/**
 * §8.6: an event stream is written at the pace its client reads. A client that stops reading must not make the
 * gateway queue the rest of the provider's answer in memory, and a client that hangs up while the writer waits must
 * end the wait (the request's scope then aborts the provider's call).
 */

const PIECE = "x".repeat(1023) + "\n"
/** 32 MiB: more than the kernel's loopback socket buffers can absorb, so node's own buffer fills. */
const PIECES = 32 * 1024

/** A server that writes the SSE reply on its only request; reports the most node ever buffered for the client. */
const pacedServer = () => {
  let mostBuffered = 0
  let finished: Promise<void> = Promise.resolve()
  const server = http.createServer((_req, res) => {
    const events = Stream.range(1, PIECES).pipe(
      Stream.map(() => PIECE),
      Stream.rechunk(1),
      // Pulled once the piece before was written and, when that filled the buffer, drained.
      Stream.tap(() => Effect.sync(() => void (mostBuffered = Math.max(mostBuffered, res.writableLength))))
    )
    finished = Effect.runPromise(writeReply(res, { _tag: "sse", events }))
  })
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))),
    mostBuffered: () => mostBuffered,
    finished: () => finished,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const pausedResponse = (port: number) =>
  new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
      res.pause()
      resolve(res)
    }).on("error", reject)
  })

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A paced server and one client whose response is paused from the start; the server is closed after `body`. */
const withPausedClient = (body: (server: ReturnType<typeof pacedServer>, res: http.IncomingMessage) => Promise<void>) =>
  Effect.promise(async () => {
    const server = pacedServer()
    const port = await server.listen()
    try {
      await body(server, await pausedResponse(port))
    } finally {
      await server.close()
    }
  })

describe("the gateway writes a stream at its client's pace (§8.6)", () => {
  it.live("a client that stops reading: the writer waits with at most a buffer's worth queued, then finishes once read", () =>
    withPausedClient(async (server, res) => {
      await pause(300)
      // Unpaced, the rest of the 32 MiB would be in node's buffer by now.
      expect(server.mostBuffered()).toBeLessThan(256 * 1024)
      let bytes = 0
      res.on("data", (chunk: Buffer) => void (bytes += chunk.length))
      res.resume()
      await new Promise((resolve) => res.on("end", resolve))
      await server.finished()
      expect(bytes).toBe(PIECES * PIECE.length)
      expect(server.mostBuffered()).toBeLessThan(256 * 1024)
    })
  )

  it.live("a client that hangs up while the writer waits ends the writing", () =>
    withPausedClient(async (server, res) => {
      await pause(200)
      res.destroy()
      await Promise.race([server.finished(), pause(10_000).then(() => Promise.reject(new Error("still waiting for a drain that cannot come")))])
    })
  )
})

describe("a whole answer nobody reads (§8.6)", () => {
  it("is dropped with its connection once the client has taken nothing of it for the unread time; a client that reads keeps it", async () => {
    const BODY = Buffer.alloc(32 * 1024 * 1024, 120)
    // Long enough that the sipping client below always takes something in each period, even on a busy machine.
    const UNREAD = scaled(500)
    const closed: Array<number> = []
    const SMALL = Buffer.alloc(8 * 1024 * 1024, 121)
    const LARGE = Buffer.alloc(64 * 1024 * 1024, 122)
    let small = false
    const server = http.createServer((_req, res) => {
      const started = performance.now()
      if (!small) res.socket?.once("close", () => closed.push(performance.now() - started))
      const body = small ? SMALL : _req.url === "/large" ? LARGE : BODY
      void Effect.runPromise(writeReply(res, { _tag: "raw", status: 200, contentType: "application/octet-stream", body, headers: {} }, UNREAD))
    })
    const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))
    try {
      // Paused from the start: the 32 MiB stay in node's buffer until the watch drops them.
      const stalled = await pausedResponse(port)
      stalled.on("error", () => undefined)
      for (let waited = 0; closed.length === 0 && waited < 20_000; waited += 50) await pause(50)
      expect(closed).toHaveLength(1)
      expect(closed[0]).toBeGreaterThanOrEqual(UNREAD)
      // A client that reads it all, though in small sips with pauses between, gets every byte.
      const received = await new Promise<number>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
          let bytes = 0
          res.on("data", (chunk: Buffer) => {
            bytes += chunk.length
            res.pause()
            setTimeout(() => res.resume(), 1)
          })
          res.on("end", () => resolve(bytes))
          res.on("error", reject)
        }).on("error", reject)
      })
      expect(received).toBe(BODY.length)
      // Two answers on one kept-alive connection, the second larger: the first answer's watch ends with it and never
      // measures the second against the first.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const sip = (path: string) =>
        new Promise<number>((resolve, reject) => {
          http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
            let bytes = 0
            res.on("data", (chunk: Buffer) => {
              bytes += chunk.length
              res.pause()
              setTimeout(() => res.resume(), 3)
            })
            res.on("end", () => resolve(bytes))
            res.on("error", reject)
            res.on("aborted", () => reject(new Error(`the connection was dropped after ${bytes} bytes`)))
          }).on("error", reject)
        })
      small = true
      expect(await sip("/small")).toBe(SMALL.length)
      small = false
      expect(await sip("/large")).toBe(LARGE.length)
      agent.destroy()
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }, 60_000)
})
