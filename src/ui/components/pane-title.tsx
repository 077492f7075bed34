import {Text} from 'ink';

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

/** A pane's title line: `━━ Layers ━━━━━━━`. */
export function PaneTitle({title, extra, width, focused}: Props) {
	const rule = focused ? '━' : '─';
	const head = `${rule}${rule} ${title} `;
	const tail = extra === undefined || extra === '' ? '' : ` ${extra} ${rule}`;
	const fill = Math.max(0, width - [...head].length - [...tail].length);
	return (
		<Text bold={focused} wrap='truncate-end'>
			{head + rule.repeat(fill) + tail}
		</Text>
	);
}
