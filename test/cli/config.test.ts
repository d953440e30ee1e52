// The credentials file: private to its owner whatever state it was found in.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/cli/config.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tix-config-'));
  dirs.push(dir);
  return new ConfigStore({ TIX_CONFIG_DIR: dir });
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const mode = (path: string) => statSync(path).mode & 0o777;

describe('credentials file', () => {
  it('is written with mode 0600 when the keyring is not used', async () => {
    const config = fresh();
    await config.saveProfile('local', { url: 'http://127.0.0.1:7878' });
    const where = await config.saveToken('local', 'tix_secret_value', { keyring: false });
    expect(where.store).toBe('file');
    expect(mode(config.credentialsPath)).toBe(0o600);
    expect(await config.token('local')).toBe('tix_secret_value');
    expect(config.profile('local')?.token_store).toBe('file');
  });

  it('a looser existing file is tightened to 0600 when read', async () => {
    const config = fresh();
    writeFileSync(config.credentialsPath, JSON.stringify({ local: 'tix_loose' }));
    chmodSync(config.credentialsPath, 0o644);
    expect(await config.token('local')).toBe('tix_loose');
    expect(mode(config.credentialsPath)).toBe(0o600);
    expect(config.tightened).toBe(true);
  });

  it('the profile store (conf) is private too', async () => {
    const config = fresh();
    await config.saveProfile('local', { url: 'http://127.0.0.1:7878' });
    expect(mode(join(config.dir, 'config.json'))).toBe(0o600);
    expect(readFileSync(join(config.dir, 'config.json'), 'utf8')).not.toContain('tix_');
  });

  it('logout removes the token', async () => {
    const config = fresh();
    await config.saveProfile('local', { url: 'http://127.0.0.1:7878' });
    await config.saveToken('local', 'tix_gone_soon', { keyring: false });
    expect(await config.removeToken('local')).toBe(true);
    expect(await config.token('local')).toBeUndefined();
    expect(readFileSync(config.credentialsPath, 'utf8')).not.toContain('tix_gone_soon');
  });
});

describe('profiles', () => {
  it('written through conf are read back by a fresh store, default included', async () => {
    const first = fresh();
    await first.saveProfile('staging', { url: 'https://tix.example.com', user: 'alice' });
    await first.setDefaultProfile('staging');
    const again = new ConfigStore({ TIX_CONFIG_DIR: first.dir });
    expect(again.defaultProfile).toBe('staging');
    expect(again.profile('staging')).toEqual({ url: 'https://tix.example.com', user: 'alice' });
    await again.removeProfile('staging');
    expect(new ConfigStore({ TIX_CONFIG_DIR: first.dir }).defaultProfile).toBeUndefined();
  });
});
