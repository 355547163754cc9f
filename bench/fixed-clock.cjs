// Preloaded by bench/compare-builds.mjs (`node --require`): pins the wall clock to OPENCLAW_FIXED_NOW, so two
// builds run over the same state dir print the same times, expiries and cooldowns to the byte.
const fixed = Number(process.env.OPENCLAW_FIXED_NOW)
if (Number.isFinite(fixed)) {
  const RealDate = Date
  // `Date.now()` (Effect's Clock) and `new Date()` without arguments; every other use of Date is unchanged.
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixed)
      else super(...args)
    }
    static now() {
      return fixed
    }
  }
}
