// The standing fuzz suite for the outer archive reader (issue 15): a few hundred mutated image archives, seeded
// (fast-check; a failure prints its seed and the shrunk mutation list), each read in-process in odd-sized chunks
// and, if it reads, analysed and reported; a sample through the built CLI. Whatever the bytes: a result or one
// clear line (never a stack, never raw control characters), within seconds, in bounded memory, and no output file
// when the answer is an error. Set LAYERSCOPE_FUZZ_RUNS / LAYERSCOPE_FUZZ_SEED to explore further.
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {test} from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import {analyzeImage} from '../../src/analysis/analyze.js';
import {readImageArchive} from '../../src/archive/read-image.js';
import {formatJson, toJsonExport} from '../../src/report/json.js';
import {formatTextReport} from '../../src/report/text.js';
import {buildImageArchive, type FixtureLayer} from '../../scripts/lib/image-builder.js';
import {rawControl, runMeasured} from '../helpers/crafted.js';

const runs = Number(process.env['LAYERSCOPE_FUZZ_RUNS'] ?? 300);
const seed = Number(process.env['LAYERSCOPE_FUZZ_SEED'] ?? 20_261_130);

const layers: FixtureLayer[] = [
	{command: 'ADD rootfs /', entries: [{path: 'etc/', type: 'dir'}, {path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n'}, {path: 'bin/sh', size: 3000, mode: 0o755}, {path: 'bin/ls', type: 'symlink', linkTarget: 'sh'}]},
	{command: 'RUN rm /etc/passwd && echo x > /tmp/x', entries: [{path: 'etc/.wh.passwd'}, {path: 'tmp/', type: 'dir'}, {path: 'tmp/x', content: 'x\n'}, {path: 'tmp/hard', type: 'hardlink', linkTarget: 'tmp/x'}]},
];

/** The base archives every mutation starts from: each layout the reader knows, plain and compressed. */
async function bases(): Promise<Buffer[]> {
	const legacy = await buildImageArchive(layers, {format: 'docker-legacy', tag: 'fuzz:1'});
	return [
		legacy,
		await buildImageArchive(layers, {format: 'docker25', compression: 'gzip', tag: 'fuzz:1'}),
		await buildImageArchive(layers, {format: 'oci', compression: 'zstd', tag: 'fuzz:1'}),
		await buildImageArchive(layers, {format: 'kaniko', tag: 'fuzz:1'}),
		zlib.gzipSync(legacy),
	];
}

type Mutation =
	| {kind: 'byte'; at: number; value: number}
	| {kind: 'flip'; at: number; bit: number}
	| {kind: 'truncate'; at: number}
	| {kind: 'block'; from: number; to: number}
	| {kind: 'size'; header: number; value: string}
	| {kind: 'text'; at: number; text: string};

const interesting = [0, 0xFF, 0x80, 0x20, 0x30, 0x37, 0x7B, 0x5B, 0x22, 0x1B, 0x0A];
const hostileText = ['\u001B]0;PWN\u0007', '\u001B[2J', '\uFFFE\uFFFF', '{"a":', '[[[[[[[[', '"manifests":[', '././@PaxHeader', 'L/layer.tar'];
// Size fields: huge octal, base-256, junk, negative-looking, space- and NUL-terminated.
const sizes = ['77777777777\0', '\u0080\u0000\u0000\u0000\u0000\u0000\u0000\u00ff\u00ff\u00ff\u00ff\u00ff', 'zzzzzzzzzzz\0', '-0000000001\0', '00000001000 ', '\0\0\0\0\0\0\0\0\0\0\0\0'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({kind: fc.constant('byte' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...interesting), fc.integer({min: 0, max: 255}))}),
	fc.record({kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({min: 0, max: 7})}),
	fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}),
	fc.record({kind: fc.constant('block' as const), from: fc.nat(), to: fc.nat()}),
	fc.record({kind: fc.constant('size' as const), header: fc.nat(), value: fc.constantFrom(...sizes)}),
	fc.record({kind: fc.constant('text' as const), at: fc.nat(), text: fc.constantFrom(...hostileText)}),
);

function mutate(base: Buffer, mutations: readonly Mutation[]): Buffer {
	let out = Buffer.from(base);
	for (const change of mutations) {
		const blocks = Math.max(1, Math.floor(out.length / 512));
		switch (change.kind) {
			case 'byte': {
				out[change.at % out.length] = change.value;
				break;
			}

			case 'flip': {
				const at = change.at % out.length;
				out[at] = out[at]! ^ (1 << change.bit);
				break;
			}

			case 'truncate': {
				out = out.subarray(0, change.at % out.length);
				break;
			}

			case 'block': {
				out.copy(out, (change.to % blocks) * 512, (change.from % blocks) * 512, ((change.from % blocks) * 512) + 512);
				break;
			}

			case 'size': {
				const at = ((change.header % blocks) * 512) + 124;
				if (at + 12 <= out.length) {
					out.write(change.value, at, 'latin1');
				}

				break;
			}

			case 'text': {
				out.write(change.text, change.at % out.length, 'utf8');
				break;
			}
		}

		if (out.length === 0) {
			break;
		}
	}

	return out;
}

