// The built command line on real archives: outputs, files, exit codes and error lines.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {commands} from '../../src/cli/commands/index.js';
import {runCli} from '../helpers/cli.js';
import {diveFixture, repoRoot} from '../helpers/fixtures.js';

const fixture = diveFixture('test-docker-image.tar');
const work = mkdtempSync(path.join(tmpdir(), 'layerscope-cli-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

test('the text report when stdout is not a terminal', async () => {
	const result = await runCli([fixture]);
	assert.equal(result.code, 0, result.stderr);
	assert.match(result.stdout, /^Image: test-docker-image\.tar \(dive-test:latest\)$/m);
	assert.match(result.stdout, /^Efficiency: {12}98\.44 %$/m);
	assert.match(result.stdout, /^Wasted space: {10}32 kB \(32025 bytes\)$/m);
	assert.match(result.stdout, /^User wasted: {11}48\.35 % of 66\.2 kB added above the base layer$/m);
	assert.match(result.stdout, /^ {2}2 {6}12\.8 kB {7}\/root\/saved\.txt$/m);
	assert.match(result.stdout, /^ {2}13 {2}6\.41 kB {2}\+0 ~1 -0 {11}chmod \+x \/root\/saved\.txt$/m);
	assert.equal(result.stderr, '');
});

test('--json - writes the dive export to stdout; --json FILE writes it atomically', async () => {
	const stdout = await runCli([fixture, '--json', '-']);
	assert.equal(stdout.code, 0);
	const document = JSON.parse(stdout.stdout) as {image: {efficiencyScore: number; inefficientBytes: number; userWastedPercent: number}; layer: unknown[]};
	assert.equal(document.image.efficiencyScore, 0.984_421_213_418_430_9);
	assert.equal(document.image.inefficientBytes, 32_025);
	assert.equal(document.layer.length, 14);

	const file = path.join(work, 'out.json');
	const written = await runCli([fixture, '--json', file]);
	assert.equal(written.code, 0, written.stderr);
	assert.equal(written.stdout, '');
	assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), document);
	assert.deepEqual(readdirSync(work), ['out.json'], 'no temporary file left behind');
});

test('a failed run never leaves a partial output file, nor replaces an existing one', async () => {
	const file = path.join(work, 'kept.json');
	writeFileSync(file, 'previous');
	const truncated = path.join(work, 'truncated.tar');
	writeFileSync(truncated, readFileSync(fixture).subarray(0, 700_000));
	const result = await runCli([truncated, '--json', file]);
	assert.equal(result.code, 2);
	assert.equal(readFileSync(file, 'utf8'), 'previous');
	assert.ok(!existsSync(path.join(work, 'never.json')));
	rmSync(truncated);
	rmSync(file);
});

test('--json /dev/null writes to the device, never replaces it', async () => {
	const result = await runCli([fixture, '--json', '/dev/null']);
	assert.equal(result.code, 0, result.stderr);
	assert.ok(existsSync('/dev/null'));
});

test('--json /dev/stdout with stdout sent to a file writes the file; a symlinked output keeps its link', async () => {
	const out = path.join(work, 'via-dev.json');
	const result = spawnSync('sh', ['-c', `"${process.execPath}" bin/layerscope.js "${fixture}" --json /dev/stdout > "${out}"`], {cwd: repoRoot});
	assert.equal(result.status, 0, String(result.stderr));
	assert.equal((JSON.parse(readFileSync(out, 'utf8')) as {image: {inefficientBytes: number}}).image.inefficientBytes, 32_025);
	assert.ok(lstatSync('/dev/stdout').isSymbolicLink(), '/dev/stdout is still a link');
	rmSync(out);

	const real = path.join(work, 'real.json');
	const link = path.join(work, 'link.json');
	writeFileSync(real, 'old');
	symlinkSync(real, link);
	const linked = await runCli([fixture, '--json', link]);
	assert.equal(linked.code, 0, linked.stderr);
	assert.ok(lstatSync(link).isSymbolicLink());
	assert.equal((JSON.parse(readFileSync(real, 'utf8')) as {image: {inefficientBytes: number}}).image.inefficientBytes, 32_025);
	rmSync(link);
	rmSync(real);
});

