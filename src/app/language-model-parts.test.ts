import { describe, expect, it } from 'vitest'
import { ModelReplyWriter } from '../agent/understanding/model-reply-writer.ts'
import { ModelUnderstanding } from '../agent/understanding/model-understanding.ts'
import { modelEndpointFromEnvironment } from '../models/model-endpoint.ts'
import { languageModelParts } from './build-agents.ts'

describe('what a configured LLM adds to the model-driven adapters', () => {
  it('offline (no LLM_BASE_URL): nothing; the rules decide and the plan is the reply', () => {
    const endpoint = modelEndpointFromEnvironment({})
    expect(languageModelParts({ endpoint, instructions: new Map(), log: () => {} })).toEqual({})
  })

  it('with LLM_BASE_URL: the understanding step and the reply writer', () => {
    const endpoint = modelEndpointFromEnvironment({
      LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      LLM_MODEL: 'llama3.1',
    })
    const parts = languageModelParts({ endpoint, instructions: new Map(), log: () => {} })
    expect(parts.understanding).toBeInstanceOf(ModelUnderstanding)
    expect(parts.replyWriter).toBeInstanceOf(ModelReplyWriter)
  })
})
