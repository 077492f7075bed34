import assert from 'node:assert/strict';
import {test} from 'node:test';
import {globMatcher} from '../../src/ci/ignore.js';
import {ignoreMatcher, loadCiConfig} from '../../src/ci/index.js';
import {fixtureAnalysis} from './fixture-analysis.js';

function matches(pattern: string, path: string): boolean {
	const matcher = globMatcher([pattern]);
	assert.ok(matcher);
	return matcher(path);
}

test('a plain path covers itself and its subtree, nothing else', () => {
	assert.equal(matches('/root/example', '/root/example'), true);
	assert.equal(matches('/root/example', '/root/example/somefile1.txt'), true);
	assert.equal(matches('/root/example/', '/root/example/a/b'), true);
	assert.equal(matches('/root/example', '/root/examples'), false);
	assert.equal(matches('/root/example', '/root'), false);
	assert.equal(matches('root/example', '/root/example/x'), true, 'the leading "/" is optional');
	assert.equal(matches('/root/a.b', '/root/aXb'), false, '"." is literal');
	assert.equal(matches('/a[1]', '/a[1]'), true, '"[" is literal');
	assert.equal(matches('/a+(b)', '/a+(b)/c'), true);
	assert.equal(matches('/a+(b)', '/ab'), false, 'no extglob');
	assert.equal(matches('/a/(b|c)', '/a/b'), false, 'no groups');
	assert.equal(matches('/a/(b|c)', '/a/(b|c)'), true);
	assert.equal(matches('/a{b,c}', '/ab'), false, 'no braces');
	assert.equal(matches('/a{b,c}', '/a{b,c}'), true);
	assert.equal(matches('/a[bc]', '/ab'), false, 'no brackets');
	assert.equal(matches('!/tmp', '/!/tmp'), true, 'no negation');
	assert.equal(matches('!/tmp', '/etc'), false);
	assert.equal(matches(String.raw`/x\y*`, String.raw`/x\yz`), true, 'a backslash is a character');
	assert.equal(matches('/a$b^c@d', '/a$b^c@d'), true);
});

test('names starting with "." match *, ? and **', () => {
	assert.equal(matches('/root/*', '/root/.bashrc'), true);
	assert.equal(matches('**/*.pyc', '/usr/.hidden/x.pyc'), true);
	assert.equal(matches('/root/?bashrc', '/root/.bashrc'), true);
	assert.equal(matches('/**/.wh.x', '/a/.wh.x'), true);
	assert.equal(matches('/var/**', '/var/.cache/x'), true);
});

test('non-ASCII names', () => {
	assert.equal(matches('/データ/*', '/データ/ファイル.txt'), true);
	assert.equal(matches('/é?', '/éa'), true);
});

test('* and ? stay within one segment', () => {
	assert.equal(matches('/root/*.txt', '/root/saved.txt'), true);
	assert.equal(matches('/root/*.txt', '/root/example/somefile1.txt'), false);
	assert.equal(matches('/root/*', '/root/example/somefile1.txt'), true, 'matches the directory, so its subtree');
	assert.equal(matches('/root/somefile?.txt', '/root/somefile1.txt'), true);
	assert.equal(matches('/root/somefile?.txt', '/root/somefile10.txt'), false);
	assert.equal(matches('/root/?', '/root/a/b'), true);
	assert.equal(matches('/r*t', '/root'), true);
	assert.equal(matches('/r*t', '/ro/ot'), false);
});

test('** crosses segments, including none', () => {
	assert.equal(matches('**/*.pyc', '/a.pyc'), true);
	assert.equal(matches('**/*.pyc', '/usr/lib/python3/x/y.pyc'), true);
	assert.equal(matches('**/*.pyc', '/usr/lib/y.py'), false);
	assert.equal(matches('/var/**/cache', '/var/cache'), true);
	assert.equal(matches('/var/**/cache', '/var/lib/apt/cache/x'), true);
	assert.equal(matches('/var/**/cache', '/var/lib/apt/xcache'), false);
	assert.equal(matches('/var/cache/**', '/var/cache'), true);
	assert.equal(matches('/var/cache/**', '/var/cache/apt/a.deb'), true);
	assert.equal(matches('/var/cache/**', '/var/cached'), false);
	assert.equal(matches('/a**z', '/abcz'), true, '** inside a segment is a *');
	assert.equal(matches('/a**z', '/a/b/z'), false);
	assert.equal(matches('/', '/anything/at/all'), true);
});

test('an empty list gives no matcher; any pattern of a list may match', () => {
	assert.equal(globMatcher([]), undefined);
	const matcher = globMatcher(['/tmp', '**/*.log']);
	assert.ok(matcher);
	assert.equal(matcher('/tmp/x'), true);
	assert.equal(matcher('/var/log/a.log'), true);
	assert.equal(matcher('/var/log/a.txt'), false);
});

test('ignorePaths take paths out of the wasted-space figures (dive #347)', async () => {
	const plain = await fixtureAnalysis('test-docker-image.tar');
	const config = loadCiConfig({}, '/nonexistent-dir-for-ci-test');
	assert.equal(ignoreMatcher(config), undefined);

	const ignore = globMatcher(['/root/example']);
	const analysis = await fixtureAnalysis('test-docker-image.tar', {ignore});
	assert.deepEqual(analysis.image.inefficiencies.map(item => item.path), ['/root/saved.txt']);
	assert.equal(analysis.image.wastedBytes, 12_810);
	assert.equal(plain.image.wastedBytes, 32_025);
	assert.ok(analysis.image.efficiency > plain.image.efficiency);
	// Ignored means ignored for reclaimableBytes too: only /root/saved.txt's first copy is left to reclaim.
	assert.equal(plain.image.reclaimableBytes, 32_025);
	assert.equal(analysis.image.reclaimableBytes, 6405);
	assert.equal((await fixtureAnalysis('test-docker-image.tar', {ignore: globMatcher(['**/*.txt'])})).image.reclaimableBytes, 0);
	// The image itself is unchanged: only the accounting differs.
	assert.equal(analysis.image.sizeBytes, plain.image.sizeBytes);
	assert.equal(analysis.image.userSizeBytes, plain.image.userSizeBytes);
});
