// Preloaded into the gateway by bench/hostile.mjs (`node --require bench/loop-delay.cjs …`): the event loop's delay
// as the gateway itself sees it, which the machine's load does not inflate the way a client's latency is inflated.
// On SIGUSR2 it writes the delays since the previous SIGUSR2 (ms: max, p99, mean) as JSON to $BENCH_LOOP_DELAY_FILE.
const { monitorEventLoopDelay } = require("node:perf_hooks")
const { writeFileSync } = require("node:fs")

const histogram = monitorEventLoopDelay({ resolution: 1 })
histogram.enable()
process.on("SIGUSR2", () => {
  const ms = (ns) => Number((ns / 1e6).toFixed(2))
  const figures = { maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), meanMs: ms(histogram.mean), samples: histogram.count }
  histogram.reset()
  if (process.env.BENCH_LOOP_DELAY_FILE) writeFileSync(process.env.BENCH_LOOP_DELAY_FILE, JSON.stringify(figures))
})
