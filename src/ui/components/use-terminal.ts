// What both browsers (the image browser and compare) wire to ink the same way: keys become actions, a new
// terminal size becomes a resize action, and a state that says quit calls onQuit once it is drawn.
import {useInput} from 'ink';
import {useCallback, useEffect, useLayoutEffect} from 'react';
import {keysFromInk} from '../keymap.js';
import type {Action, Viewport} from '../state/types.js';

export function useTerminal(dispatch: (action: Action) => void, viewport: Viewport, quit: boolean, onQuit: () => void): void {
	useInput(useCallback((input, key) => {
		for (const pressed of keysFromInk(input, key)) {
			dispatch({type: 'key', name: pressed.name, text: pressed.text});
		}
	}, [dispatch]));

	useEffect(() => {
		dispatch({type: 'resize', viewport});
	}, [viewport.width, viewport.height]);

	useLayoutEffect(() => {
		if (quit) {
			onQuit();
		}
	}, [quit]);
}
