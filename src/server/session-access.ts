import type { Session, SessionStore } from '../agent/core/session.ts'
import { HelpdeskError } from '../errors/index.ts'
import { samePerson } from '../identity/user.ts'
import type { Caller } from './authentication.ts'

/** A session is visible to its owner and to admins; to anyone else it does not exist. */
export function maySeeSession(caller: Caller, session: Session): boolean {
  return (
    (session.owner !== undefined && samePerson(session.owner, caller.username)) ||
    (caller.signedIn && caller.role === 'admin')
  )
}

/**
 * The session, if the caller may see it.
 * @throws {HelpdeskError} SESSION_NOT_FOUND for an unknown id and, with the very same answer, for
 *   another user's session, so a guessed or leaked id reveals nothing.
 */
export async function findVisibleSession(
  sessions: SessionStore,
  caller: Caller,
  sessionId: string,
): Promise<Session> {
  const session = await sessions.get(sessionId)
  if (!session || !maySeeSession(caller, session)) {
    throw new HelpdeskError({
      code: 'SESSION_NOT_FOUND',
      message: `sessionId: no session "${sessionId.slice(0, 80)}"; omit sessionId to start a new one`,
    })
  }
  return session
}
