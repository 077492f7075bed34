import {useInput} from 'ink';
import {keysFromInk} from '../keymap.js';
import {useCallback, useSyncExternalStore} from 'react';
import type {TuiStore} from '../load-store.js';
import {Browser} from './browser.js';
import {ProgressView} from './progress-view.js';

type Props = {
	readonly store: TuiStore;
	/** What is being loaded. */
	readonly title: string;
	readonly colors: boolean;
	/** The user quit the browser. */
	readonly onQuit: () => void;
	/** The user cancelled while loading. */
	readonly onCancel: () => void;
};

/** Progress while loading, then the browser. */
export function TuiRoot({store, title, colors, onQuit, onCancel}: Props) {
	const snapshot = useSyncExternalStore(store.subscribe, store.get);
	const loading = snapshot.model === undefined;
	// While loading: q or Ctrl-C cancels; any other key is kept and applied when the browser opens.
	useInput(useCallback((input, key) => {
		const keys = keysFromInk(input, key);
		const cancel = keys.findIndex(pressed => pressed.name === 'q' || pressed.name === 'ctrl+c');
		store.queueKeys(cancel < 0 ? keys : keys.slice(0, cancel));
		if (cancel >= 0) {
			onCancel();
		}
	}, [store, onCancel]), {isActive: loading});

	if (snapshot.model === undefined) {
		return <ProgressView title={title} progress={snapshot.progress} rate={snapshot.rate} preparing={snapshot.phase === 'preparing'} width={snapshot.viewport.width}/>;
	}

	// A container's writable layer is what `layerscope diff` is about: open on it.
	const {containerLayer} = snapshot.model.data;
	return <Browser model={snapshot.model} viewport={snapshot.viewport} colors={colors} onQuit={onQuit} initial={containerLayer === undefined ? undefined : {layer: containerLayer}} pendingKeys={snapshot.pendingKeys}/>;
}