/**
 * Recompute the checksum of every block that looks like a ustar header, so that mutated header fields reach the
 * parser instead of failing its checksum test.
 */
function fixChecksums(data: Buffer): Buffer {
	for (let offset = 0; offset + 512 <= data.length; offset += 512) {
		if (data.toString('latin1', offset + 257, offset + 262) !== 'ustar') {
			continue;
		}

		data.write('        ', offset + 148, 'latin1');
		let sum = 0;
		for (let index = offset; index < offset + 512; index++) {
			sum += data[index]!;
		}

		data.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
	}

	return data;
}

/** Odd-sized chunks, so every framing boundary falls somewhere new. */
function chunks(data: Buffer, size: number): Readable {
	const parts: Buffer[] = [];
	for (let offset = 0; offset < data.length; offset += size) {
		parts.push(data.subarray(offset, offset + size));
	}

	return Readable.from(parts);
}

type Outcome = {ok: true} | {ok: false; message: string};

async function readOne(data: Buffer, chunkSize: number): Promise<Outcome> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			reject(new Error('HANG: no answer within 10 s'));
		}, 10_000);
	});
	try {
		const image = await Promise.race([readImageArchive(chunks(data, chunkSize), {name: 'fuzz.tar'}), deadline]);
		const analysis = analyzeImage(image);
		formatTextReport(analysis);
		formatJson(toJsonExport(image, analysis));
		return {ok: true};
	} catch (error) {
		assert.ok(error instanceof Error, `not an Error: ${String(error)}`);
		assert.doesNotMatch(error.message, /^HANG/, error.message);
		return {ok: false, message: error.message};
	} finally {
		clearTimeout(timer);
	}
}

function assertOneSafeLine(message: string): void {
	assert.ok(message.length > 0 && message.length < 2000, `message length ${message.length}`);
	assert.doesNotMatch(message, /\n/, `one line: ${JSON.stringify(message)}`);
	assert.doesNotMatch(message, rawControl, `escaped: ${JSON.stringify(message)}`);
	assert.doesNotMatch(message, /\bat .*\(.*:\d+:\d+\)/, 'no stack frames');
}

test(`fuzz: ${runs} mutated archives read in-process: an image or one safe line each, no hang, bounded memory`, {timeout: 240_000}, async t => {
	const inputs = await bases();
	let ok = 0;
	let failed = 0;
	let peak = 0;
	const started = performance.now();
	await fc.assert(fc.asyncProperty(
		fc.integer({min: 0, max: inputs.length - 1}),
		fc.array(mutation, {minLength: 1, maxLength: 4}),
		fc.constantFrom(1, 7, 512, 4093, 65_536),
		fc.boolean(),
		async (baseIndex, mutations, chunkSize, checksums) => {
			const mutated = mutate(inputs[baseIndex]!, mutations);
			const outcome = await readOne(checksums ? fixChecksums(mutated) : mutated, chunkSize);
			if (outcome.ok) {
				ok++;
			} else {
				failed++;
				assertOneSafeLine(outcome.message);
			}

			peak = Math.max(peak, process.memoryUsage().rss);
			assert.ok(process.memoryUsage().rss < 600 * 1024 * 1024, `RSS ${process.memoryUsage().rss}`);
		},
	), {numRuns: runs, seed, endOnFailure: true});
	t.diagnostic(`${ok} read, ${failed} refused with one line; peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB; ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

test('fuzz: a sample through the built CLI: exit 0 or 2, one line on stderr, no stack, bounded RSS, no output file on error', {timeout: 240_000}, async t => {
	const inputs = await bases();
	const dir = await mkdtemp(path.join(os.tmpdir(), 'layerscope-fuzz-'));
	t.after(async () => rm(dir, {recursive: true, force: true}));
	const samples = fc.sample(fc.tuple(fc.integer({min: 0, max: inputs.length - 1}), fc.array(mutation, {minLength: 1, maxLength: 3})), {numRuns: 16, seed: seed + 1});
	const codes = new Map<number | null, number>();
	for (const [index, [baseIndex, mutations]] of samples.entries()) {
		const file = path.join(dir, `case-${index}.tar`);
		const out = path.join(dir, `case-${index}.json`);
		await writeFile(file, fixChecksums(mutate(inputs[baseIndex]!, mutations)));
		const result = await runMeasured([file, '--json', out], {timeoutMs: 30_000});
		codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
		const context = `case ${index} (${JSON.stringify(mutations)}): exit ${result.code}, stderr ${JSON.stringify(result.stderr)}`;
		assert.ok(result.code === 0 || result.code === 2, context);
		assert.ok(result.peakMb < 300, `${context}: peak ${result.peakMb} MB`);
		if (result.code === 2) {
			assert.match(result.stderr, /^layerscope: [^\n]+\n$/, context);
			assertOneSafeLine(result.stderr.slice(0, -1));
			assert.equal(existsSync(out), false, `${context}: an output file was written`);
		} else {
			assert.ok(existsSync(out), context);
		}
	}

	t.diagnostic(`exit codes: ${[...codes].map(([code, count]) => `${code}×${count}`).join(', ')}`);
});
