// The header block decoder's checksum, against its definition (tar(5), Go's getFormat): the unsigned byte sum of
// the block with the checksum field as 8 spaces, or — old Sun tar — the signed sum. The decoder sums 32-bit
// words; these blocks sit at every alignment within larger buffers, as headers do within read chunks.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {blockFormat} from '../../src/archive/tar-header.js';

/** The definition, one byte at a time. */
function sums(block: Uint8Array): {unsigned: number; signed: number} {
	let unsigned = 0;
	let signed = 0;
	for (let index = 0; index < 512; index++) {
		const byte = index >= 148 && index < 156 ? 0x20 : block[index]!;
		unsigned += byte;
		signed += byte >= 0x80 ? byte - 0x100 : byte;
	}

	return {unsigned, signed};
}

function withChecksum(block: Uint8Array, value: number): void {
	const field = value.toString(8).padStart(6, '0');
	for (let index = 0; index < 6; index++) {
		block[148 + index] = field.codePointAt(index)!;
	}

	block[154] = 0;
	block[155] = 0x20;
}

test('blockFormat accepts exactly the blocks whose stored checksum is the unsigned or the signed byte sum, at any offset in any buffer', () => {
	fc.assert(fc.property(
		fc.uint8Array({minLength: 512, maxLength: 512}),
		fc.nat(31),
		fc.constantFrom<'unsigned' | 'signed' | 'off'>('unsigned', 'signed', 'off'),
		fc.boolean(),
		(bytes, offset, which, lowBytes) => {
			const block = lowBytes ? bytes.map(byte => byte & 0x7F) : bytes;
			const {unsigned, signed} = sums(block);
			const stored = which === 'unsigned' ? unsigned : (which === 'signed' ? signed : unsigned + 1);
			if (stored < 0) {
				return; // A negative sum has no octal form.
			}

			withChecksum(block, stored);
			const buffer = Buffer.alloc(offset + 512 + 7);
			buffer.set(block, offset);
			const format = blockFormat(buffer, offset);
			if (which === 'off' && stored !== signed) {
				assert.equal(format, undefined);
			} else {
				assert.notEqual(format, undefined);
			}
		},
	), {numRuns: 2000, seed: 20_261_130});
});
