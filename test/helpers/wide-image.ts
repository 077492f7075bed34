// An image whose names and commands are wider on a terminal than their length in code points: CJK (two
// columns a character), a ZWJ family emoji (one grapheme of seven code points, two columns), e + U+0301
// (combining acute: two code points, one column) and fullwidth Latin letters and digits. Made with
// scripts/lib/image-builder.ts (tar-stream; names longer than 100 bytes go into PAX records).
import {writeFileSync} from 'node:fs';
import {type FixtureLayer, buildImageArchive} from '../../scripts/lib/image-builder.js';

/** The wide names, as shown (none needs escaping). */
export const wide = {
	japaneseDir: '日本語のディレクトリ',
	japaneseFile: 'とても長い日本語のファイル名です.txt',
	koreanDir: '한국어디렉터리',
	koreanFile: '아주긴한국어파일이름입니다.md',
	family: '👩‍👩‍👧‍👦-family-photo.png',
	combining: 'cafe\u0301-menu.txt',
	fullwidth: 'ＡＢＣ１２３',
	fullwidthFile: 'ＡＢＣ１２３ｄａｔａ.bin',
} as const;

export const wideLayers: readonly FixtureLayer[] = [
	{
		command: '/bin/sh -c #(nop) ADD dir:base in /',
		entries: [
			{path: 'bin', type: 'dir'},
			{path: 'bin/sh', size: 1200},
			{path: 'etc', type: 'dir'},
			{path: 'etc/hostname', content: 'wide\n'},
		],
	},
	{
		command: `/bin/sh -c mkdir -p /${wide.japaneseDir} /${wide.koreanDir} && echo 日本語と한국어と👩‍👩‍👧‍👦と${wide.combining}と${wide.fullwidth} > /${wide.japaneseDir}/${wide.japaneseFile} && echo done`,
		entries: [
			{path: wide.japaneseDir, type: 'dir'},
			{path: `${wide.japaneseDir}/${wide.japaneseFile}`, size: 2048},
			{path: `${wide.japaneseDir}/${wide.family}`, size: 4096},
			{path: wide.koreanDir, type: 'dir'},
			{path: `${wide.koreanDir}/${wide.koreanFile}`, size: 512},
			{path: `${wide.koreanDir}/${wide.combining}`, size: 100},
		],
	},
	{
		command: `/bin/sh -c cp -r /${wide.fullwidth} /${wide.japaneseDir}/ && printf 'a\\nb' > /${wide.fullwidth}/${wide.fullwidthFile}`,
		entries: [
			{path: wide.fullwidth, type: 'dir'},
			{path: `${wide.fullwidth}/${wide.fullwidthFile}`, size: 3000},
			{path: `${wide.fullwidth}/${wide.family}`, size: 10},
			{path: wide.japaneseDir, type: 'dir'},
			{path: `${wide.japaneseDir}/${wide.japaneseFile}`, size: 4096},
		],
	},
];

export async function buildWideImage(): Promise<Buffer> {
	return buildImageArchive(wideLayers, {format: 'docker25', tag: 'wide/名前:latest'});
}

export async function writeWideImage(file: string): Promise<void> {
	writeFileSync(file, await buildWideImage());
}
