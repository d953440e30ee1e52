// Negated query terms look like flags; for the query commands they are read as terms.
import { describe, expect, it } from 'vitest';
import { negatedTermsLast } from '../../src/cli/main.js';

describe('negated query terms on the command line', () => {
  it('move behind -- for list and check, keeping every other argument in order', () => {
    expect(negatedTermsLast(['list', 'state:all', '-status:closed', '--json'])).toEqual(['list', 'state:all', '--json', '--', '-status:closed']);
    expect(negatedTermsLast(['--profile', 'p', 'check', '-priority:low', '--max', '2'])).toEqual(['--profile', 'p', 'check', '--max', '2', '--', '-priority:low']);
    expect(negatedTermsLast(['ls', '-"printer jam"', '--', 'tag:x'])).toEqual(['ls', '--', '-"printer jam"', 'tag:x']);
  });

  it('move behind -- for the feed commands too', () => {
    expect(negatedTermsLast(['events', 'team:engineering', '-status:closed', '--since', '4h'])).toEqual(['events', 'team:engineering', '--since', '4h', '--', '-status:closed']);
    expect(negatedTermsLast(['watch', '-priority:low', '--json'])).toEqual(['watch', '--json', '--', '-priority:low']);
    // wait takes its query as the value of --until: left as typed
    const wait = ['wait', '5', '--until', '-escalated:true'];
    expect(negatedTermsLast(wait)).toBe(wait);
  });

  it('leave other commands alone, so a flag value that looks like a term stays a value', () => {
    const argv = ['move', '5', '--to', 'pending_customer', '--note', '-status:odd but true'];
    expect(negatedTermsLast(argv)).toBe(argv);
    expect(negatedTermsLast(['list', '--json'])).toEqual(['list', '--json']);
  });
});
