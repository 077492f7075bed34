// Key names from real terminal bytes (through ink's own input parsing), and the help bar/full help against the
// key table that drives input.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {useInput} from 'ink';
import {render} from 'ink-testing-library';
import {barText, fullHelp, helpBar, keyLabel, keyTable, keysFromInk, resolveKey} from '../../src/ui/keymap.js';
import {initialState} from '../../src/ui/state/reducer.js';
import type {UiState} from '../../src/ui/state/types.js';

function Recorder({seen}: {readonly seen: string[]}) {
	useInput((input, key) => {
		for (const pressed of keysFromInk(input, key)) {
			seen.push(pressed.text === '' || pressed.text === pressed.name ? pressed.name : `${pressed.name}:${pressed.text}`);
		}
	});
	return null;
}

async function namesFor(bytes: string): Promise<string[]> {
	const seen: string[] = [];
	const instance = render(<Recorder seen={seen}/>);
	// Let ink attach its stdin listener.
	await new Promise(resolve => {
		setImmediate(resolve);
	});
	instance.stdin.write(bytes);
	for (let tries = 0; tries < 20 && seen.length === 0; tries++) {
		await new Promise(resolve => {
			setImmediate(resolve);
		});
	}

	instance.unmount();
	return seen;
}

test('terminal bytes become key names', async () => {
	const cases: Array<[string, string[]]> = [
		['\u001B[A', ['up']],
		['\u001B[B', ['down']],
		['\u001B[D', ['left']],
		['\u001B[C', ['right']],
		['\u001B[5~', ['pgup']],
		['\u001B[6~', ['pgdn']],
		['\u001B[H', ['home']],
		['\u001B[F', ['end']],
		['\r', ['enter']],
		['\t', ['tab']],
		['\u001B[Z', ['shift+tab']],
		['\u007F', ['backspace']],
		['\u0001', ['ctrl+a']],
		['\u0002', ['ctrl+b']],
		['\u000C', ['ctrl+l']],
		['\u0012', ['ctrl+r']],
		['\u0015', ['ctrl+u']],
		['\u000F', ['ctrl+o']],
		['\u0006', ['ctrl+f']],
		['\u0003', ['ctrl+c']],
		['\u0000', ['ctrl+space']],
		[' ', ['space: ']],
		['G', ['G']],
		['/', ['/']],
		['?', ['?']],
		// Keys typed faster than they are read arrive together: each is a key.
		['jjj', ['j', 'j', 'j']],
		['\u007F\r\t', ['backspace', 'enter', 'tab']],
	];
	for (const [bytes, expected] of cases) {
		assert.deepEqual(await namesFor(bytes), expected, JSON.stringify(bytes));
	}

	assert.deepEqual(await namesFor('\u001B'), ['esc']);
});

function states(): UiState[] {
	const base = initialState({width: 120, height: 40});
	return [
		base,
		{...base, focus: 'tree'},
		{...base, focus: 'image'},
		{...base, filter: {...base.filter, open: true}},
		{...base, help: true},
	];
}

test('every help-bar item names a key that really runs its command', () => {
	for (const state of states()) {
		const items = helpBar(state);
		assert.ok(items.length > 0);
		for (const item of items) {
			if (item.key === '↑↓') {
				// Scrolling, both ways: each arrow runs its own direction.
				assert.deepEqual([resolveKey(state, 'up'), resolveKey(state, 'down')], ['cursor.up', 'cursor.down'], `${item.label} (focus ${state.focus})`);
				continue;
			}

			const binding = keyTable.find(candidate => candidate.keys.some(key => keyLabel(key) === item.key) && resolveKey(state, candidate.keys.find(key => keyLabel(key) === item.key)!) === candidate.command);
			assert.ok(binding, `${item.key} ${item.label} (focus ${state.focus})`);
		}
	}
});

test('Ctrl-A is labelled by pane: Aggregated in the layers pane, Added in the tree pane', () => {
	const [layers, tree] = states();
	assert.match(barText(helpBar(layers!)), /\^A ○Aggregated/);
	assert.doesNotMatch(barText(helpBar(layers!)), /Added/);
	assert.match(barText(helpBar(tree!)), /\^A ●Added/);
	assert.doesNotMatch(barText(helpBar(tree!)), /Aggregated/);
	const hidden = {...tree!, tree: {...tree!.tree, hidden: {...tree!.tree.hidden, added: true}}};
	assert.match(barText(helpBar(hidden)), /\^A ○Added/);
});

test('the full help lists every binding of the table', () => {
	const listed = fullHelp().flatMap(section => section.rows.map(row => `${row.keys}|${row.help}`));
	for (const binding of keyTable) {
		assert.ok(listed.includes(`${binding.keys.map(key => keyLabel(key)).join(' ')}|${binding.help}`), binding.command);
	}
});

test('the help bar after every key of random sequences is the one built for the new state (HelpBar builds it again only when what it reads changes)', async () => {
	const [{helpBarText, useHelpBarText}, {BrowserModel}, {reduce}, {diveFixture, loadArchive}, fc] = await Promise.all([
		import('../../src/ui/components/help-bar.js'),
		import('../../src/ui/state/model.js'),
		import('../../src/ui/state/reducer.js'),
		import('../helpers/fixtures.js'),
		import('fast-check'),
	]);
	const model = new BrowserModel(await loadArchive(diveFixture('test-docker-image.tar')));
	/** What HelpBar draws, read from its hook (the whole text: ink-testing-library's terminal is only 100 columns). */
	function Probe({state, width, seen}: {readonly state: UiState; readonly width: number; readonly seen: string[]}) {
		seen.push(useHelpBarText(state, width));
		return null;
	}

	// Keys that move, switch panes and toggle everything the bar shows (modes, hidden kinds, attributes, sort), and
	// open and close the filter and the help.
	const names = ['up', 'down', 'tab', 'shift+tab', 'ctrl+a', 'ctrl+l', 'ctrl+b', 'ctrl+r', 'ctrl+m', 'ctrl+u', 'ctrl+o', 'ctrl+f', '/', 'esc', 'enter', '?', 'space', 'ctrl+space'];
	fc.assert(fc.property(fc.array(fc.constantFrom(...names), {minLength: 1, maxLength: 25}), fc.constantFrom(60, 100, 250), (keys, width) => {
		const seen: string[] = [];
		let state = reduce(model, initialState({width, height: 30}), {type: 'resize', viewport: {width, height: 30}});
		const instance = render(<Probe state={state} width={width} seen={seen}/>);
		for (const name of keys) {
			state = reduce(model, state, {type: 'key', name, text: name.length === 1 ? name : ''});
			instance.rerender(<Probe state={state} width={width} seen={seen}/>);
			assert.equal(seen.at(-1), helpBarText(state, width), `after ${keys.join(' ')}`);
		}

		instance.unmount();
	}), {numRuns: 250});
});
