/** The codec for a wire shape, or for a provider's API shape. */
import type { ApiShape } from "../Provider.js"
import { anthropicCodec } from "./anthropic/Codec.js"
import type { ChatCodec } from "./Codec.js"
import type { WireShape } from "./Model.js"
import { openaiCodec } from "./openai/Codec.js"

export const codecFor = (shape: WireShape): ChatCodec => (shape === "openai" ? openaiCodec : anthropicCodec)

export const shapeOfApi = (api: ApiShape): WireShape => (api === "anthropic-messages" ? "anthropic" : "openai")
