/**
 * HTML of letters (share-text, action-assign/profile): sanitized with sanitize-html (which also runs
 * in browsers) before it is sealed, and again whenever received HTML is shown — a letter from
 * someone else is never rendered as it arrived.
 */
import sanitize from 'sanitize-html';
import { htmlToText } from './text';

const OPTIONS: sanitize.IOptions = {
  allowedTags: ['b', 'i', 'em', 'strong', 'u', 's', 'a', 'p', 'br', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'h1', 'h2', 'h3', 'h4', 'span'],
  allowedAttributes: { a: ['href', 'title', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  // Script/style bodies are code, not text: dropped with their tags.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed'],
  disallowedTagsMode: 'discard',
  transformTags: { a: sanitize.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }) },
};

/** The HTML with only harmless tags and attributes left (links: http, https, mailto). */
export function sanitizeHtml(html: string): string {
  return sanitize(html, OPTIONS).trim();
}

/** Plain text of received HTML, for a terminal: sanitized first, then tags dropped and controls removed. */
export function safeText(html: string): string {
  return htmlToText(sanitizeHtml(html));
}
