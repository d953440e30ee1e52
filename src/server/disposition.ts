// Content-Disposition for a download (RFC 6266): the real name as UTF-8, and an ASCII one for old clients.

/** Characters RFC 8187 lets through unencoded in `filename*`; encodeURIComponent also leaves ' ( ) * alone. */
const encodeExt = (name: string) => encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The name with accents dropped and anything else outside printable ASCII (or a quote, backslash, %) as `_`. */
export function asciiFallback(name: string): string {
  const plain = name.normalize('NFKD').replace(/\p{M}/gu, '');
  return plain.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
}

export function contentDisposition(name: string): string {
  const fallback = asciiFallback(name);
  return fallback === name ? `attachment; filename="${name}"` : `attachment; filename="${fallback}"; filename*=UTF-8''${encodeExt(name)}`;
}
