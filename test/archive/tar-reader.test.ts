// The layer tar reader sees what Go's archive/tar (docker, dive) sees: GNU sparse files of every encoding written
// by GNU tar itself, old-style directories, PAX records parsed by their lengths, header-only types without data,
// what Go refuses refused, and limits on names. Every input is also fed in 1-byte and odd-sized chunks.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync, ftruncateSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {gzipSync} from 'node:zlib';
import {xxh64} from '@node-rs/xxhash';
import type {LayerContents, LayerEntry} from '../../src/analysis/types.js';
import {LayerParser} from '../../src/archive/layer-tar.js';
import {sniff} from '../../src/archive/blob.js';
import {header, file, paxHeader, tar, pad, octalField} from '../helpers/tar-bytes.js';

const digestOf = (data: Buffer): string => `xxh64:${xxh64(data).toString(16).padStart(16, '0')}`;

async function parseIn(blob: Buffer, size: number): Promise<LayerContents> {
	const parser = new LayerParser(sniff(blob.subarray(0, 512)));
	for (let offset = 0; offset < blob.length; offset += size) {
		await parser.write(blob.subarray(offset, offset + size));
	}

	return parser.end();
}

/** The entries of a layer blob, checked to be the same whole, byte by byte and in odd chunks. */
export async function entriesOf(blob: Buffer): Promise<LayerEntry[]> {
	const whole = await parseIn(blob, Math.max(blob.length, 1));
	for (const size of [1, 3, 511, 513, 4099]) {
		assert.deepEqual(await parseIn(blob, size), whole, `chunks of ${size}`);
	}

	return whole.entries;
}

/** Rejects the same way whole, byte by byte and in odd chunks. */
async function refused(blob: Buffer, pattern: RegExp): Promise<void> {
	for (const size of [blob.length, 1, 511, 4099]) {
		await assert.rejects(parseIn(blob, size), pattern, `chunks of ${size}`);
	}
}

const brief = (entries: LayerEntry[]): string[] => entries.map(entry => `${entry.type} ${entry.path} ${entry.size} ${entry.mode.toString(8)} ${entry.uid}:${entry.gid}${entry.linkTarget === undefined ? '' : ` -> ${entry.linkTarget}`}`);

/** A file with data at the given offsets and holes elsewhere (real holes: written with seeks). */
function sparseFile(target: string, size: number, pieces: Array<[number, string]>): Buffer {
	const fd = openSync(target, 'w');
	ftruncateSync(fd, size);
	for (const [offset, text] of pieces) {
		writeSync(fd, Buffer.from(text), 0, text.length, offset);
	}

	closeSync(fd);
	return readFileSync(target);
}

