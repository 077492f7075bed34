// A docker-save style image archive whose file names, link targets, tag and layer commands try to take over a
// terminal: ESC/CSI sequences (clear screen, move cursor, colours), an OSC window title, BEL, CR, LF, TAB, C1
// controls, a bidi override and invalid UTF-8. Made with tar-stream's pack. Names with bytes ≥ 0x80 are packed
// with ASCII stand-ins of the same length and the real bytes patched into the ustar header afterwards (checksum
// recomputed): tar-stream would otherwise write them as PAX records, and invalid UTF-8 cannot be written at all.
import {writeFileSync} from 'node:fs';
import tarStream from 'tar-stream';
import {collectPack} from '../../scripts/lib/image-builder.js';
import {buildImageFromLayerTars} from './raw-image.js';

type Item = {
	readonly name: string;
	readonly type?: 'file' | 'directory' | 'symlink';
	readonly content?: string;
	readonly linkname?: string;
	readonly mode?: number;
};

/** ASCII stand-ins (same byte length) → the bytes patched in after packing. */
const patches: ReadonlyArray<[string, Buffer]> = [
	['c1@1', Buffer.from('c1\u009B', 'utf8')],
	['bidi@2@', Buffer.from('bidi\u202E', 'utf8')],
	['bad@3', Buffer.from([0x62, 0x61, 0x64, 0xFF, 0xFE])],
];

/** The hostile names of layer 0, as layerscope decodes them (invalid bytes as lone surrogates U+DCxx). */
export const hostile = {
	clear: 'clear\u001B[2J\u001B[Hscreen',
	title: 'title\u001B]0;PWNED\u0007',
	newline: 'new\nline',
	carriage: 'carriage\rreturn',
	tab: 'tab\tname',
	bell: 'bell\u0007ring',
	c1: 'c1\u009B31mred',
	bidi: 'bidi\u202Etxt.exe',
	invalid: 'bad\uDCFF\uDCFEutf8',
	dir: 'dir\u001B[31mred',
	link: 'link',
	linkTarget: '\u001B]0;LINK\u0007',
	added: 'added\u001B[5mblink',
	tag: 'hostile\u001B[2J:latest',
	command: 'echo \u001B]0;CMD\u0007 && \\\n  echo second line',
} as const;

const standIns: Readonly<Record<string, string>> = {
	[hostile.c1]: 'c1@1' + hostile.c1.slice(3),
	[hostile.bidi]: 'bidi@2@' + hostile.bidi.slice(5),
	[hostile.invalid]: 'bad@3' + hostile.invalid.slice(5),
};

function nameFor(item: string): string {
	return standIns[item] ?? item;
}

const layers: ReadonlyArray<{readonly items: readonly Item[]; readonly command: string}> = [
	{
		command: '/bin/sh -c #(nop) ADD dir:hostile in /',
		items: [
			{name: 'hostile/', type: 'directory'},
			{name: 'hostile/plain.txt', content: 'plain\n'},
			...[hostile.clear, hostile.title, hostile.newline, hostile.carriage, hostile.tab, hostile.bell, hostile.c1, hostile.bidi, hostile.invalid]
				.map(name => ({name: `hostile/${nameFor(name)}`, content: `${name.length}\n`})),
			{name: `hostile/${hostile.dir}/`, type: 'directory'},
			{name: `hostile/${hostile.dir}/inside.txt`, content: 'inside\n'},
			{name: `hostile/${hostile.link}`, type: 'symlink', linkname: hostile.linkTarget},
		],
	},
	{
		command: `/bin/sh -c ${hostile.command}`,
		items: [
			{name: 'hostile/', type: 'directory'},
			{name: `hostile/${hostile.newline}`, content: 'changed, and longer\n'},
			{name: `hostile/.wh.${hostile.bell}`, content: ''},
			{name: `hostile/${hostile.added}`, content: 'added\n'},
		],
	},
];

async function pack(items: ReadonlyArray<{name: string; type?: Item['type']; content?: string | Buffer; linkname?: string; mode?: number}>): Promise<Buffer> {
	const packer = tarStream.pack();
	const packed = collectPack(packer);
	for (const item of items) {
		const type = item.type ?? 'file';
		const content = type === 'file' ? (typeof item.content === 'string' ? Buffer.from(item.content) : (item.content ?? Buffer.alloc(0))) : undefined;
		const header = {
			name: item.name,
			type,
			mode: item.mode ?? (type === 'directory' ? 0o755 : 0o644),
			mtime: new Date('2024-01-01T00:00:00Z'),
			uid: 0,
			gid: 0,
			linkname: item.linkname,
			size: content?.length ?? 0,
		};
		if (content === undefined) {
			packer.entry(header);
		} else {
			packer.entry(header, content);
		}
	}

	packer.finalize();
	return packed;
}

/** Replace the stand-ins in every ustar header name with the real bytes, fixing the checksums. */
function patchNames(tar: Buffer): Buffer {
	for (let offset = 0; offset + 512 <= tar.length; offset += 512) {
		const header = tar.subarray(offset, offset + 512);
		if (header.subarray(257, 262).toString('latin1') !== 'ustar') {
			continue;
		}

		const patch = patches.find(([standIn]) => header.subarray(0, 100).includes(standIn));
		if (patch === undefined) {
			continue;
		}

		const [standIn, bytes] = patch;
		bytes.copy(header, header.subarray(0, 100).indexOf(standIn));
		header.fill(0x20, 148, 156);
		let sum = 0;
		for (const byte of header) {
			sum += byte;
		}

		header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
	}

	return tar;
}

/** How the names of the hostile image must appear on screen: escaped, never as live control sequences. */
export const hostileShown = [
	'clear\\x1b[2J\\x1b[Hscreen',
	'title\\x1b]0;PWNED\\x07',
	'new\\x0aline',
	'carriage\\x0dreturn',
	'tab\\x09name',
	'bell\\x07ring',
	'link → \\x1b]0;LINK\\x07',
	'added\\x1b[5mblink',
	'c1\\x9b31mred',
	'hostile\\x1b[2J:latest',
	'bad\\xff\\xfeutf8',
] as const;

/** The whole `docker save` style archive, in memory (a few kB). */
export async function buildHostileImage(): Promise<Buffer> {
	const layerTars = await Promise.all(layers.map(async layer => patchNames(await pack(layer.items))));
	return buildImageFromLayerTars(layerTars, hostile.tag, layers.map(layer => layer.command));
}

export async function writeHostileImage(file: string): Promise<void> {
	writeFileSync(file, await buildHostileImage());
}