test('--ci with --json -: the JSON (with the rule results) on stdout, the JUnit file still written, the verdict as exit code', async () => {
	const junit = path.join(work, 'rules.xml');
	const result = await runCli([fixture, '--ci', '--ci-format', 'junit', '--junit-file', junit, '--json', '-'], {cwd: work});
	assert.equal(result.code, 1, result.stderr);
	const document = JSON.parse(result.stdout) as {ci: unknown};
	assert.ok(document.ci !== undefined);
	assert.match(readFileSync(junit, 'utf8'), /<testsuite /);
	rmSync(junit);
});

test('stdin, docker-archive: and oci-archive: sources', async () => {
	const stdin = await runCli(['-', '--json', '-'], {input: readFileSync(fixture)});
	assert.equal(stdin.code, 0, stdin.stderr);
	assert.equal((JSON.parse(stdin.stdout) as {image: {sizeBytes: number}}).image.sizeBytes, 1_220_598);
	const prefixed = await runCli([`docker-archive:${fixture}`, '--json', '-']);
	assert.equal(prefixed.stdout, stdin.stdout);
	const oci = await runCli([`oci-archive:${diveFixture('test-oci-zstd-image.tar')}`]);
	assert.equal(oci.code, 0, oci.stderr);
	assert.match(oci.stdout, /COPY README\.md \/README\.md # buildkit/);
});

test('tree: the final filesystem, --layer N, and --json records', async () => {
	const top = await runCli(['tree', fixture]);
	assert.equal(top.code, 0, top.stderr);
	assert.match(top.stdout, /^-rwxr-xr-x {9}0:0 {4}6405 \/root\/saved\.txt$/m);
	assert.match(top.stdout, /^-rwxr-xr-x {9}0:0 {7}0 \/bin\/\[\[ → \/bin\/\[$/m);
	assert.doesNotMatch(top.stdout, /\/root\/example/);
	const layer7 = await runCli(['tree', fixture, '--layer', '7']);
	assert.match(layer7.stdout, /\/root\/example\/somefile2\.txt$/m);
	assert.doesNotMatch(layer7.stdout, /somefile3/);
	const json = await runCli(['tree', fixture, '--json', '-']);
	const records = JSON.parse(json.stdout) as Array<{path: string; type: string; mode: number; linkTarget: string | null; digest: string | null}>;
	assert.equal(records.length, top.stdout.trim().split('\n').length);
	assert.deepEqual(records.find(record => record.path === '/bin/[['), {path: '/bin/[[', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, linkTarget: 'bin/[', digest: null});
	// A regular file's record names its content digest: the one busybox binary the hardlinks share.
	assert.match(records.find(record => record.path === '/bin/[')?.digest ?? '', /^xxh64:[\da-f]{16}$/);
});

test('errors: one line on stderr, exit 2, no stack trace (unless --debug)', async () => {
	const cases: Array<[string[], RegExp]> = [
		[['/nonexistent/image.tar'], /^layerscope: no such file or directory: \/nonexistent\/image\.tar\n$/],
		[[diveFixture('test-gzip-image.tar')], /^layerscope: not an image archive: no manifest\.json or index\.json/],
		[[fixture, '--bogus'], /^layerscope: unknown option --bogus for layerscope image \(see layerscope help image\)\n$/],
		[[], /^layerscope: no image given \(try layerscope help\)\n$/],
		[['tree', fixture, '--layer', '99'], /^layerscope: --layer must be a layer index from 0 to 13 \(got "99"\)\n$/],
		[[fixture, '--json', path.join(work, 'missing-dir', 'x.json')], /^layerscope: cannot write .*missing-dir\/x\.json: the directory .*\/missing-dir does not exist; create it first, or write elsewhere \(- for stdout\)\n$/],
		// /proc/version exists: the problem is that /proc takes no new file (the old message said ENOENT).
		[[fixture, '--json', '/proc/version'], /^layerscope: cannot write \/proc\/version: it exists, but it is replaced by writing a new file beside it, and \/proc does not allow that \(no such file or directory\); write to a directory you can write to, or - for stdout\n$/],
		[[fixture, '--json', work], /^layerscope: cannot write .*: it is a directory; name a file in it, or - for stdout\n$/],
	];
	// A docker-save archive cut short (an interrupted copy): said so, whether the file is indexed by seeking (the
	// layer cache on) or streamed (--no-cache), and not as "no manifest.json".
	const truncated = path.join(work, 'truncated.tar');
	writeFileSync(truncated, readFileSync(fixture).subarray(0, 700_000));
	cases.push(
		[[truncated], /^layerscope: truncated archive: the data ends in the middle of an entry\n$/],
		[[truncated, '--no-cache'], /^layerscope: truncated archive: the data ends in the middle of an entry\n$/],
		[[`docker-archive:${truncated}`, '--no-tui'], /^layerscope: truncated archive: the data ends in the middle of an entry\n$/],
		[['tree', truncated], /^layerscope: truncated archive: the data ends in the middle of an entry/],
	);
	for (const [args, pattern] of cases) {
		const result = await runCli(args);
		assert.equal(result.code, 2, args.join(' '));
		assert.match(result.stderr, pattern);
		assert.equal(result.stderr.split('\n').length, 2, 'exactly one line');
	}

	const debug = await runCli(['/nonexistent/image.tar', '--debug']);
	assert.match(debug.stderr, /\n {4}at /);
	// The trace names the sources (the bundle's source maps), not bundle chunks.
	assert.match(debug.stderr, /\n {4}at .*src\/[\w/-]+\.ts:\d+:\d+/);
	assert.doesNotMatch(debug.stderr, /chunks\/chunk-/);
});

test('--help and --version', async () => {
	const help = await runCli(['--help']);
	assert.equal(help.code, 0);
	assert.match(help.stdout, /^ {2}layerscope tree IMAGE \[options\]$/m);
	assert.match(help.stdout, /--highest-wasted-bytes SIZE/);
	const version = await runCli(['--version']);
	assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('options that mean nothing for a command exit 2 before anything is read; CI-gate options imply --ci', async () => {
	for (const args of [['tree', fixture, '--ci'], ['diff', 'no-such-container', '--ci'], ['tree', fixture, '--junit-file', 'x.xml'], ['tree', fixture, '--no-tui']]) {
		const result = await runCli(args);
		assert.equal(result.code, 2, args.join(' '));
		assert.match(result.stderr, /^layerscope: --[\w-]+ does not apply to layerscope (tree|diff); it goes with layerscope image/);
		assert.equal(result.stderr.split('\n').length, 2, 'one line');
		assert.equal(result.stdout, '');
	}

	// The case: --ci-format junit without --ci ran the UI path, wrote no file and exited 0.
	const dir = mkdtempSync(path.join(work, 'implied-'));
	const junit = await runCli([fixture, '--ci-format', 'junit'], {cwd: dir, env: {CI: ''}});
	assert.equal(junit.code, 1, 'the default rules fail on this image');
	assert.match(readFileSync(path.join(dir, 'layerscope-junit.xml'), 'utf8'), /<testsuite /);
	const threshold = await runCli([fixture, '--lowest-efficiency', '0.5', '--highest-user-wasted-percent', '0.9'], {cwd: dir, env: {CI: ''}});
	assert.equal(threshold.code, 0, threshold.stderr);
	assert.match(threshold.stdout, /^PASS \[pass:2 skip:1\]$/m);
});

test('help COMMAND and COMMAND --help show that command\'s options', async () => {
	const viaHelp = await runCli(['help', 'tree']);
	const viaFlag = await runCli(['tree', '--help']);
	assert.equal(viaHelp.code, 0);
	assert.equal(viaHelp.stdout, viaFlag.stdout);
	assert.match(viaHelp.stdout, /^ {6}--layer N +the filesystem as seen at layer N/m);
	assert.doesNotMatch(viaHelp.stdout, /--ci\b/);
	const diff = await runCli(['help', 'diff']);
	assert.match(diff.stdout, /--no-tui/);
	assert.doesNotMatch(diff.stdout, /--platform|--layer/);
	const unknown = await runCli(['help', 'nope']);
	assert.equal(unknown.code, 2);
	assert.equal(unknown.stderr, `layerscope: no command layerscope nope; the commands are ${commands.map(command => command.name).join(', ')}\n`);
	assert.match(unknown.stderr, /the commands are image, tree, diff, /);
});