test('GNU sparse files written by GNU tar: PAX 0.0, 0.1, 1.0 and old GNU (extended blocks too) read with real name, size and content digest', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'layerscope-sparse-'));
	try {
		const root = path.join(dir, 'root');
		mkdirSync(path.join(root, 'var/log'), {recursive: true});
		const lastlog = sparseFile(path.join(root, 'var/log/lastlog'), 292_292, [[0, 'head'], [150_000, 'middle'], [292_000, 'tail']]);
		// Ten fragments: more than the 4 an old GNU header holds, so extended sparse blocks follow it.
		const many = sparseFile(path.join(root, 'var/log/many'), 10 * 65_536, Array.from({length: 10}, (_, index) => [(index * 65_536) + 8192, `piece ${index}`] as [number, string]));
		writeFileSync(path.join(root, 'var/log/plain.txt'), 'plain\n');
		const expected = [
			`file var/log/lastlog 292292 644 0:0`,
			`file var/log/many 655360 644 0:0`,
			`file var/log/plain.txt 6 644 0:0`,
		];
		const variants: Array<[string, string[]]> = [
			['pax 1.0', ['--posix', '--sparse-version=1.0']],
			['pax 0.1', ['--posix', '--sparse-version=0.1']],
			['pax 0.0', ['--posix', '--sparse-version=0.0']],
			['old gnu', ['--format=gnu']],
			['oldgnu', ['--format=oldgnu']],
		];
		for (const [label, flags] of variants) {
			const out = path.join(dir, `${label.replace(/\W/g, '')}.tar`);
			execFileSync('tar', ['--sparse', ...flags, '--owner=0', '--group=0', '--numeric-owner', '--mode=u=rw,go=r', '-C', root, '-cf', out, 'var/log/lastlog', 'var/log/many', 'var/log/plain.txt']);
			const entries = await entriesOf(readFileSync(out));
			assert.deepEqual(brief(entries), expected, label);
			assert.deepEqual(entries.map(entry => entry.digest), [digestOf(lastlog), digestOf(many), digestOf(Buffer.from('plain\n'))], label);
		}
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('old-style directories: typeflag NUL and a trailing slash is a directory with its own mode and owner; \'0\' stays a file (as Go)', async () => {
	const layer = tar(
		header({name: 'legacy/', typeflag: '\0', mode: 0o700, uid: 1000, gid: 1000}),
		file('legacy/inner.txt', 'inner\n', {typeflag: '\0'}),
		header({name: 'emptydir/', typeflag: '\0', mode: 0o750, uid: 1000, gid: 1000, magic: 'v7'}),
		header({name: 'zero-flag/', typeflag: '0', mode: 0o640}),
	);
	assert.deepEqual(brief(await entriesOf(layer)), [
		'dir legacy 0 700 1000:1000',
		'file legacy/inner.txt 6 644 0:0',
		'dir emptydir 0 750 1000:1000',
		'file zero-flag 0 640 0:0',
	]);
});

test('a01: a PAX path holding newlines and "size=" is one value; no entry after it is hidden', async () => {
	const layer = tar(
		paxHeader([['path', 'etc/motd\n1 size=0\n']]),
		file('etc/motd', Buffer.alloc(1024)),
		file('usr/bin/backdoor', '#!/bin/sh\necho owned\n', {mode: 0o4755}),
		file('etc/cron.d/evil', '* * * * * root /usr/bin/backdoor\n'),
	);
	assert.deepEqual(brief(await entriesOf(layer)), [
		'file etc/motd\n1 size=0\n 1024 644 0:0',
		'file usr/bin/backdoor 21 4755 0:0',
		'file etc/cron.d/evil 33 644 0:0',
	]);
});

test('a03: header-only types carry no data whatever their size field says: the bytes after them are headers', async () => {
	for (const typeflag of ['1', '2', '3', '4', '5', '6']) {
		const hidden = file('usr/bin/backdoor', '#!/bin/sh\necho owned\n', {mode: 0o4755});
		const layer = tar(header({name: 'etc/alternatives', typeflag, linkname: '/usr/share', size: hidden.length}), hidden);
		const entries = await entriesOf(layer);
		assert.deepEqual(entries.map(entry => [entry.path, entry.size]), [['etc/alternatives', 0], ['usr/bin/backdoor', 21]], `typeflag ${typeflag}`);
	}
});

test('PAX overrides (size, uid, gid, mtime, linkpath), global headers applied to nothing, GNU long names, base-256 and space-terminated numbers', async () => {
	const long = `${'deep/'.repeat(40)}name.txt`;
	const layer = tar(
		paxHeader([['uid', '70000'], ['gid', '80000'], ['mtime', '1700000000.75'], ['size', '5'], ['path', 'pax.txt']]),
		file('ignored-name', '12345', {size: 99}).subarray(0, 512), Buffer.from(pad(Buffer.from('12345'))),
		paxHeader([['path', 'from-global'], ['uid', '5']], 'g'),
		file('after-global.txt', 'g'),
		paxHeader([['linkpath', 'target/of/pax']]),
		header({name: 'link', typeflag: '2', linkname: 'short'}),
		header({name: '././@LongLink', typeflag: 'L', size: long.length + 1, magic: 'gnu'}), pad(Buffer.from(`${long}\0`)),
		file('truncated-name', 'L', {magic: 'gnu'}),
		file('base256', 'b', {raw: {uid: Buffer.from([0x80, 0, 0, 0, 0, 0x0F, 0x42, 0x40]), mtime: Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0x65, 0x53, 0xF1, 0x00])}, magic: 'gnu'}),
		file('spaces', 's', {raw: {mode: Buffer.from(' 755 \0\0\0', 'latin1'), size: Buffer.from('1          ', 'latin1')}, magic: 'v7'}),
	);
	const entries = await entriesOf(layer);
	assert.deepEqual(brief(entries), [
		'file pax.txt 5 644 70000:80000',
		'file after-global.txt 1 644 0:0',
		'symlink link 0 644 0:0 -> target/of/pax',
		`file ${long} 1 644 0:0`,
		'file base256 1 644 1000000:0',
		'file spaces 1 755 0:0',
	]);
	assert.equal(entries[0]!.mtime, 1_700_000_000);
	assert.equal(entries[0]!.digest, digestOf(Buffer.from('12345')));
	assert.equal(entries[4]!.mtime, 0x65_53_F1_00);
});

