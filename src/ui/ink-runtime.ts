// ink's render and the React functions the UI's entry points call, through one ES module that run.ts and
// compare-run.ts import lazily. (In the bundle, a dynamic import of React's CommonJS entry itself yields only its
// `default`; named imports from a static ES import are resolved by the bundler.)
export {render} from 'ink';
export {createElement, useEffect, useState} from 'react';
