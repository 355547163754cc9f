/** ANSI styling that collapses to plain text when colour is off (not a TTY, NO_COLOR). */
export interface Style {
  readonly bold: (s: string) => string
  readonly dim: (s: string) => string
  readonly green: (s: string) => string
  readonly yellow: (s: string) => string
  readonly red: (s: string) => string
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`

export const makeStyle = (color: boolean): Style =>
  color
    ? { bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39) }
    : { bold: String, dim: String, green: String, yellow: String, red: String }

export const colorEnabled = (isTTY: boolean, vars: Readonly<Record<string, string | undefined>>): boolean =>
  vars.NO_COLOR === undefined && vars.TERM !== "dumb" && (isTTY || (vars.FORCE_COLOR !== undefined && vars.FORCE_COLOR !== "0"))
