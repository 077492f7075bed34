// Lint: eslint's and typescript-eslint's recommended rules, plus a few the codebase keeps to.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', '.bench/**', 'snapshots/**']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['bin/**/*.js', 'scripts/**/*.mjs'],
		languageOptions: {globals: {process: 'readonly', console: 'readonly'}},
	},
	{
		files: ['**/*.ts', '**/*.tsx'],
		rules: {
			'no-control-regex': 'off',
			eqeqeq: 'error',
			'prefer-const': 'error',
			'@typescript-eslint/consistent-type-imports': ['error', {fixStyle: 'inline-type-imports'}],
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
		},
	},
);
