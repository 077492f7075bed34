// Small text formatters for the UI panes (byte sizes come from src/ci/go-format.ts, padding and one-line
// commands from src/report/format.ts).

/** Cut text into lines of at most `width` characters (code points), for fixed-height panes. */
export function chop(text: string, width: number): string[] {
	const chars = [...text];
	if (width <= 0) {
		return [];
	}

	const lines: string[] = [];
	for (let index = 0; index < chars.length; index += width) {
		lines.push(chars.slice(index, index + width).join(''));
	}

	return lines.length === 0 ? [''] : lines;
}

/** Fit text to exactly `width` columns (code points), cutting with … when too long. */
export function fit(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	const chars = [...text];
	if (chars.length <= width) {
		return text + ' '.repeat(width - chars.length);
	}

	return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
}

/** dive's efficiency figure: whole percent, truncated. */
export function percentFloor(ratio: number): string {
	return Number.isFinite(ratio) ? `${Math.trunc(ratio * 100)} %` : 'n/a';
}
