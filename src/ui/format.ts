// Small text formatters for the UI panes (byte sizes come from src/ci/go-format.ts, display widths from
// text-width.ts).
export {escapeCommand} from '../report/format.js';

/** dive's efficiency figure: whole percent, truncated. */
export function percentFloor(ratio: number): string {
	return Number.isFinite(ratio) ? `${Math.trunc(ratio * 100)} %` : 'n/a';
}

