/** The Anthropic Messages wire shape, both directions (see ../Codec.ts for what each function promises). */
import type { ChatCodec } from "../Codec.js"
import { decodeAnswer, encodeAnswer, errorBody } from "./Answer.js"
import { decodeRequest } from "./DecodeRequest.js"
import { DEFAULT_MAX_TOKENS, encodeRequest } from "./EncodeRequest.js"
import { streamDecoder, streamEncoder } from "./Stream.js"

export { decodeAnswer, decodeRequest, DEFAULT_MAX_TOKENS, encodeAnswer, encodeRequest, errorBody, streamDecoder, streamEncoder }

export const anthropicCodec: ChatCodec = {
  shape: "anthropic",
  decodeRequest,
  encodeRequest,
  decodeAnswer,
  encodeAnswer,
  streamDecoder,
  streamEncoder,
  errorBody
}
