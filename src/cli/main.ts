import { Command } from 'commander'
import { HelpdeskError, isHelpdeskError } from '../errors/index.ts'
import { auditExportCommand, auditVerifyCommand } from './audit-command.ts'
import {
  encryptCredentialCommand,
  evalCommand,
  ingestCommand,
  routeCommand,
  serveCommand,
} from './commands.ts'
import {
  type EvalConversationsOptions,
  evalConversationsCommand,
} from './eval-conversations-command.ts'
import { evalOperationsCommand } from './eval-operations-command.ts'
import { operationsListCommand, operationsShowCommand } from './operations-command.ts'
import { runCommand } from './run-command.ts'
import {
  usersAddCommand,
  usersListCommand,
  usersRevokeCommand,
  usersRotateCommand,
  usersTokensCommand,
} from './users-command.ts'
import { workerCommand } from './worker-command.ts'

interface EvalOptions extends Partial<EvalConversationsOptions> {
  input?: string
  operations?: string
  employeeRequests?: string
}

const program = new Command()
  .name('helpdesk')
  .description('AI IT helpdesk agent: runbooks in Chroma, routing, plans and a chat server')
  .showHelpAfterError()

program
  .command('serve')
  .description('start the chat server (and the embedded Chroma unless CHROMA_URL is set)')
  .option('--port <port>', 'port to listen on (default: PORT or 8080)')
  .option('--host <host>', 'address to bind (default: HOST or 127.0.0.1)')
  .action(serveCommand)

program
  .command('worker')
  .description(
    'run background jobs from the PostgreSQL queue (DATABASE_URL), apart from the API servers',
  )
  .action(workerCommand)

program
  .command('ingest')
  .description('embed the runbooks into Chroma; only what changed is written')
  .action(ingestCommand)

program
  .command('route')
  .description(
    'route requests: one JSON line {"id","text"} in, one {"id","tasks","ranked","ms"} out',
  )
  .requiredOption('--input <file>', 'JSON Lines file of {"id": "...", "text": "..."}')
  .action(routeCommand)

program
  .command('eval')
  .description(
    'evaluate routing on labelled requests (--input: top-1, top-3, out-of-scope P/R/F1, compound, latency) or whole conversations (--conversations: pass rate per agent adapter)',
  )
  .option(
    '--input <file>',
    'JSON Lines file of {"id", "text", "labels": [...]}; labels [] or ["out_of_scope"] mean none of the task types',
  )
  .option(
    '--conversations <file>',
    'JSON Lines file of conversations {"id", "as": {"username", "role"}, "turns": [{"message", "expect"}]}',
  )
  .option('--framework <name>', 'with --conversations: the adapter to play them on, or all', 'all')
  .option(
    '--inventory <file>',
    'with --conversations: inventory YAML for whose machine and which OS (steps stay dry runs)',
  )
  .option(
    '--account-map <file>',
    'with --conversations: account map YAML (whose account on each system, user groups)',
  )
  .option(
    '--operations <file>',
    'JSON Lines file of operation requests {"id", "text", "expected"} (docs/operations.md), read offline against --inventory',
  )
  .option(
    '--employee-requests <file>',
    'with --operations: a routing file of employee requests; counts those read as operations',
  )
  .option('--json', 'print the report as one JSON object')
  .option('--errors', 'list every misrouted request or failing conversation turn')
  .action(async (options: EvalOptions) => {
    if (options.operations !== undefined) {
      if (options.input !== undefined || options.conversations !== undefined)
        throw new HelpdeskError({
          code: 'INVALID_INPUT',
          message:
            'eval: --operations goes alone (with --inventory), not with --input or --conversations',
        })
      return evalOperationsCommand({ ...options, operations: options.operations })
    }
    if ((options.input === undefined) === (options.conversations === undefined))
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: 'eval: give --input FILE (routing) or --conversations FILE, one of the two',
      })
    if (options.conversations !== undefined)
      return evalConversationsCommand({ ...options, conversations: options.conversations })
    for (const flag of ['inventory', 'accountMap'] as const)
      if (options[flag] !== undefined)
        throw new HelpdeskError({
          code: 'INVALID_INPUT',
          message: `eval: --${flag === 'accountMap' ? 'account-map' : flag} goes with --conversations`,
        })
    return evalCommand({ ...options, input: options.input ?? '' })
  })

