// Profiles in a `conf` store and tokens in a credentials file only its owner can read (0600).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Conf from 'conf';

export interface Profile {
  url: string;
  user?: string;
  /** The desk behind the URL (tix when absent). */
  provider?: 'tix' | 'rt';
  /** Where the token lives: the OS keyring, or the 0600 credentials file. */
  token_store?: 'keyring' | 'file';
}

const KEYRING_SERVICE = 'tix';
/** A keyring that does not answer this fast is treated as absent. */
const KEYRING_TIMEOUT_MS = 1500;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * The OS keyring (Keychain, Credential Manager, Secret Service) through @napi-rs/keyring.
 * Entries are named by config folder and profile, so two TIX_CONFIG_DIRs never share a token.
 */
async function keyringEntry(dir: string, profile: string) {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  return new AsyncEntry(KEYRING_SERVICE, `${profile}@${dir}`);
}

interface ConfigShape {
  default_profile?: string;
  profiles: Record<string, Profile>;
}

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.TIX_CONFIG_DIR) return env.TIX_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'tix');
}

export function dataDir(env: NodeJS.ProcessEnv): string {
  if (env.TIX_DATA_DIR) return env.TIX_DATA_DIR;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'tix');
}

export class ConfigStore {
  readonly dir: string;
  readonly credentialsPath: string;
  private readonly configPath: string;
  private writer?: Conf<ConfigShape>;
  /** Set when a credentials file was found readable by others and tightened. */
  tightened = false;

  constructor(env: NodeJS.ProcessEnv) {
    this.dir = configDir(env);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.configPath = join(this.dir, 'config.json');
    this.credentialsPath = join(this.dir, 'credentials.json');
  }

  /**
   * Reads parse conf's plain JSON file directly: every command reads the profile, and loading
   * conf costs ~40 ms of start-up. Writes go through conf, loaded only then.
   */
  private read(): ConfigShape {
    try {
      const data = JSON.parse(readFileSync(this.configPath, 'utf8')) as Partial<ConfigShape>;
      return { ...data, profiles: data.profiles ?? {} };
    } catch {
      return { profiles: {} };
    }
  }

  private async conf(): Promise<Conf<ConfigShape>> {
    if (!this.writer) {
      const { default: Conf } = await import('conf');
      // conf would write 0666 by default; profiles hold no secret but stay private anyway
      this.writer = new Conf<ConfigShape>({ cwd: this.dir, configName: 'config', configFileMode: 0o600, defaults: { profiles: {} } });
    }
    return this.writer;
  }

  get defaultProfile(): string | undefined {
    return this.read().default_profile;
  }

  async setDefaultProfile(name: string | undefined) {
    const conf = await this.conf();
    if (name === undefined) conf.delete('default_profile');
    else conf.set('default_profile', name);
  }

  profiles(): Record<string, Profile> {
    return this.read().profiles;
  }

  profile(name: string): Profile | undefined {
    return this.profiles()[name];
  }

  async saveProfile(name: string, profile: Profile) {
    (await this.conf()).set('profiles', { ...this.profiles(), [name]: profile });
  }

  async removeProfile(name: string) {
    const { [name]: _gone, ...rest } = this.profiles();
    (await this.conf()).set('profiles', rest);
    if (this.defaultProfile === name) await this.setDefaultProfile(undefined);
  }

  private readCredentials(): Record<string, string> {
    if (!existsSync(this.credentialsPath)) return {};
    const mode = statSync(this.credentialsPath).mode & 0o777;
    if (mode & 0o077) {
      chmodSync(this.credentialsPath, 0o600);
      this.tightened = true;
    }
    try {
      return JSON.parse(readFileSync(this.credentialsPath, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  private writeCredentials(tokens: Record<string, string>) {
    const tmp = `${this.credentialsPath}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.credentialsPath);
  }

  /** The stored token of a profile, from the keyring or the credentials file. */
  async token(profile: string): Promise<string | undefined> {
    if (this.profile(profile)?.token_store === 'keyring') {
      try {
        const entry = await keyringEntry(this.dir, profile);
        return (await withTimeout(entry.getPassword(), KEYRING_TIMEOUT_MS)) ?? undefined;
      } catch {
        return undefined;
      }
    }
    return this.readCredentials()[profile];
  }

  /**
   * Saves the token in the OS keyring when one answers quickly, else in the 0600 file.
   * Returns where it went, and why the keyring was not used.
   */
  async saveToken(profile: string, token: string, opts: { keyring?: boolean } = {}): Promise<{ store: 'keyring' | 'file'; reason?: string }> {
    let reason: string | undefined; // no keyring asked for: nothing to warn about
    if (opts.keyring !== false) {
      try {
        const entry = await keyringEntry(this.dir, profile);
        await withTimeout(entry.setPassword(token), KEYRING_TIMEOUT_MS);
        await this.setTokenStore(profile, 'keyring');
        this.removeFileToken(profile);
        return { store: 'keyring' };
      } catch (err) {
        reason = `OS keyring unavailable (${err instanceof Error ? err.message : String(err)})`;
      }
    }
    this.writeCredentials({ ...this.readCredentials(), [profile]: token });
    await this.setTokenStore(profile, 'file');
    return { store: 'file', reason };
  }

  private async setTokenStore(profile: string, store: 'keyring' | 'file') {
    const p = this.profile(profile);
    if (p && p.token_store !== store) await this.saveProfile(profile, { ...p, token_store: store });
  }

  private removeFileToken(profile: string): boolean {
    const all = this.readCredentials();
    if (!(profile in all)) return false;
    delete all[profile];
    this.writeCredentials(all);
    return true;
  }

  async removeToken(profile: string): Promise<boolean> {
    let removed = this.removeFileToken(profile);
    if (this.profile(profile)?.token_store === 'keyring') {
      try {
        const entry = await keyringEntry(this.dir, profile);
        removed = (await withTimeout(entry.deleteCredential(), KEYRING_TIMEOUT_MS)) || removed;
      } catch {
        // nothing reachable to remove
      }
      await this.setTokenStore(profile, 'file');
    }
    return removed;
  }
}
