import { describe, expect, it } from 'vitest'
import { approvalNoteTasks } from './approval-note.ts'

const unsure = { tasks: ['outlook_sync'], ranked: [{ taskType: 'outlook_sync', score: 0.79 }] }
const sure = {
  tasks: ['software_install_request'],
  ranked: [{ taskType: 'software_install_request', score: 0.97 }],
}

describe('a note of approval or reason after a request', () => {
  it.each([
    "my manager already said yes, it's for the budget work",
    'my boss approved it',
    'my team lead has already signed off',
    "it's for the quarter close project",
  ])('%j stays with the request in hand', (message) => {
    expect(approvalNoteTasks(message, ['jira_access_request'], unsure)).toEqual([
      'jira_access_request',
    ])
  })

  it('is nothing without a request in hand, or when the message is a sure request of its own', () => {
    expect(approvalNoteTasks('my boss approved it', undefined, unsure)).toBeUndefined()
    expect(
      approvalNoteTasks('my boss approved it, install visio', ['jira_access_request'], sure),
    ).toBeUndefined()
    expect(
      approvalNoteTasks('outlook keeps crashing', ['jira_access_request'], unsure),
    ).toBeUndefined()
  })
})
