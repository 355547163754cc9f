#!/usr/bin/env node
// openclaw exec resolver for pass, the standard Unix password manager (SPEC §9; README.md beside this file).
// An id is a pass entry name (`openclaw/openai` → `pass show openclaw/openai`); the secret is the entry's first
// line, pass's own convention (further lines hold notes such as a user name).
import { runResolver } from "./protocol.mjs"

runResolver({
  program: "pass",
  binEnv: "PASS_BIN",
  install: "install pass (Debian/Ubuntu: apt-get install pass; macOS: brew install pass)",
  // The store's location and options, and what gpg needs to find its keys, its agent and a pinentry.
  env: [
    "PASSWORD_STORE_DIR",
    "PASSWORD_STORE_GPG_OPTS",
    "PASSWORD_STORE_SIGNING_KEY",
    "GNUPGHOME",
    "GPG_TTY",
    "GPG_AGENT_INFO",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR"
  ],
  argv: (id) => ({ argv: ["show", id] }),
  value: (stdout) => stdout.split(/\r?\n/, 1)[0]
})