const operations = program
  .command('operations')
  .description('the operations catalog (data/operations): typed operations on machines and groups')
operations
  .command('list')
  .description('list the operations: id, risk, whether it changes anything, parameters')
  .option('--json', 'print one JSON array')
  .action(operationsListCommand)
operations
  .command('show')
  .description('show one operation: description, parameters and its Linux and Windows templates')
  .argument('<id>', 'an operation id, e.g. service.stop')
  .action(operationsShowCommand)

program
  .command('run')
  .description(
    "run a runbook's plan directly: exit 0 on success, 1 when a step failed or awaits approval, 2 on invalid input",
  )
  .argument('<task-type>', 'a runbook id, e.g. account_locked')
  .option(
    '--param <name=value>',
    'a parameter value (repeatable)',
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option('--target <machine>', 'run machine steps on this inventory target')
  .option('--group <group>', 'run machine steps on every target of this inventory group')
  .option('--dry-run', 'show exactly what would run; change nothing')
  .option('--yes', "approve the plan's steps as the technician running the command (audited)")
  .option('--requester <username>', 'who asked for it (default: cli:<your user name>)')
  .option('--json', 'print one JSON object with every result')
  .action(runCommand)

const audit = program
  .command('audit')
  .description('the tamper-evident audit log (HMAC-chained, checkpointed outside the database)')
audit
  .command('verify')
  .description(
    'check the audit chain under its key (HELPDESK_AUDIT_KEY, HELPDESK_AUDIT_KEY_FILE or audit.key beside the database) against its head and its signed checkpoints (HELPDESK_AUDIT_CHECKPOINT_FILE or audit-checkpoints.jsonl beside the database): exit 0 when intact, 1 naming what is wrong (a changed, inserted or deleted record, a cut, wiped or rolled-back log, a dropped table, an edited checkpoint, a missing or wrong key)',
  )
  .option(
    '--database <file>',
    'SQLite file (default: HELPDESK_DATABASE or $HELPDESK_DATA_DIR/helpdesk.sqlite)',
  )
  .action(auditVerifyCommand)
audit
  .command('export')
  .description(
    'print the audit records as JSON lines for a SIEM: one {sequence, at, actor, action, target, requestId, detail, previousHash, hash, format, keyId} per line, in order',
  )
  .option(
    '--since <time>',
    'only records written at or after this ISO 8601 date or time with zone (e.g. 2026-05-01T08:00:00Z)',
  )
  .option(
    '--database <file>',
    'SQLite file (default: HELPDESK_DATABASE or $HELPDESK_DATA_DIR/helpdesk.sqlite)',
  )
  .action(auditExportCommand)

const users = program
  .command('users')
  .description('who may use the chat and the API, with which role, by bearer token')
users
  .command('add')
  .description('add a user; prints their bearer token, which is shown only this once')
  .argument('<username>', 'letters, digits, . _ - (e.g. maria.garcia)')
  .requiredOption('--role <role>', 'requester, technician or admin')
  .action(usersAddCommand)
users
  .command('list')
  .description('list the users and their roles (never their tokens)')
  .option('--json', 'print one JSON array')
  .action(usersListCommand)
users
  .command('tokens')
  .description('list bearer tokens: id, owner, created, expires, state (never the token)')
  .argument('[username]', 'only this user’s tokens')
  .option('--json', 'print one JSON array')
  .action(usersTokensCommand)
users
  .command('revoke')
  .description('revoke every token of a user, or one with --token; the user stays')
  .argument('<username>', 'whose tokens')
  .option(
    '--token <id>',
    'only this token (an id from helpdesk users tokens, e.g. tok_0123456789ab)',
  )
  .action(usersRevokeCommand)
users
  .command('rotate')
  .description('issue a new token for a user (shown once) and revoke all their older ones')
  .argument('<username>', 'whose token')
  .action(usersRotateCommand)

program
  .command('credentials')
  .description('credential references for the inventory')
  .command('encrypt')
  .description(
    'read a secret on standard input; print an encrypted: reference (key: HELPDESK_SECRET_KEY)',
  )
  .action(encryptCredentialCommand)

// `helpdesk route ... | head` closes the pipe early: stop quietly, as other Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (isHelpdeskError(error)) {
    process.stderr.write(`helpdesk: ${error.message}\n`)
    process.exit(error.category === 'USER' ? 2 : 1)
  }
  throw error
}
