/**
 * @module chat/feedback-slot
 * The thumbs up and down under one reply (reply-feedback.js), mounted once into a slot Preact
 * leaves alone: the buttons keep their own pressed state and messages, so a redraw of the
 * conversation never resets a rating being saved.
 */

import { html, useEffect, useRef } from '/ui/vendor/preact-htm.js'
import { feedbackControls, ratingsAvailable } from '../reply-feedback.js'

/** @param feedback `{sessionId, replyIndex: () => Promise<number>, rating?}` */
export function FeedbackSlot({ feedback }) {
  const slot = useRef(null)
  useEffect(() => {
    const node = slot.current
    if (!node) return undefined
    const controls = feedbackControls(feedback.sessionId, feedback.replyIndex, feedback.rating)
    let gone = false
    // Offered only where the server keeps ratings (asked once per page); appended without a
    // redraw of the conversation.
    void ratingsAvailable(feedback.sessionId).then((available) => {
      if (available && !gone) node.append(controls)
    })
    return () => {
      gone = true
      controls.remove()
    }
  }, [feedback])
  return html`<div class="reply-feedback-slot" ref=${slot}></div>`
}
