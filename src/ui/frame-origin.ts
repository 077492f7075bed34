// Which output streams have ink's frames drawn from the top left corner of the screen: the alternate screen,
// cleared and with the cursor home before ink's first frame (run.ts, compare-run.ts). There, the bundle's
// log-update (src/ui/bundle/log-update.ts) writes only the lines of a frame that changed, each at its row.
/** Streams (process.stdout) whose every ink frame starts at row 1, column 1. */
export const framesAtHome = new WeakSet<object>();
