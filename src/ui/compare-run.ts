// Placeholder replaced below.
import type {ImageComparison} from '../analysis/compare.js';
import type {RawImage} from '../analysis/types.js';

export async function runCompareUi(_comparison: ImageComparison, _images: {a: RawImage; b: RawImage}): Promise<void> {
	throw new Error('the compare UI is not there yet: use --no-tui');
}
