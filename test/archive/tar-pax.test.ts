// PAX records and tar numbers as Go's strconv.go/reader.go read them (the cases Go's own tests name).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parsePaxRecords, parsePaxTime} from '../../src/archive/tar-pax.js';
import {parseNumeric} from '../../src/archive/tar-header.js';
import {paxRecord} from '../helpers/tar-bytes.js';

const records = (text: string): Record<string, string> => Object.fromEntries([...parsePaxRecords(Buffer.from(text, 'latin1'))].map(([key, value]) => [key, value.toString('latin1')]));

test('PAX records by their length prefixes: values with newlines, "=", and what looks like another record', () => {
	assert.deepEqual(records('19 path=/etc/hosts\n'), {path: '/etc/hosts'});
	assert.deepEqual(records(paxRecord('path', 'a\n1 size=0\nb=c\nd').toString('latin1')), {path: 'a\n1 size=0\nb=c\nd'});
	assert.deepEqual(records('+14 size=1234\n'), {size: '1234'}, 'Go\'s ParseInt takes a sign');
	assert.deepEqual(records('8 size=\n10 size=5\n'), {size: '5'}, 'the last record wins');
	assert.deepEqual(records(`${paxRecord('GNU.sparse.offset', '0').toString('latin1')}${paxRecord('GNU.sparse.numbytes', '10').toString('latin1')}`), {'GNU.sparse.map': '0,10'});
	for (const bad of ['1 a=b\n', '5 a=b\n', '6 ab\n\n', '8 a=b\n', '7 a=b\nx', '7 =b\n', '13 path=a\u0000b\n', 'x a=b\n', paxRecord('GNU.sparse.numbytes', '10').toString('latin1')]) {
		assert.throws(() => parsePaxRecords(Buffer.from(bad, 'latin1')), /invalid PAX header record/, JSON.stringify(bad));
	}
});

test('PAX times to whole seconds as Go\'s Time.Unix gives them', () => {
	assert.equal(parsePaxTime('1350244992.023960108'), 1_350_244_992);
	assert.equal(parsePaxTime('-1.5'), -2);
	assert.equal(parsePaxTime('-0.5'), -1);
	assert.equal(parsePaxTime('5.'), 5);
	for (const bad of ['', '.5', '1.5x', '1e3', '1.-5']) {
		assert.equal(parsePaxTime(bad), undefined, bad);
	}
});

test('numbers: octal with NUL or space ends, base-256 positive and negative; what Go refuses', () => {
	const field = (bytes: number[] | string): Buffer => typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
	const parse = (bytes: number[] | string): number | undefined => {
		const buffer = field(bytes);
		return parseNumeric(buffer, 0, buffer.length);
	};

	assert.equal(parse('0000644\0'), 0o644);
	assert.equal(parse(' 644 \0\0'), 0o644);
	assert.equal(parse('644\0junk'), 0o644);
	assert.equal(parse('\0\0\0\0\0\0\0\0'), 0);
	assert.equal(parse([0x80, 0, 0, 0, 0, 0, 0x01, 0x00]), 256);
	assert.equal(parse([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), -1);
	assert.equal(parse('64 4\0\0\0\0'), undefined);
	assert.equal(parse('9\0\0\0\0\0\0\0'), undefined);
	assert.equal(parse([0x80, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), undefined, 'overflow');
});
