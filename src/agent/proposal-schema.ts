import { z } from 'zod'

/** The arguments of `propose_script`, as every framework's tool declares them. */
export const PROPOSAL_SCHEMA = z.object({
  language: z.enum(['bash', 'powershell']),
  script: z.string().min(1).max(8000),
  target: z.string().min(1).max(64),
  reason: z.string().min(1).max(500),
})

export type ProposalInput = z.infer<typeof PROPOSAL_SCHEMA>
