/**
 * @module chat/announce
 * The chat page's one polite live region (#status): short notes for screen readers ("Copied to
 * the clipboard.", "Your conversation was restored.").
 */

/** Says `text` through the page's status line. */
export function announce(text) {
  const line = document.getElementById('status')
  if (line) line.textContent = text
}
