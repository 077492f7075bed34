// Placeholder until the TUI lands: the text report.
import type {ParsedArgs} from './args.js';

export async function runUi(_target: string, _args: ParsedArgs): Promise<number> {
	throw new Error('the terminal UI is not available yet; use --no-tui');
}
