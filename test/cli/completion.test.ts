// Completion scripts from the command table: each lists every command's options; the bash one is sourced in a
// real bash and asked with compgen-style calls (as bash's programmable completion would call it).
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {commands} from '../../src/cli/commands/index.js';
import {completionScript, shells} from '../../src/cli/completion.js';
import {globalOptions} from '../../src/cli/global-options.js';
import {runCli} from '../helpers/cli.js';

const work = mkdtempSync(path.join(tmpdir(), 'layerscope-completion-'));
after(() => {
	rmSync(work, {recursive: true, force: true});
});

const hasShell = (shell: string): boolean => spawnSync(shell, ['-c', 'true']).status === 0;

test('every script names every command and every option of every command', () => {
	for (const shell of shells) {
		const script = completionScript(shell, commands, '1.2.3');
		for (const command of commands) {
			assert.ok(script.includes(command.name), `${shell}: ${command.name}`);
			for (const option of [...command.options, ...globalOptions]) {
				assert.ok(script.includes(shell === 'fish' ? `-l ${option.name}` : `--${option.name}`), `${shell}: ${command.name} --${option.name}`);
			}
		}
	}
});

/** Asks the sourced bash function what it offers for the words typed so far (the last word is being completed). */
function bashComplete(script: string, words: string[], cwd = work): string[] {
	const file = path.join(work, 'layerscope.bash');
	writeFileSync(file, script);
	const program = [
		`source ${JSON.stringify(file)}`,
		'COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _layerscope',
		'printf "%s\\n" "${COMPREPLY[@]}"',
	].join('\n');
	const result = spawnSync('bash', ['-c', program, 'bash', ...words], {cwd, encoding: 'utf8'});
	assert.equal(result.status, 0, result.stderr);
	assert.equal(result.stderr, '');
	return result.stdout.split('\n').filter(line => line !== '');
}

test('bash: sourced, it registers itself and offers each command\'s own options and values', {skip: hasShell('bash') ? false : 'no bash'}, async () => {
	const generated = await runCli(['completion', 'bash']);
	assert.equal(generated.code, 0, generated.stderr);
	const script = generated.stdout;
	const registered = spawnSync('bash', ['-c', `source /dev/stdin <<'EOF'\n${script}\nEOF\ncomplete -p layerscope`], {encoding: 'utf8'});
	assert.equal(registered.stdout.trim(), 'complete -F _layerscope layerscope');

	assert.deepEqual(bashComplete(script, ['layerscope', 'tree', 'x', '--']), ['--layer', '--json', '--source', '--platform', '--insecure', '--no-cache', '--debug', '--help', '--version']);
	assert.deepEqual(bashComplete(script, ['layerscope', 'diff', 'web-1', '--']), ['--json', '--source', '--no-tui', '--debug', '--help', '--version']);
	const image = bashComplete(script, ['layerscope', 'app.tar', '--']);
	assert.ok(image.includes('--ci-format') && image.includes('--no-tui') && !image.includes('--layer'));
	assert.deepEqual(bashComplete(script, ['layerscope', '--ci-f']), ['--ci-format']);
	assert.deepEqual(bashComplete(script, ['layerscope', 'x', '--source', 'oc']), ['oci-archive', 'oci']);
	assert.deepEqual(bashComplete(script, ['layerscope', 'diff', 'c', '--source', '']), ['docker', 'podman']);
	// bash splits --ci-format=j at the "=" (COMP_WORDBREAKS).
	assert.deepEqual(bashComplete(script, ['layerscope', 'x', '--ci-format', '=']), ['text', 'junit']);
	assert.deepEqual(bashComplete(script, ['layerscope', 'x', '--ci-format', '=', 'j']), ['junit']);
	assert.deepEqual(bashComplete(script, ['layerscope', 'completion', '']), ['bash', 'zsh', 'fish']);
	assert.deepEqual(bashComplete(script, ['layerscope', 'help', 't']), ['tree']);
	assert.deepEqual(bashComplete(script, ['layerscope', 'tree', 'x', '--layer', '']), []);

	const dir = mkdtempSync(path.join(work, 'files-'));
	writeFileSync(path.join(dir, 'app image.tar'), '');
	assert.deepEqual(bashComplete(script, ['layerscope', 'tr'], dir), ['tree']);
	assert.deepEqual(bashComplete(script, ['layerscope', 'app'], dir), ['app image.tar'], 'a file name with a space stays one word');
	assert.deepEqual(bashComplete(script, ['layerscope', 'tree', 'x', '--json', 'a'], dir), ['app image.tar']);
	assert.deepEqual(bashComplete(script, ['layerscope', '--json', 'out.json', 'tr'], dir), ['tree'], 'an option value is skipped, not taken for the image');
});

test('zsh and fish scripts parse in their shells (when installed)', {skip: hasShell('zsh') || hasShell('fish') ? false : 'neither zsh nor fish is installed'}, () => {
	for (const shell of ['zsh', 'fish'] as const) {
		if (!hasShell(shell)) {
			continue;
		}

		const file = path.join(work, `layerscope.${shell}`);
		writeFileSync(file, completionScript(shell, commands, '1.2.3'));
		const result = spawnSync(shell, ['-n', file], {encoding: 'utf8'});
		assert.equal(result.status, 0, `${shell}: ${result.stderr}`);
	}
});

test('completion with no or an unknown shell is a usage error', async () => {
	const missing = await runCli(['completion']);
	assert.equal(missing.code, 2);
	assert.equal(missing.stderr, 'layerscope: completion needs a shell: bash, zsh, fish\n');
	const unknown = await runCli(['completion', 'tcsh']);
	assert.equal(unknown.code, 2);
	assert.equal(unknown.stderr, 'layerscope: no completion for shell "tcsh"; there are bash, zsh, fish\n');
});
