/** The root's options that take a value (@effect/cli's built-ins): their value is not a command word. */
const VALUED = new Set(["--log-level", "--completions"])

/**
 * `openclaw gateway [options]`, but not `openclaw gateway install …`: the one command that runs for long and serves
 * many requests at once. Told from the arguments before anything runs, for the two things that differ between it and
 * every other command: V8's memory settings (./launcher.ts) and how the disk is read (./openclaw.ts).
 */
export const servesGateway = (argv: ReadonlyArray<string>): boolean => {
  const words = argv.filter((a, i) => !a.startsWith("-") && !VALUED.has(argv[i - 1] ?? ""))
  return words[0] === "gateway" && words[1] !== "install"
}
