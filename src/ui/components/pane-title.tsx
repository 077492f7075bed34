import {Text} from 'ink';
import {displayWidth, truncate} from '../text-width.js';

type Props = {
	/** Pane title. */
	readonly title: string;
	/** Text at the right end of the title line. */
	readonly extra?: string;
	/** Width of the pane. */
	readonly width: number;
	/** The pane has the keys: drawn with ━ (and bold) instead of ─, so it shows without colour too. */
	readonly focused: boolean;
};

/** A pane's title line: `━━ Layers ━━━━━━━`, never wider than the pane (the extra goes first, then the title is cut). */
export function PaneTitle({title, extra, width, focused}: Props) {
	const rule = focused ? '━' : '─';
	const head = `${rule}${rule} ${title} `;
	let tail = extra === undefined || extra === '' ? '' : ` ${extra} ${rule}`;
	if (displayWidth(head) + displayWidth(tail) > width) {
		tail = '';
	}

	const fill = Math.max(0, width - displayWidth(head) - displayWidth(tail));
	return (
		<Text bold={focused} wrap='truncate-end'>
			{truncate(head + rule.repeat(fill) + tail, width)}
		</Text>
	);
}
