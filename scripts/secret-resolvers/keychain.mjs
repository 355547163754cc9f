#!/usr/bin/env node
// openclaw exec resolver for the macOS Keychain, through `security` (SPEC §9; README.md beside this file).
// An id is `service` or `service/account` (split at the first `/`):
// `security find-generic-password -s <service> [-a <account>] -w` prints the password of that generic item.
import { optionLike, runResolver, withoutTrailingNewline } from "./protocol.mjs"

const lookup = (id) => {
  const slash = id.indexOf("/")
  const service = slash < 0 ? id : id.slice(0, slash)
  const account = slash < 0 ? undefined : id.slice(slash + 1)
  if (service.length === 0 || account === "") return { error: "a Keychain id is service or service/account, both non-empty" }
  if (account !== undefined && optionLike(account)) return { error: "the account starts with '-'; refused" }
  return { argv: ["find-generic-password", "-s", service, ...(account === undefined ? [] : ["-a", account]), "-w"] }
}

runResolver({
  program: "security",
  binEnv: "SECURITY_BIN",
  install: "it ships with macOS as /usr/bin/security (this resolver is for macOS)",
  // security finds the user's keychain search list from HOME and USER (base variables).
  env: [],
  argv: lookup,
  value: withoutTrailingNewline
})
