// The image figures agree between the text report, the JSON export and the TUI, up to each view's rounding: the TUI
// shows dive's forms (go-humanize sizes, efficiency truncated to a whole percent), the text report three
// significant digits and two decimals; both are roundings of the same exported numbers.
import assert from 'node:assert/strict';
import {before, test} from 'node:test';
import {formatTextReport} from '../../src/report/text.js';
import {toJsonExport} from '../../src/report/json.js';
import {Browser} from '../../src/ui/components/browser.js';
import {BrowserModel} from '../../src/ui/state/model.js';
import {demoImage, diveFixture, loadArchive} from '../helpers/fixtures.js';
import {drive} from './ink-driver.js';

type Loaded = Awaited<ReturnType<typeof loadArchive>>;
const images: Array<[string, Loaded]> = [];

before(async () => {
	images.push(['demo image', await loadArchive(await demoImage())], ['dive test image', await loadArchive(diveFixture('test-docker-image.tar'))]);
});

const units: Record<string, number> = {B: 1, kB: 1e3, MB: 1e6, GB: 1e9};

/** A shown size ("7.3 MB") as bytes, and the largest rounding error its digits allow. */
function bytesOf(text: string): {value: number; slack: number} {
	const match = /^([\d.]+) (B|kB|MB|GB)$/.exec(text);
	assert.ok(match, `a size: ${text}`);
	const digits = match[1]!;
	const decimals = digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0;
	const unit = units[match[2]!]!;
	return {value: Number(digits) * unit, slack: 0.5 * (10 ** -decimals) * unit};
}

function field(text: string, label: RegExp): string {
	const match = new RegExp(`^(?:${label.source}): ([^│]+?)\\s*(?:│|$)`, 'm').exec(text);
	assert.ok(match, `${label} in:\n${text}`);
	return match[1]!;
}

test('image figures: text report, JSON and TUI agree up to rounding', async () => {
	for (const [name, loaded] of images) {
		const json = toJsonExport(loaded.image, loaded.analysis) as {image: {sizeBytes: number; inefficientBytes: number; efficiencyScore: number; reclaimableBytes: number}};
		const exported = json.image;
		const report = formatTextReport(loaded.analysis);
		const ui = await drive(<Browser model={new BrowserModel(loaded)} viewport={{width: 120, height: 40}} colors={false} onQuit={() => {}}/>);
		const frame = ui.frame();
		ui.unmount();

		for (const [what, value, shown] of [
			['size', exported.sizeBytes, field(frame, /Total Image size/)],
			['wasted', exported.inefficientBytes, field(frame, /Potential wasted space/)],
			['reclaimable', exported.reclaimableBytes, field(frame, /Reclaimable by squash/)],
		] as const) {
			const {value: tuiValue, slack} = bytesOf(shown);
			assert.ok(Math.abs(tuiValue - value) <= slack + 1e-9 * value, `${name}: the TUI's ${what} ${shown} rounds ${value} B`);
		}

		const efficiency = field(frame, /Image efficiency score/);
		assert.equal(efficiency, `${Math.trunc(exported.efficiencyScore * 100)} %`, `${name}: efficiency truncated to a whole percent, as dive`);
		const reported = /^Efficiency:\s+([\d.]+) %$/m.exec(report);
		assert.ok(reported, report);
		assert.ok(Math.abs(Number(reported[1]) - exported.efficiencyScore * 100) <= 0.005 + 1e-9, `${name}: the text report's efficiency ${reported[1]} % rounds ${exported.efficiencyScore}`);
		for (const [what, value, pattern] of [
			['size', exported.sizeBytes, /^Total size:\s+([\d.]+ (?:B|kB|MB|GB))/m],
			['wasted', exported.inefficientBytes, /^Wasted space:\s+([\d.]+ (?:B|kB|MB|GB))/m],
			['reclaimable', exported.reclaimableBytes, /^Reclaimable by squash:\s+([\d.]+ (?:B|kB|MB|GB))/m],
		] as const) {
			const match = pattern.exec(report);
			assert.ok(match, `${what} in the text report:\n${report}`);
			const {value: reportValue, slack} = bytesOf(match[1]!);
			assert.ok(Math.abs(reportValue - value) <= slack + 1e-9 * value, `${name}: the text report's ${what} ${match[1]} rounds ${value} B`);
		}
	}
});
