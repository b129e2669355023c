import { describe, expect, it } from 'vitest'
import { chunkIdentity, chunkKnowledge } from './chunk-instructions.ts'

describe('chunk ids', () => {
  it('name the task type and kind they were made from, out-of-scope topics included', () => {
    const chunks = chunkKnowledge(
      [],
      [
        {
          topic: 'facilities',
          handoff: 'Ask reception.',
          near: [],
          examples: ['the lift is stuck'],
        },
      ],
      'data/routing/out-of-scope.yaml',
    )
    const [chunk] = chunks
    expect(chunk && chunkIdentity(chunk.id)).toEqual({
      taskType: 'out_of_scope:facilities',
      kind: 'out_of_scope',
    })
    expect(chunkIdentity('vpn_not_connecting:example:0a1b2c')).toEqual({
      taskType: 'vpn_not_connecting',
      kind: 'example',
    })
  })

  it('leave ids of another scheme unnamed rather than guessed', () => {
    expect(chunkIdentity('a')).toBeUndefined()
    expect(chunkIdentity('vpn:paragraph:0a1b')).toBeUndefined()
    expect(chunkIdentity(':example:0a1b')).toBeUndefined()
  })
})
