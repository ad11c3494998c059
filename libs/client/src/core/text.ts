/**
 * Received HTML is shown as plain text, never interpreted: tags become line breaks or nothing,
 * entities are decoded, and terminal control characters are removed (an ESC sequence in a letter
 * must not be able to rewrite the reader's screen).
 */

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
const BLOCK = /^(br|p|div|li|ul|ol|h[1-6]|blockquote|pre|tr|table|section|article|header|footer|hr)$/i;

/** Removes C0/C1 controls (except newline and tab), DEL, and bidi overrides that can disguise text. */
export function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8}|#39);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

/** Plain text of an HTML fragment, for display only. */
export function htmlToText(html: string): string {
  let s = html.replace(/<!--[\s\S]*?-->/g, '');
  // Script and style bodies are code, not content.
  s = s.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '');
  s = s.replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>/gi, (_m, tag: string) => (BLOCK.test(tag) ? '\n' : ''));
  // A stray '<' that opens no tag stays visible as text.
  s = decodeEntities(s);
  s = stripControls(s);
  return s
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
