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

test('zsh: the script parses and, after compinit, registers _layerscope for layerscope', {skip: hasShell('zsh') ? false : 'zsh is not installed (.ci/run installs it)'}, async () => {
	const generated = await runCli(['completion', 'zsh']);
	assert.equal(generated.code, 0, generated.stderr);
	const file = path.join(work, '_layerscope');
	writeFileSync(file, generated.stdout);
	const syntax = spawnSync('zsh', ['-n', file], {encoding: 'utf8'});
	assert.equal(syntax.status, 0, syntax.stderr);
	const registered = spawnSync('zsh', ['-f', '-c', `autoload -U compinit; compinit -u -d ${JSON.stringify(path.join(work, 'zcompdump'))}; source ${JSON.stringify(file)}; print -r -- $_comps[layerscope]`], {encoding: 'utf8'});
	assert.equal(registered.stdout.trim(), '_layerscope', registered.stderr);
});

/** What fish offers for a command line (fish's own `complete -C`), words only. */
function fishComplete(file: string, line: string): string[] {
	const result = spawnSync('fish', ['--no-config', '-c', `source ${JSON.stringify(file)}; complete -C${JSON.stringify(line)}`], {cwd: work, encoding: 'utf8'});
	assert.equal(result.status, 0, result.stderr);
	return result.stdout.split('\n').filter(entry => entry !== '').map(entry => entry.split('\t')[0]!);
}

test('fish: sourced, it offers each command\'s own options and values (asked with complete -C)', {skip: hasShell('fish') ? false : 'fish is not installed (.ci/run installs it)'}, async () => {
	const generated = await runCli(['completion', 'fish']);
	assert.equal(generated.code, 0, generated.stderr);
	const file = path.join(work, 'layerscope.fish');
	writeFileSync(file, generated.stdout);
	const tree = fishComplete(file, 'layerscope tree x --');
	assert.ok(tree.includes('--layer') && tree.includes('--json') && !tree.includes('--ci') && !tree.includes('--no-tui'), tree.join(' '));
	const image = fishComplete(file, 'layerscope app.tar --');
	assert.ok(image.includes('--ci-format') && image.includes('--no-tui') && !image.includes('--layer'), image.join(' '));
	assert.deepEqual(fishComplete(file, 'layerscope diff c --source ').sort(), ['docker', 'podman']);
	assert.deepEqual(fishComplete(file, 'layerscope x --ci-format ').sort(), ['junit', 'text']);
	assert.deepEqual(fishComplete(file, 'layerscope completion ').sort(), ['bash', 'fish', 'zsh']);
	const words = fishComplete(file, 'layerscope ');
	for (const command of commands) {
		assert.ok(words.includes(command.name), command.name);
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
