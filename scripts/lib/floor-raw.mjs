// The floor of key latency for any Node program, for scripts/bench-ui.ts: raw mode, and one short line written at
// the top of the screen for each key (q quits). Nothing else: what is left is Node's own stdin → stdout path and
// the terminal's.
process.stdin.setRawMode(true);
let count = 0;
process.stdout.write('\u001B[2J\u001B[Hready\n');
process.stdin.on('data', data => {
	if (data[0] === 0x71) {
		process.stdout.write('\u001B[2J\u001B[H');
		process.exit(0);
	}

	count++;
	process.stdout.write(`\u001B[Hkey ${count}   `);
});
