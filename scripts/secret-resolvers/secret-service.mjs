#!/usr/bin/env node
// openclaw exec resolver for the Linux Secret Service (GNOME Keyring, KWallet, KeePassXC…), through `secret-tool`
// (SPEC §9; README.md beside this file). An id is attribute:value pairs joined by `/` —
// `service:openclaw/account:openai` → `secret-tool lookup service openclaw account openai`.
import { optionLike, runResolver, withoutTrailingNewline } from "./protocol.mjs"

const pairs = (id) => {
  const argv = ["lookup"]
  for (const segment of id.split("/")) {
    const colon = segment.indexOf(":")
    const attribute = colon < 0 ? "" : segment.slice(0, colon)
    const value = colon < 0 ? "" : segment.slice(colon + 1)
    if (attribute.length === 0 || value.length === 0) {
      return { error: "a Secret Service id is attribute:value pairs joined by '/', e.g. service:openclaw/account:openai" }
    }
    if (optionLike(attribute) || optionLike(value)) return { error: "an attribute or value starts with '-'; refused" }
    argv.push(attribute, value)
  }
  return { argv }
}

runResolver({
  program: "secret-tool",
  binEnv: "SECRET_TOOL_BIN",
  install: "install secret-tool (Debian/Ubuntu: apt-get install libsecret-tools; Fedora: dnf install libsecret)",
  // The session bus is how secret-tool reaches the keyring daemon (its default address lives in XDG_RUNTIME_DIR).
  env: ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY"],
  argv: pairs,
  // secret-tool exits 1 without a word when nothing matches.
  failure: (id, code, stderr) =>
    code === 1 && stderr.trim() === "" ? `no Secret Service item matches ${id.split("/").map((s) => s.replace(":", "=")).join(" ")}` : undefined,
  value: withoutTrailingNewline
})
