#!/usr/bin/env node
// openclaw exec resolver for 1Password, through its CLI `op` (SPEC §9; README.md beside this file).
// An id is a secret reference without its scheme — `Vault/Item/field` or `Vault/Item/section/field` — or a whole
// `op://…` reference; `op read op://Vault/Item/field` prints the value.
import { optionLike, runResolver, withoutTrailingNewline } from "./protocol.mjs"

const SCHEME = "op://"

const reference = (id) => {
  const ref = id.startsWith(SCHEME) ? id : `${SCHEME}${id}`
  const parts = ref.slice(SCHEME.length).split("/")
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => p.length === 0)) {
    return { error: "a 1Password id is Vault/Item/field or Vault/Item/section/field (or the whole op:// reference)" }
  }
  if (parts.some(optionLike)) return { error: "a part of the id starts with '-'; refused" }
  return { argv: ["read", ref] }
}

runResolver({
  program: "op",
  binEnv: "OP_BIN",
  install: "install the 1Password CLI (https://developer.1password.com/docs/cli/get-started/)",
  // op reads its account, service-account and Connect settings from OP_* variables, its config from XDG_CONFIG_HOME.
  env: ["XDG_CONFIG_HOME"],
  envPrefixes: ["OP_"],
  argv: reference,
  value: withoutTrailingNewline
})
