// Errors of the command line itself. The options and arguments of each command live in its definition
// (src/cli/commands/*.ts); src/cli/program.ts parses them with commander.

/** The command line is wrong (an unknown option, a missing image…): one line on stderr, exit 2. */
export class UsageError extends Error {
	override name = 'UsageError';
}
