import { randomBytes } from "node:crypto"
import type { Redis } from "ioredis"
import type { FailureLimiterOptions } from "../../domain/FailureLimiter.js"
import { memoryTokenLimiter, type TokenLimiterShape } from "../TokenLimiter.js"
import type { RedisConnection } from "./RedisConnection.js"

/**
 * The bad-token limiter in Redis (§8.2, §10): a sorted set of failure times per address,
 * `<prefix>badtoken:<address>`, checked and counted in one script, so wrong guesses spread over several gateways
 * count together. Unreachable → this gateway's own count in memory.
 */
const WRONG_TOKEN = `
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(limit + 1))
redis.call('PEXPIRE', KEYS[1], window)
return 0`

type LimiterClient = Redis & {
  wrongToken: (key: string, now: string, window: string, limit: string, member: string) => Promise<number>
}

export const makeRedisTokenLimiter = (connection: RedisConnection, options: FailureLimiterOptions): TokenLimiterShape => {
  const local = memoryTokenLimiter(options)
  const { limit, windowMs } = local.limiter
  const client = connection.client as LimiterClient
  client.defineCommand("wrongToken", { numberOfKeys: 1, lua: WRONG_TOKEN })
  return {
    wrongToken: (address, now) =>
      connection.shared(
        "bad-token limiter",
        (c) =>
          (c as LimiterClient)
            .wrongToken(`badtoken:${address}`, String(now), String(windowMs), String(limit), `${now}:${randomBytes(6).toString("hex")}`)
            .then((blocked) => (blocked > 0 ? blocked : undefined)),
        local.wrongToken(address, now)
      )
  }
}
