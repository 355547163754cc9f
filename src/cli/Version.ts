/** The CLI's version, in its own module so a command can show it without importing the root command (a circle). */
export const VERSION = "0.1.0"