test('what Go refuses is refused with one line: bad checksum, a zero block then data, bad numbers, bad PAX records, truncation', async () => {
	const good = file('a', 'a');
	const badChecksum = Buffer.from(good);
	badChecksum[0] = 0x62;
	await refused(tar(badChecksum), /invalid tar header \(bad checksum\)/);
	await refused(Buffer.concat([good, Buffer.alloc(512), good, Buffer.alloc(1024)]), /a zero block followed by data/);
	await refused(tar(file('a', 'a', {raw: {uid: Buffer.from('12 34\0\0\0', 'latin1')}})), /numeric field is not a number/);
	await refused(tar(paxHeader([['size', 'twelve']]), good), /invalid PAX size record/);
	const broken = Buffer.concat([header({name: 'PaxHeaders/x', size: 12, typeflag: 'x'}), pad(Buffer.from('99 path=abc\n'))]);
	await refused(tar(broken, good), /invalid PAX header record/);
	await refused(tar(file('neg', 'x', {raw: {size: Buffer.from([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])}})), /negative size/);
	await refused(file('big', 'x'.repeat(1000)).subarray(0, 600), /truncated layer tar/);
	await refused(good.subarray(0, 300), /truncated layer tar/);
	// Go stops cleanly at the end of the input at a header boundary, after one zero block, or in the padding.
	assert.equal((await entriesOf(good)).length, 1);
	assert.equal((await entriesOf(Buffer.concat([good, Buffer.alloc(512)]))).length, 1);
	assert.equal((await entriesOf(good.subarray(0, 513))).length, 1);
});

test('a08: names, link targets and PAX records have limits; past them the layer is refused with one line', async () => {
	await refused(tar(paxHeader([['path', `p${'a'.repeat(2 * 1024 * 1024)}`]]), file('x', '')), /PAX header larger than 1048576 bytes/);
	await refused(tar(paxHeader([['path', `${'a/'.repeat(2100)}x`]]), file('x', '')), /entry name or link target longer than 4096 bytes/);
	await refused(tar(paxHeader([['linkpath', 'l'.repeat(5000)]]), header({name: 'x', typeflag: '2'})), /longer than 4096 bytes/);
	// Refused, not "corrupt", whatever the compression.
	await refused(gzipSync(tar(paxHeader([['path', 'n'.repeat(5000)]]), file('x', ''))), /^Error: refused: an entry name or link target longer than 4096 bytes$/);
	const many = Array.from({length: 200}, (_, index) => Buffer.concat([paxHeader([['path', `${String(index).padStart(4, '0')}${'n'.repeat(4000)}`]]), header({name: 'x', typeflag: '5'})]));
	const parser = new LayerParser('tar', {limits: {maxNameBytes: 4096, maxSpecialBytes: 1024 * 1024, maxMetadataBytes: 400_000}});
	await assert.rejects(async () => {
		await parser.write(tar(...many));
		await parser.end();
	}, /names and link targets of the layer exceed 400000 bytes/);
	// A deep path is no problem for the reader (no recursion on depth).
	const deep = `${'d/'.repeat(2000)}f`;
	assert.equal((await entriesOf(tar(paxHeader([['path', deep]]), file('x', 'deep')))).at(0)?.path, deep);
});

test('octal fields as Go reads them', () => {
	assert.deepEqual(octalField(8, 8), Buffer.from('0000010\0', 'latin1'));
});
