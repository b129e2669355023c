import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runReplyFeedbackContract } from './reply-feedback-contract.case.test.ts'
import { SqliteReplyFeedbackStore } from './sqlite-reply-feedback-store.ts'

runReplyFeedbackContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'feedback-')), 'helpdesk.sqlite')
    return {
      store: new SqliteReplyFeedbackStore({ file }),
      reopen: async () => new SqliteReplyFeedbackStore({ file }),
    }
  },
})
