// chalk and cli-table3 take ~13 ms to load, so they are required on first use, never by JSON, CSV or piped output.
// require() keeps the API synchronous; loading ESM chalk this way needs Node ≥ 20.19, our engines floor.
import { createRequire } from 'node:module';
import type Table from 'cli-table3';

const require = createRequire(import.meta.url);

export const loadChalk = () => require('chalk') as typeof import('chalk');
export const loadTable = () => require('cli-table3') as typeof Table;
