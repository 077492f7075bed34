// Driving an ink-testing-library render with named keys, waiting for frames instead of sleeping.
import {render} from 'ink-testing-library';
import type {ReactElement} from 'react';

export const keys: Readonly<Record<string, string>> = {
	up: '\u001B[A',
	down: '\u001B[B',
	left: '\u001B[D',
	right: '\u001B[C',
	pgup: '\u001B[5~',
	pgdn: '\u001B[6~',
	home: '\u001B[H',
	end: '\u001B[F',
	enter: '\r',
	esc: '\u001B',
	tab: '\t',
	'shift+tab': '\u001B[Z',
	backspace: '\u007F',
	space: ' ',
	'ctrl+space': '\u0000',
	'ctrl+a': '\u0001',
	'ctrl+b': '\u0002',
	'ctrl+c': '\u0003',
	'ctrl+e': '\u0005',
	'ctrl+f': '\u0006',
	'ctrl+l': '\u000C',
	'ctrl+m': '\r',
	'ctrl+o': '\u000F',
	'ctrl+r': '\u0012',
	'ctrl+u': '\u0015',
};

async function tick(): Promise<void> {
	await new Promise(resolve => {
		setImmediate(resolve);
	});
}

export type Driven = {
	/** Press keys one by one (names from `keys`, or literal text), each waiting for its new frame. */
	press: (...names: string[]) => Promise<void>;
	/** Press keys that must change nothing: each written, then 50 ticks; throws when one drew a new frame. */
	pressInert: (...names: string[]) => Promise<void>;
	frame: () => string;
	frames: () => number;
	unmount: () => void;
};

export async function drive(element: ReactElement): Promise<Driven> {
	const instance = render(element);
	await tick();
	const press = async (...names: string[]): Promise<void> => {
		for (const name of names) {
			const before = instance.frames.length;
			instance.stdin.write(keys[name] ?? name);
			for (let tries = 0; instance.frames.length === before; tries++) {
				if (tries > 200) {
					throw new Error(`no new frame after key ${JSON.stringify(name)}`);
				}

				await tick();
			}
		}
	};

	const pressInert = async (...names: string[]): Promise<void> => {
		for (const name of names) {
			const before = instance.frames.length;
			instance.stdin.write(keys[name] ?? name);
			for (let tries = 0; tries < 50; tries++) {
				await tick();
			}

			if (instance.frames.length !== before) {
				throw new Error(`key ${JSON.stringify(name)} drew a new frame:\n${instance.lastFrame() ?? ''}`);
			}
		}
	};

	return {
		press,
		pressInert,
		frame: () => instance.lastFrame() ?? '',
		frames: () => instance.frames.length,
		unmount: instance.unmount,
	};
}
