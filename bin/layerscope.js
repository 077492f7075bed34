#!/usr/bin/env node
// compare's worker thread starts first (it loads while the CLI does: src/cli/compare-prestart.ts).
import {URL} from 'node:url';
import {prestartCompareWorker} from '../dist/cli/compare-prestart.js';

prestartCompareWorker(process.argv.slice(2), new URL('../dist/cli/compare-load.js', import.meta.url));
const {main} = await import('../dist/cli/main.js');
main(process.argv.slice(2));
