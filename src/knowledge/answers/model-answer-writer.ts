import type { ModelEndpoint } from '../../models/model-endpoint.ts'
import {
  type AnswerRequest,
  type AnswerWriter,
  citationOf,
  type RunbookAnswer,
  sourcesOf,
} from './answer-writer.ts'
import { extractiveAnswer } from './extractive-answer-writer.ts'

/** Longest answer asked of the model; an answer is a few sentences or steps. */
const MAXIMUM_TOKENS = 400

export const ANSWER_SYSTEM_PROMPT = [
  "You answer an employee's how-to or why question for an IT helpdesk.",
  'Use ONLY the runbook passages given in the message. Do not add facts, commands, settings or',
  'links that are not in them. If the passages do not answer the question, say so in one',
  'sentence. Keep numbered steps as numbered steps. Write plain text for an employee, at most',
  'about 150 words. Do not name the sources; they are cited for you.',
].join(' ')

/**
 * Generates the answer with an OpenAI-compatible chat-completions model from the retrieved
 * passages only (the prompt says so, and only they are sent). The sources are the passages'
 * sections, cited by this code, never by the model. A model that fails, times out or answers
 * nothing gives the extractive answer instead.
 */
export class ModelAnswerWriter implements AnswerWriter {
  readonly id = 'model'
  private readonly endpoint: Pick<ModelEndpoint, 'baseURL' | 'model' | 'apiKey' | 'fetch'>
  private readonly log: (line: string) => void

  constructor(
    endpoint: Pick<ModelEndpoint, 'baseURL' | 'model' | 'apiKey' | 'fetch'>,
    options: { log?: (line: string) => void } = {},
  ) {
    this.endpoint = endpoint
    this.log = options.log ?? (() => {})
  }

  async write(request: AnswerRequest): Promise<RunbookAnswer> {
    const sources = sourcesOf(request.passages)
    try {
      const text = await this.complete(request)
      if (text) return { text: `${text}\n\n${citationOf(request.runbookTitle, sources)}`, sources }
      this.log(
        `answer model ${this.endpoint.model} answered nothing; the extractive answer is used`,
      )
    } catch (error) {
      this.log(
        `answer model ${this.endpoint.model} failed (${(error as Error).message}); the extractive answer is used`,
      )
    }
    return extractiveAnswer(request)
  }

  private async complete(request: AnswerRequest): Promise<string> {
    const passages = request.passages
      .map((passage, index) => `[${index + 1}] ${passage.section}: ${passage.text}`)
      .join('\n')
    const response = await this.endpoint.fetch(
      `${this.endpoint.baseURL.replace(/\/+$/, '')}/chat/completions`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.endpoint.apiKey}`,
        },
        body: JSON.stringify({
          model: this.endpoint.model,
          temperature: 0,
          max_tokens: MAXIMUM_TOKENS,
          messages: [
            { role: 'system', content: ANSWER_SYSTEM_PROMPT },
            {
              role: 'user',
              content: `Runbook: ${request.runbookTitle}\nPassages:\n${passages}\n\nQuestion: ${request.question}`,
            },
          ],
        }),
      },
    )
    if (!response.ok) {
      await response.body?.cancel()
      throw new Error(`HTTP ${response.status}`)
    }
    const body = (await response.json()) as {
      choices?: Array<{ message?: { content?: unknown } }>
    }
    const content = body.choices?.[0]?.message?.content
    return typeof content === 'string' ? content.trim() : ''
  }
}
