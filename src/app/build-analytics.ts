/**
 * The analytics and the replies' ratings, over the project stores the rest of the server uses.
 * @module
 */
import type { ConversationArchive } from '../agent/core/session.ts'
import { AnalyticsService } from '../analytics/analytics-service.ts'
import type { ReplyFeedbackStore } from '../analytics/feedback/reply-feedback.ts'
import { loadTimeSavedSettings } from '../analytics/time-saved-settings.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import { meteredStore } from '../observability/metrics.ts'
import type { ProjectStores } from '../store/project-stores.ts'

/** @throws {HelpdeskError} INVALID_CONFIGURATION for a bad time-saved file, naming the field. */
export async function buildAnalytics(
  config: Pick<HelpdeskConfig, 'HELPDESK_TIME_SAVED_FILE'>,
  stores: ProjectStores,
  conversations: ConversationArchive,
  audit: AuditLog | undefined,
): Promise<{ analytics: AnalyticsService; feedback: ReplyFeedbackStore }> {
  const timeSaved = await loadTimeSavedSettings(config.HELPDESK_TIME_SAVED_FILE)
  const feedback = meteredStore(stores.feedback(), 'reply-feedback')
  const analytics = new AnalyticsService({
    conversations,
    feedback,
    timeSaved,
    ...(audit ? { audit } : {}),
  })
  return { analytics, feedback }
}
