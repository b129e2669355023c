/**
 * The arguments of a chat-completions answer's call of `tool` (a forced tool call), or its JSON
 * content from a server that answered in text; a string saying what came instead when neither is
 * JSON, so the caller's schema check refuses it with that reason.
 */
export function toolCallArguments(body: unknown, tool: string): unknown {
  const message = (
    body as {
      choices?: Array<{
        message?: {
          content?: string | null
          tool_calls?: Array<{ function?: { name?: string; arguments?: string } }>
        }
      }>
    }
  ).choices?.[0]?.message
  const call = message?.tool_calls?.find((each) => each.function?.name === tool)
  const text = call?.function?.arguments ?? message?.content ?? ''
  try {
    return JSON.parse(text)
  } catch {
    return `not JSON: ${text.slice(0, 80)}`
  }
}
