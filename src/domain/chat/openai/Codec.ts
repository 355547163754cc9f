/** The OpenAI Chat Completions wire shape, both directions (see ../Codec.ts for what each function promises). */
import type { ChatCodec } from "../Codec.js"
import { decodeAnswer, encodeAnswer, errorBody } from "./Answer.js"
import { decodeRequest } from "./DecodeRequest.js"
import { encodeRequest } from "./EncodeRequest.js"
import { streamDecoder, streamEncoder } from "./Stream.js"

export { decodeAnswer, decodeRequest, encodeAnswer, encodeRequest, errorBody, streamDecoder, streamEncoder }

export const openaiCodec: ChatCodec = {
  shape: "openai",
  decodeRequest,
  encodeRequest,
  decodeAnswer,
  encodeAnswer,
  streamDecoder,
  streamEncoder,
  errorBody
}
