// Profiles in a `conf` store and tokens in a credentials file only its owner can read (0600).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';

export interface Profile {
  url: string;
  user?: string;
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
  private readonly conf: Conf<ConfigShape>;
  readonly dir: string;
  readonly credentialsPath: string;
  /** Set when a credentials file was found readable by others and tightened. */
  tightened = false;

  constructor(env: NodeJS.ProcessEnv) {
    this.dir = configDir(env);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // conf would write 0666 by default; profiles hold no secret but stay private anyway
    this.conf = new Conf<ConfigShape>({ cwd: this.dir, configName: 'config', configFileMode: 0o600, defaults: { profiles: {} } });
    this.credentialsPath = join(this.dir, 'credentials.json');
  }

  get defaultProfile(): string | undefined {
    return this.conf.get('default_profile');
  }

  set defaultProfile(name: string | undefined) {
    if (name === undefined) this.conf.delete('default_profile');
    else this.conf.set('default_profile', name);
  }

  profiles(): Record<string, Profile> {
    return this.conf.get('profiles') ?? {};
  }

  profile(name: string): Profile | undefined {
    return this.profiles()[name];
  }

  saveProfile(name: string, profile: Profile) {
    this.conf.set('profiles', { ...this.profiles(), [name]: profile });
  }

  removeProfile(name: string) {
    const { [name]: _gone, ...rest } = this.profiles();
    this.conf.set('profiles', rest);
    if (this.defaultProfile === name) this.defaultProfile = undefined;
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

  token(profile: string): string | undefined {
    return this.readCredentials()[profile];
  }

  saveToken(profile: string, token: string) {
    this.writeCredentials({ ...this.readCredentials(), [profile]: token });
  }

  removeToken(profile: string): boolean {
    const all = this.readCredentials();
    if (!(profile in all)) return false;
    delete all[profile];
    this.writeCredentials(all);
    return true;
  }
}
