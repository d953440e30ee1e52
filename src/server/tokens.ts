// API tokens: random, shown once, stored and looked up by their SHA-256 hash only.
import { createHash, randomBytes } from 'node:crypto';

/** A fresh API token: prefixed so it is recognisable in a leak scanner. */
export const newToken = () => `tix_${randomBytes(24).toString('base64url')}`;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
