// The floor of key latency for an ink 6 + React 19 app, for scripts/bench-ui.ts: ONE <Text> whose counter changes
// with each key (↓/PgDn up, ↑/PgUp down; q quits), React's production build, ink's render options as layerscope's
// own (src/ui/run.ts: maxFps 30, full redraws). Whatever layerscope's UI does, a key cannot cost less than this
// (React's scheduler and commit, yoga's layout, ink's output and its write).
import {Text, render, useApp, useInput} from 'ink';
import {createElement, useState} from 'react';

function App() {
	const [count, setCount] = useState(0);
	const {exit} = useApp();
	useInput((input, key) => {
		if (input === 'q') {
			exit();
		} else if (key.downArrow || key.pageDown) {
			setCount(value => value + 1);
		} else if (key.upArrow || key.pageUp) {
			setCount(value => value - 1);
		}
	});
	return createElement(Text, null, `ready: key ${count}`);
}

render(createElement(App), {maxFps: 30, incrementalRendering: false});
