// The table of commands: `layerscope NAME …`. Adding a command is one file in this directory exporting its
// CommandDefinition (src/cli/command.ts) and one line here; parsing, help and completions follow from it.
import type {CommandDefinition} from '../command.js';
import {cacheCommand} from './cache.js';
import {catCommand} from './cat.js';
import {compareCommand} from './compare.js';
import {completionCommand} from './completion.js';
import {diffCommand} from './diff.js';
import {extractCommand} from './extract.js';
import {helpCommand} from './help.js';
import {imageCommand} from './image.js';
import {treeCommand} from './tree.js';

export const commands: readonly CommandDefinition[] = [
	imageCommand,
	treeCommand,
	diffCommand,
	catCommand,
	extractCommand,
	compareCommand,
	helpCommand,
	completionCommand,
	cacheCommand,
];
